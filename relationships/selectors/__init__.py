"""Every query a user can reach goes through here: this is where tenancy is decided.

A user sees a relationship, and everything under it, only when one of the user's
organisations is a partner in it. Holders of WRITE_ROLES in a partner organisation
may change it; auditors only read. Anything a user may not see is a 404, so that
its existence does not leak.

Within a relationship, a partner-private record (a register entry or a
self-assessment with visibility "partner") is seen only by the people of its owning
partner and of the partners it is shared with (`visible_records`); only its owning
partner's writers may change it (`changeable_records`). Every read of such records
applies that expression, built here once.
"""

from collections.abc import Iterable, Sequence
from types import EllipsisType

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.http import Http404
from django.utils import timezone

from relationships.choices import (
    MANAGE_ROLES,
    WRITE_ROLES,
    MembershipRole,
    PartnerRole,
    PlanVersionStatus,
    Visibility,
)
from relationships.models import (
    Action,
    Membership,
    Objective,
    Organisation,
    PartnerInvitation,
    Partnership,
    PlanVersion,
    Relationship,
    Risk,
)
from relationships.models.privacy import PartnerPrivateRecord

type AnyUser = AbstractBaseUser | AnonymousUser


def _partner_in(user: AnyUser, relationship_field: str) -> Exists:
    """True for rows whose relationship has one of the user's organisations as a
    partner. An EXISTS per row: looking one relationship (or one page of rows) up
    then probes only its partnerships, instead of building the set of every
    relationship the user sees (a thousand, for a portfolio viewer)."""
    return Exists(
        Partnership.objects.filter(
            relationship=OuterRef(relationship_field),
            organisation_id__in=_organisations_of(user),
        )
    )


def memberships_active() -> QuerySet[Membership]:
    """Memberships that count: a deactivated one (the person left, or was
    deactivated by the organisation's admin) grants no access, no seat and no
    signature, though its row and history stay."""
    return Membership.objects.filter(deactivated_at__isnull=True)


def _organisations_of(user: AnyUser, *, roles: Iterable[str] | None = None) -> QuerySet:
    memberships = memberships_active().filter(user=user)
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    return memberships.values("organisation_id")


def organisation_ids_of(user: AnyUser) -> list[int]:
    """The user's organisations: those whose relationships make up what the user
    sees (and key the user's cached portfolio, relationships/caching.py)."""
    if not user.is_authenticated:
        return []
    return sorted(_organisations_of(user).values_list("organisation_id", flat=True))


def visible_records(
    user: AnyUser | None, model: type[PartnerPrivateRecord], *, via: str = ""
) -> Q:
    """Which records of `model` the user may see among those of relationships the
    user already sees: joint ones, and private ones whose owning partner, or a
    partner they are shared with, is one of the user's organisations. `via` leads
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
    )


def records_visible_to_audience(
    model: type[PartnerPrivateRecord], audience: Sequence[int]
) -> Q:
    """visible_records within one relationship, for a viewer whose audience there
    (`viewer_audience`: the viewer's partnerships in it) is known: joint records,
    and private ones owned by or shared with one of those partnerships. The same
    records, without reading the viewer's memberships again; and a page built
    from it shows the same to every viewer of that audience, as its cache key
    says."""
    shared_with = model._meta.get_field("shared_with")
    shared = shared_with.remote_field.through.objects.filter(
        **{f"{shared_with.m2m_reverse_field_name()}_id__in": audience}
    ).values(f"{shared_with.m2m_field_name()}_id")
    return (
        Q(visibility=Visibility.JOINT)
        | Q(**{f"{model.owner_partnership_field}_id__in": audience})
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


def viewer_audience(*, user: AnyUser, relationship: Relationship) -> tuple[int, ...]:
    """The user's partnerships in the relationship: whose private records (owned or
    shared) the user sees there. Two viewers with the same audience see the same
    records, so a page shared between users is cached per audience."""
    if not user.is_authenticated:
        return ()
    return tuple(
        Partnership.objects.filter(
            relationship=relationship, organisation_id__in=_organisations_of(user)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


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


def rows_visible_to(
    user: AnyUser,
    queryset: QuerySet,
    ids: Sequence[int],
    *,
    relationship_field: str = "relationship_id",
) -> list:
    """The rows of `queryset` with these ids that the user may see, in the order of
    `ids`: one page of a list. The access test is a column here, so it runs for
    these rows alone. `relationship_field` leads to the row's relationship ("pk"
    for relationships themselves)."""
    if not user.is_authenticated or not ids:
        return []
    if issubclass(queryset.model, PartnerPrivateRecord):
        queryset = queryset.filter(visible_records(user, queryset.model))
    rows = {
        row.pk: row
        for row in queryset.filter(pk__in=ids).annotate(
            user_is_partner=_partner_in(user, relationship_field)
        )
        if row.user_is_partner
    }
    return [rows[pk] for pk in ids if pk in rows]


def ids_visible_to(
    user: AnyUser,
    model: type[Model],
    ids: Sequence[int],
    *,
    relationship_field: str = "relationship_id",
) -> list[int]:
    """Those of `ids` (rows of `model`) the user may see, in their order: one small
    query. Cached pages (lists, the portfolio grid) check their ids with it on every
    request, so that even a change no cache heard of cannot show a row."""
    if not user.is_authenticated or not ids:
        return []
    rows = model.objects.filter(pk__in=ids)
    if issubclass(model, PartnerPrivateRecord):
        rows = rows.filter(visible_records(user, model))
    visible = {
        pk
        for pk, is_partner in rows.annotate(
            user_is_partner=_partner_in(user, relationship_field)
        )
        .order_by()
        .values_list("pk", "user_is_partner")
        if is_partner
    }
    return [pk for pk in ids if pk in visible]


def relationships_visible_to(user: AnyUser) -> QuerySet[Relationship]:
    if not user.is_authenticated:
        return Relationship.objects.none()
    return Relationship.objects.filter(_partner_in(user, "pk"))


def partnerships_taking_part(relationship: Relationship) -> QuerySet[Partnership]:
    """The partners still taking part: an exited partner keeps its records and
    its people read them, but it no longer writes, signs or confirms."""
    return relationship.partnerships.filter(exited_at__isnull=True)


def relationship_roles_for_user(
    *, user: AnyUser, relationship: Relationship
) -> set[str]:
    """The user's roles in the organisations taking part in the relationship (a
    partner that exited leaves its people read access only)."""
    if not user.is_authenticated:
        return set()
    return set(
        memberships_active()
        .filter(
            user=user,
            organisation__partnerships__relationship=relationship,
            organisation__partnerships__exited_at__isnull=True,
        )
        .values_list("role", flat=True)
    )


def user_can_edit_relationship(*, user: AnyUser, relationship: Relationship) -> bool:
    roles = relationship_roles_for_user(user=user, relationship=relationship)
    return bool(roles & WRITE_ROLES)


def relationship_get_for_user(*, user: AnyUser, reference: str) -> Relationship:
    """The relationship if the user may see it, else Http404."""
    if not user.is_authenticated:
        raise Http404("No such relationship.")
    # Found by its reference first, and only then tested for a partnership of the
    # user's: as a column, not a filter, the test runs for this one relationship
    # (as a filter the database may first list every relationship the user sees).
    try:
        relationship = (
            Relationship.objects.filter(reference=reference)
            .annotate(user_is_partner=_partner_in(user, "pk"))
            .select_related("stage")
            .get()
        )
    except Relationship.DoesNotExist as error:
        raise Http404("No such relationship.") from error
    if not relationship.user_is_partner:
        raise Http404("No such relationship.")
    return relationship


def relationship_get_for_editing(*, user: AnyUser, reference: str) -> Relationship:
    """The relationship if the user may change it: 404 if unseen, 403 if read-only."""
    relationship = relationship_get_for_user(user=user, reference=reference)
    if not user_can_edit_relationship(user=user, relationship=relationship):
        raise PermissionDenied("Your role in this relationship is read-only.")
    return relationship


def relationship_list_for_user(user: AnyUser) -> QuerySet[Relationship]:
    return (
        relationships_visible_to(user)
        .select_related("stage")
        .prefetch_related(
            Prefetch(
                "partnerships",
                queryset=Partnership.objects.select_related("organisation"),
            )
        )
        .order_by("title")
    )


def relationship_current_plan_version(
    *, relationship: Relationship
) -> PlanVersion | None:
    return (
        PlanVersion.objects.filter(plan__relationship=relationship)
        .select_related("created_by")
        .order_by("-number")
        .first()
    )


def approved_plan_versions(
    *, relationship: Relationship | OuterRef
) -> QuerySet[PlanVersion]:
    """The relationship's approved plan versions, latest first. `relationship` may
    be an OuterRef, for a subquery over many relationships."""
    return PlanVersion.objects.filter(
        plan__relationship=relationship, status=PlanVersionStatus.APPROVED
    ).order_by("-number")


def relationship_latest_approved_plan_version(
    *, relationship: Relationship
) -> PlanVersion | None:
    return approved_plan_versions(relationship=relationship).first()


def objectives_visible_to(user: AnyUser) -> QuerySet[Objective]:
    if not user.is_authenticated:
        return Objective.objects.none()
    return Objective.objects.filter(
        _partner_in(user, "relationship_id"), visible_records(user, Objective)
    ).select_related("relationship", "owner__organisation")


def risks_visible_to(user: AnyUser) -> QuerySet[Risk]:
    if not user.is_authenticated:
        return Risk.objects.none()
    return Risk.objects.filter(
        _partner_in(user, "relationship_id"), visible_records(user, Risk)
    ).select_related("relationship", "owner_partnership__organisation", "owner")


def actions_visible_to(user: AnyUser) -> QuerySet[Action]:
    if not user.is_authenticated:
        return Action.objects.none()
    return Action.objects.filter(
        _partner_in(user, "relationship_id"), visible_records(user, Action)
    ).select_related("relationship", "owner_partnership__organisation", "owner", "risk")


def organisations_administered_by(user: AnyUser) -> QuerySet[Organisation]:
    """Organisations whose admin the user is (role "Organisation admin")."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        id__in=_organisations_of(user, roles=[MembershipRole.ORG_ADMIN])
    )


def organisation_get_for_admin(*, user: AnyUser, slug: str) -> Organisation:
    """An organisation its admin manages. A member who is not its admin gets 403;
    anyone else 404, so that which organisations exist does not leak."""
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None or not user.is_authenticated:
        raise Http404("No such organisation.")
    if not organisations_administered_by(user).filter(id=organisation.id).exists():
        if Membership.objects.filter(user=user, organisation=organisation).exists():
            raise PermissionDenied(
                "Only the organisation's admins manage its profile and people."
            )
        raise Http404("No such organisation.")
    return organisation


# --- starting and joining relationships ------------------------------------------


def organisations_that_may_lead(user: AnyUser) -> QuerySet[Organisation]:
    """Organisations the user may start a relationship for (as its relationship
    manager or organisation admin)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        id__in=_organisations_of(user, roles=MANAGE_ROLES)
    )


def relationship_get_for_leading(*, user: AnyUser, reference: str) -> Relationship:
    """The relationship if the user writes for its lead (invites partners): 404 if
    unseen, 403 otherwise."""
    relationship = relationship_get_for_editing(user=user, reference=reference)
    if not user_leads_relationship(user=user, relationship=relationship):
        raise PermissionDenied("Only the lead partner's people invite partners.")
    return relationship


def user_leads_relationship(*, user: AnyUser, relationship: Relationship) -> bool:
    return relationship.partnerships.filter(
        role=PartnerRole.LEAD,
        organisation_id__in=_organisations_of(user, roles=WRITE_ROLES),
    ).exists()


def partnerships_managed_by(
    *, user: AnyUser, relationship: Relationship
) -> QuerySet[Partnership]:
    """The relationship's partners whose own seats the user fills (its relationship
    manager or organisation admin), while they take part."""
    if not user.is_authenticated:
        return Partnership.objects.none()
    return partnerships_taking_part(relationship).filter(
        organisation_id__in=_organisations_of(user, roles=MANAGE_ROLES)
    )


def partnership_get_for_managing(
    *, user: AnyUser, reference: str, pk: int
) -> Partnership:
    """A partner in a relationship the user sees, if the user seats its people: 404
    if unseen, 403 for anyone but the partner's own managers."""
    relationship = relationship_get_for_user(user=user, reference=reference)
    partnership = (
        relationship.partnerships.filter(pk=pk)
        .select_related("organisation", "relationship")
        .first()
    )
    if partnership is None:
        raise Http404("No such partner.")
    if (
        not partnerships_managed_by(user=user, relationship=relationship)
        .filter(pk=pk)
        .exists()
    ):
        raise PermissionDenied(
            "Only the partner's own relationship manager or organisation admin "
            "changes its seats, while it takes part."
        )
    return partnership


def partnership_get_for_exit(*, user: AnyUser, reference: str, pk: int) -> Partnership:
    """A partner the user may mark as exited: its own managers, or the lead's."""
    relationship = relationship_get_for_user(user=user, reference=reference)
    partnership = (
        relationship.partnerships.filter(pk=pk).select_related("organisation").first()
    )
    if partnership is None:
        raise Http404("No such partner.")
    managed = partnerships_managed_by(user=user, relationship=relationship)
    if not managed.filter(Q(pk=pk) | Q(role=PartnerRole.LEAD)).exists():
        raise PermissionDenied(
            "Only the partner itself or the lead partner records a partner's exit."
        )
    return partnership


def partner_invitations_for_lead(
    *, user: AnyUser, relationship: Relationship
) -> QuerySet[PartnerInvitation]:
    """The relationship's partner invitations, for the lead's people only."""
    if (
        not user.is_authenticated
        or not relationship.partnerships.filter(
            role=PartnerRole.LEAD, organisation_id__in=_organisations_of(user)
        ).exists()
    ):
        return PartnerInvitation.objects.none()
    return relationship.partner_invitations.select_related(
        "organisation", "invited_by", "accepted_by"
    )


def partner_invitation_get_for_lead(
    *, user: AnyUser, reference: str, pk: int
) -> PartnerInvitation:
    relationship = relationship_get_for_leading(user=user, reference=reference)
    invitation = relationship.partner_invitations.filter(pk=pk).first()
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


def partner_invitations_to_answer(user: AnyUser) -> QuerySet[PartnerInvitation]:
    """Invitations for the organisations the user answers for (relationship
    manager or admin) to join a relationship, still open."""
    if not user.is_authenticated:
        return PartnerInvitation.objects.none()
    return PartnerInvitation.objects.filter(
        organisation_id__in=_organisations_of(user, roles=MANAGE_ROLES),
        accepted_at__isnull=True,
        declined_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).select_related("relationship", "organisation", "invited_by")


def partner_invitation_get_to_answer(*, user: AnyUser, pk: int) -> PartnerInvitation:
    """An invitation to one of the user's organisations (any state: the service
    tells why a closed one cannot be answered); 404 for anyone else."""
    if not user.is_authenticated:
        raise Http404("No such invitation.")
    invitation = (
        PartnerInvitation.objects.filter(
            pk=pk, organisation_id__in=_organisations_of(user, roles=MANAGE_ROLES)
        )
        .select_related("relationship", "organisation")
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


def organisations_known_to(user: AnyUser) -> QuerySet[Organisation]:
    """Organisations the user's own work with: partners in a relationship the
    user sees (their own organisations included)."""
    return Organisation.objects.filter(
        partnerships__relationship__in=relationships_visible_to(user)
    ).distinct()
