"""Every query a user can reach goes through here: this is where tenancy is decided.

A user sees a relationship, and everything under it, only when one of the user's
organisations is a partner in it. Holders of WRITE_ROLES in a partner organisation
may change it; auditors only read. Anything a user may not see is a 404, so that
its existence does not leak.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404

from relationships.choices import WRITE_ROLES
from relationships.models import (
    Action,
    Membership,
    Objective,
    Partnership,
    PlanVersion,
    Relationship,
    Risk,
)

type AnyUser = AbstractBaseUser | AnonymousUser


def relationships_visible_to(user: AnyUser) -> QuerySet[Relationship]:
    if not user.is_authenticated:
        return Relationship.objects.none()
    # EXISTS, not IN (subquery): looking one relationship up by its reference then
    # probes only that relationship's partnerships, instead of building the set of
    # every relationship the user sees (a thousand, for a portfolio viewer).
    return Relationship.objects.filter(
        Exists(
            Partnership.objects.filter(
                relationship=OuterRef("pk"),
                organisation_id__in=Membership.objects.filter(user=user).values(
                    "organisation_id"
                ),
            )
        )
    )


def relationship_roles_for_user(
    *, user: AnyUser, relationship: Relationship
) -> set[str]:
    """The user's roles in the organisations that partner in the relationship."""
    if not user.is_authenticated:
        return set()
    return set(
        Membership.objects.filter(
            user=user, organisation__partnerships__relationship=relationship
        ).values_list("role", flat=True)
    )


def user_can_edit_relationship(*, user: AnyUser, relationship: Relationship) -> bool:
    roles = relationship_roles_for_user(user=user, relationship=relationship)
    return bool(roles & WRITE_ROLES)


def relationship_get_for_user(*, user: AnyUser, reference: str) -> Relationship:
    """The relationship if the user may see it, else Http404."""
    try:
        return (
            relationships_visible_to(user)
            .select_related("stage")
            .get(reference=reference)
        )
    except Relationship.DoesNotExist as error:
        raise Http404("No such relationship.") from error


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


def relationship_latest_approved_plan_version(
    *, relationship: Relationship
) -> PlanVersion | None:
    return (
        PlanVersion.objects.filter(plan__relationship=relationship, status="approved")
        .order_by("-number")
        .first()
    )


def objectives_visible_to(user: AnyUser) -> QuerySet[Objective]:
    return Objective.objects.filter(
        relationship__in=relationships_visible_to(user)
    ).select_related("relationship", "owner__organisation")


def risks_visible_to(user: AnyUser) -> QuerySet[Risk]:
    return Risk.objects.filter(
        relationship__in=relationships_visible_to(user)
    ).select_related("relationship", "owner_partnership__organisation", "owner")


def actions_visible_to(user: AnyUser) -> QuerySet[Action]:
    return Action.objects.filter(
        relationship__in=relationships_visible_to(user)
    ).select_related("relationship", "owner", "risk")
