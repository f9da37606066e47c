"""Seeing and changing a relationship, and everything under it.

A user sees a relationship only when one of the user's organisations is a
partner in it, or an active grant lets the user read it (`external`). Holders
of WRITE_ROLES in a partner organisation still taking part may change it;
auditors and grantees only read. Anything a user may not see is a 404,
so that its existence does not leak.
"""

from collections.abc import Iterable, Sequence

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404

from relationships.access.external import grant_clause
from relationships.access.memberships import (
    AnyUser,
    _organisations_of,
)
from relationships.access.records import viewer_audience, visible_records
from relationships.choices import WRITE_ROLES
from relationships.models import (
    Action,
    Objective,
    Partnership,
    Relationship,
    Risk,
)
from relationships.models.privacy import PartnerPrivateRecord


def _partner_in(user: AnyUser, relationship_field: str) -> Exists:
    """True for rows whose relationship has one of the user's organisations as a
    partner, or is granted to the user (`external.partnerships_granted_to`). An
    EXISTS per row: looking one relationship (or one page of rows) up then probes
    only its partnerships, instead of building the set of every relationship the
    user sees (a thousand, for a portfolio viewer)."""
    return Exists(
        Partnership.objects.filter(
            Q(organisation_id__in=_organisations_of(user)) | grant_clause(user, "pk"),
            relationship=OuterRef(relationship_field),
        )
    )


def relationships_visible_to(user: AnyUser) -> QuerySet[Relationship]:
    if not user.is_authenticated:
        return Relationship.objects.none()
    return Relationship.objects.filter(_partner_in(user, "pk"))


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


def relationship_get_with_audience(
    *, user: AnyUser, reference: str
) -> tuple[Relationship, tuple[int, ...]]:
    """The relationship if the user may see it (else Http404), with the user's
    audience in it (`viewer_audience`), for a page cached per audience. The user
    sees a relationship exactly when they have an audience there, so this is
    `relationship_get_for_user`'s rule in the same two queries as asking both,
    without building its EXISTS."""
    if not user.is_authenticated:
        raise Http404("No such relationship.")
    try:
        relationship = Relationship.objects.select_related("stage").get(
            reference=reference
        )
    except Relationship.DoesNotExist as error:
        raise Http404("No such relationship.") from error
    audience = viewer_audience(user=user, relationship=relationship)
    if not audience:
        raise Http404("No such relationship.")
    return relationship, audience


def relationship_get_for_editing(*, user: AnyUser, reference: str) -> Relationship:
    """The relationship if the user may change it: 404 if unseen, 403 if read-only."""
    relationship = relationship_get_for_user(user=user, reference=reference)
    if not user_can_edit_relationship(user=user, relationship=relationship):
        raise PermissionDenied("Your role in this relationship is read-only.")
    return relationship


def partnerships_taking_part(relationship: Relationship) -> QuerySet[Partnership]:
    """The partners still taking part: an exited partner keeps its records and
    its people read them, but it no longer writes, signs or confirms."""
    return relationship.partnerships.filter(exited_at__isnull=True)


def partnerships_writable_by(user: AnyUser) -> QuerySet[Partnership]:
    """The partners the user writes for: those still taking part of which one of
    the user's active memberships holds a write role. This is the write rule;
    every other question about writing (a relationship, a page of rows, a
    self-assessment) is asked of it."""
    if not user.is_authenticated:
        return Partnership.objects.none()
    return Partnership.objects.filter(
        exited_at__isnull=True,
        organisation_id__in=_organisations_of(user, roles=WRITE_ROLES),
    )


def roles_may_write(*, roles: Iterable[str], partnership: Partnership) -> bool:
    """`partnerships_writable_by` for a person whose active roles in the
    partner's organisation are already read (a page of many people)."""
    return bool(set(roles) & WRITE_ROLES) and not partnership.has_exited


def user_can_edit_relationship(*, user: AnyUser, relationship: Relationship) -> bool:
    if not user.is_authenticated:
        return False
    return partnerships_writable_by(user).filter(relationship=relationship).exists()


def relationship_ids_editable_by(
    user: AnyUser, *, among: Iterable[int] | None = None
) -> set[int]:
    """Relationships in which the user writes (of `among`, when given: a list
    page asks only about its own rows). One query."""
    if not user.is_authenticated:
        return set()
    partnerships = partnerships_writable_by(user)
    if among is not None:
        partnerships = partnerships.filter(relationship_id__in=set(among))
    return set(partnerships.values_list("relationship_id", flat=True))


def relationship_owner_candidates(*, relationship: Relationship) -> QuerySet:
    """People who may own a risk or an action: a working member of a partner.

    Auditors are left out: they only read, so they could not act on what they own.
    """
    return (
        get_user_model()
        .objects.filter(
            memberships__role__in=WRITE_ROLES,
            memberships__organisation__partnerships__relationship=relationship,
            memberships__deactivated_at__isnull=True,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


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
