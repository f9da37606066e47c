"""Partner-private records: who sees, changes and chooses the audience of a
register entry, a document or a self-assessment that is private to its owning
partner (relationships/models/privacy.py).

A partner-private record is seen only by the people of its owning partner and
of the partners it is shared with (`visible_records`); only its owning
partner's writers may change it (`changeable_records`). Every read of such
records applies that expression, built here once.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from types import EllipsisType

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, ExpressionWrapper, Model, Q

from relationships.access.external import grant_clause
from relationships.access.memberships import (
    AnyUser,
    _organisations_of,
    granting_organisation_ids_of,
    member_organisation_ids_of,
)
from relationships.choices import WRITE_ROLES, PartnerRole, Visibility
from relationships.models import Partnership, Relationship
from relationships.models.privacy import PartnerPrivateRecord


def visible_records(
    user: AnyUser | None, model: type[PartnerPrivateRecord], *, via: str = ""
) -> Q:
    """Which records of `model` the user may see among those of relationships the
    user already sees: joint ones, and private ones whose owning partner, or a
    partner they are shared with, is one of the user's organisations, and for a
    grantee the granting partner's own private ones (`external`). `via` leads
    from the filtered rows to the record ("objective__" from a rating link).
    With no user it is the joint records alone: what a report, read by every
    partner and by auditors, may show."""
    joint = Q(**{f"{via}visibility": Visibility.JOINT})
    if user is None or not user.is_authenticated:
        return joint
    organisations = _organisations_of(user)
    shared = model.objects.filter(
        shared_with__organisation_id__in=organisations
    ).values("pk")
    owner = model.owner_partnership_field
    return (
        joint
        | Q(**{f"{via}{owner}__organisation_id__in": organisations})
        | Q(**{f"{via}pk__in": shared})
        # A grantee reads the granting partner's own private records, never
        # what another partner only shares with it.
        | grant_clause(user, f"{via}{owner}")
    )


def records_visible_to_audience(
    model: type[PartnerPrivateRecord], audience: Sequence[int]
) -> Q:
    """visible_records within one relationship, for a viewer whose audience there
    (`viewer_audience`: the viewer's partnerships in it) is known: joint records,
    and private ones owned by or shared with one of those partnerships. The same
    records, without reading the viewer's memberships again; and a page built
    from it shows the same to every viewer of that audience, as its cache key
    says. A negative id is a partnership read through a grant
    (`viewer_audience`): its own records, not those shared with it."""
    members = [pk for pk in audience if pk > 0]
    owners = [abs(pk) for pk in audience]
    shared_with = model._meta.get_field("shared_with")
    shared = shared_with.remote_field.through.objects.filter(
        **{f"{shared_with.m2m_reverse_field_name()}_id__in": members}
    ).values(f"{shared_with.m2m_field_name()}_id")
    return (
        Q(visibility=Visibility.JOINT)
        | Q(**{f"{model.owner_partnership_field}_id__in": owners})
        | Q(pk__in=shared)
    )


def linked_record_visible(
    user: AnyUser | None, model: type[PartnerPrivateRecord], field: str
) -> ExpressionWrapper:
    """A column for rows that link a record of `model` through `field`: true
    when there is no such record or the user may see it. A joint action may
    answer a partner's private risk; the risk's title shows only where this is
    true."""
    return ExpressionWrapper(
        Q(**{f"{field}__isnull": True})
        | visible_records(user, model, via=f"{field}__"),
        output_field=BooleanField(),
    )


def changeable_records(user: AnyUser, model: type[PartnerPrivateRecord]) -> Q:
    """Which records the user may change, given a write role in the relationship:
    joint ones, and private ones only of the user's own partner (the lead, or
    another partner, may read what is shared with it, never change it)."""
    owner = model.owner_partnership_field
    return Q(visibility=Visibility.JOINT) | Q(
        **{f"{owner}__organisation_id__in": _organisations_of(user, roles=WRITE_ROLES)}
    )


def record_check_changeable(*, user: AnyUser, record: PartnerPrivateRecord) -> None:
    """PermissionDenied unless the user, a writer in the record's relationship, may
    change this record (it is joint, or private to one of the user's partners)."""
    model = type(record)
    if not model.objects.filter(changeable_records(user, model), pk=record.pk).exists():
        raise PermissionDenied(
            "Only the owning partner's people may change its private record."
        )


def record_privacy_errors(
    *,
    user: AnyUser | None,
    record: PartnerPrivateRecord,
    changed: Iterable[str] | None,
) -> dict[str, str]:
    """Only the owning partner's writers choose whose eyes its record is for: a
    new private record, or a change of a record's visibility, sharing or (while
    private) owner, needs a write role in the owning partner. So no partner keeps
    a record private in another partner's name, and no one but its owner turns a
    joint owned record private. `changed` names the fields a save changes (None
    for a new record); no `user` is the system itself (the demo, a data load)."""
    if user is None:
        return {}
    owner_field = record.owner_partnership_field
    if changed is None:
        touched = record.is_private
    else:
        changed = set(changed)
        touched = bool(changed & {"visibility", "shared_with", owner_field}) and (
            record.is_private or "visibility" in changed
        )
    owner_id = getattr(record, f"{owner_field}_id")
    if not touched or owner_id is None:
        return {}
    if Partnership.objects.filter(
        pk=owner_id, organisation_id__in=_organisations_of(user, roles=WRITE_ROLES)
    ).exists():
        return {}
    return {
        "visibility": (
            "Only the people of the partner a record belongs to choose who sees "
            "it: make it joint, or choose your own organisation as its partner."
        )
    }


def record_audience(record: PartnerPrivateRecord) -> set[int] | None:
    """The partnerships that may see a record: None for a joint one (everyone)."""
    if not record.is_private:
        return None
    owner_id = getattr(record, f"{record.owner_partnership_field}_id")
    return {owner_id, *record.shared_with.values_list("pk", flat=True)}


def record_audiences(
    rows: Iterable[tuple[int, int, str, int | None]], model: type[Model]
) -> dict[int, tuple[int, set[int] | None]]:
    """`record_audience` for many records at once, from rows (pk, relationship
    id, visibility, owner partnership id) of a partner-private model: pk ->
    (relationship id, the partnerships that see it, or None for a joint record).
    The rule of `visible_records`, per partner: a private record is seen by its
    owner and the partners it is shared with. One query at most."""
    rows = list(rows)
    private = [pk for pk, _, visibility, _ in rows if visibility == Visibility.PARTNER]
    shared: dict[int, set[int]] = defaultdict(set)
    if private:
        through = model.shared_with.through
        source = f"{model._meta.model_name}_id"
        for record_id, partnership_id in through.objects.filter(
            **{f"{source}__in": private}
        ).values_list(source, "partnership_id"):
            shared[record_id].add(partnership_id)
    return {
        pk: (
            relationship_id,
            None
            if visibility != Visibility.PARTNER
            else {owner_id, *shared[pk]} - {None},
        )
        for pk, relationship_id, visibility, owner_id in rows
    }


def viewer_audience(*, user: AnyUser, relationship: Relationship) -> tuple[int, ...]:
    """The user's partnerships in the relationship: whose private records (owned or
    shared) the user sees there. Two viewers with the same audience see the same
    records, so a page shared between users is cached per audience. A partnership
    the user reads through a grant only counts negatively (-pk): its own records
    alone, and a key that no member's audience shares."""
    if not user.is_authenticated:
        return ()
    # The user's organisations, read once per request (they key caches and the
    # lists ask for them too): the query below then carries their ids, and a
    # user without grants needs no grant subquery. Building those subqueries
    # cost a relationship's pages more than this small query.
    members = set(member_organisation_ids_of(user))
    rows = (
        Partnership.objects.filter(
            Q(organisation_id__in=members) | grant_clause(user, "pk"),
            relationship=relationship,
        )
        .order_by("pk")
        .values_list("pk", "organisation_id")
    )
    return tuple(
        pk if organisation_id in members else -pk for pk, organisation_id in rows
    )


def audience_through_summaries(
    user: AnyUser, partnership_ids: Iterable[int]
) -> list[int]:
    """The audience (as `viewer_audience`) of the user's portfolio summaries'
    partnerships: a partnership of a granting organisation counts negatively."""
    partnership_ids = list(partnership_ids)
    if not granting_organisation_ids_of(user):
        return partnership_ids
    members = set(
        Partnership.objects.filter(
            pk__in=partnership_ids, organisation_id__in=member_organisation_ids_of(user)
        ).values_list("pk", flat=True)
    )
    return [pk if pk in members else -pk for pk in partnership_ids]


def default_privacy(
    *, relationship: Relationship, owner: Partnership | EllipsisType | None = ...
) -> tuple[str, list[Partnership]]:
    """A new record's visibility and the partners it is shared with. A common
    record is joint, and so is every record of a two-partner relationship (as
    before privacy existed). With more partners (a supplier programme), a
    partner's own record is private to it and shared with the lead, as such
    programmes are bilateral; the lead's own records are the lead's alone.
    Without an `owner`, the default for a supplier's record (a new form's)."""
    partnerships = list(relationship.partnerships.all())
    if owner is None or len(partnerships) <= 2:
        return Visibility.JOINT, []
    leads = [
        partnership
        for partnership in partnerships
        if partnership.role == PartnerRole.LEAD
        and (owner is ... or partnership.pk != owner.pk)
    ]
    return Visibility.PARTNER, leads
