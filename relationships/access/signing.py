"""Who signs for a partner: the plan's sign-off and the confirmation of a joint
assessment. A partner is represented by its relationship manager or a leader of
the joint management team seated for it, and only while an active member of
the partner's organisation and while the partner takes part."""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet

from relationships.access.memberships import AnyUser, member_organisation_ids_of
from relationships.access.relationships import partnerships_taking_part
from relationships.models import JointManagementTeamMember, Partnership, Relationship

if TYPE_CHECKING:
    from assessments.models import Assessment


def partnership_represented_by_q(user: Any) -> Q:
    """The sign-off rule, as one filter on Partnership: who may sign for a partner
    is its relationship manager or a leader of the joint management team seated
    for it, and only while an active member of the partner's organisation (a seat
    outlives a membership that is removed or deactivated, but no longer counts).

    Use it in a single `filter()` call, so that each condition on a relation is
    met by the same row. `user` may be a user or an expression (`OuterRef`)."""
    return (
        Q(relationship_manager=user)
        | Q(jmt_members__user=user, jmt_members__is_leadership=True)
    ) & Q(
        organisation__memberships__user=user,
        organisation__memberships__deactivated_at__isnull=True,
    )


def summaries_represented_by_q(user: AnyUser) -> Q:
    """The rule of `partnership_represented_by_q` as one filter on portfolio
    summaries (assessments.RelationshipSummary), for their partnerships: its
    relationship manager or a leader of the joint management team seated for
    it, while an active member of the summary's organisation (the
    partnership's). The seat is asked row by row, so that the database starts
    from the summaries (a few plans out for sign-off) rather than from every
    partner the user signs for (ten thousand for a portfolio viewer)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    seats = JointManagementTeamMember.objects.filter(
        partnership_id=OuterRef("partnership_id"), user=user, is_leadership=True
    )
    return (Q(partnership__relationship_manager=user) | Exists(seats)) & Q(
        organisation_id__in=member_organisation_ids_of(user)
    )


def plan_partnerships_represented_by(
    *, user: AnyUser, relationship: Relationship
) -> QuerySet[Partnership]:
    """Partners this user may sign the plan for (`partnership_represented_by_q`)."""
    if not user.is_authenticated:
        return Partnership.objects.none()
    return (
        partnerships_taking_part(relationship)
        .filter(partnership_represented_by_q(user))
        .select_related("organisation")
        .distinct()
        .order_by("role", "organisation__name")
    )


def signers_by_partnership(partnerships: Iterable[Partnership]) -> dict[int, list[Any]]:
    """For each partner (by partnership id), the people who may sign for it now,
    by name: the rule of `partnership_represented_by_q` for every partner in one
    query. A partner that has exited has none, as it no longer signs."""
    partnerships = list(partnerships)
    signers: dict[int, list[Any]] = {partnership.pk: [] for partnership in partnerships}
    taking_part = [
        partnership for partnership in partnerships if not partnership.has_exited
    ]
    if not taking_part:
        return signers

    def signs_for(partnerships: QuerySet[Partnership]) -> Exists:
        return Exists(partnerships.filter(partnership_represented_by_q(OuterRef("pk"))))

    people = (
        get_user_model()
        .objects.filter(
            signs_for(
                Partnership.objects.filter(
                    pk__in=[partnership.pk for partnership in taking_part]
                )
            )
        )
        .annotate(
            **{
                f"signs_for_{partnership.pk}": signs_for(
                    Partnership.objects.filter(pk=partnership.pk)
                )
                for partnership in taking_part
            }
        )
        .order_by("last_name", "first_name", "username")
    )
    for person in people:
        for partnership in taking_part:
            if getattr(person, f"signs_for_{partnership.pk}"):
                signers[partnership.pk].append(person)
    return signers


def assessment_partnerships_confirmable_by(
    *, user: AnyUser, assessment: "Assessment"
) -> QuerySet[Partnership]:
    """Partners this user may confirm (or send back) the joint assessment for: the
    same people who may sign the plan for them."""
    return plan_partnerships_represented_by(
        user=user, relationship=assessment.relationship
    )
