"""Assessments: who reads, changes and finalises them.

A partner's self-assessment is read by its own partner's people while a draft,
and once submitted by every partner's, unless it is private to its partner
(`visible_records`); the joint assessment by everyone who sees the
relationship. A writer of the partner changes its self-assessment (any
partner's writer the joint one), and the partner's relationship manager or
admin finalises it; the joint assessment is final when every partner has
confirmed it (`signing`)."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from assessments.choices import VISIBLE_TO_PARTNERS, AssessmentKind
from assessments.models import Assessment, RelationshipSummary
from relationships.access.external import grant_clause, partnerships_granted_to
from relationships.access.memberships import (
    AnyUser,
    _organisations_of,
    granting_organisation_ids_of,
    member_organisation_ids_of,
    memberships_active,
    organisation_ids_of,
)
from relationships.access.records import visible_records
from relationships.access.relationships import (
    partnerships_writable_by,
    user_can_edit_relationship,
)
from relationships.choices import MANAGE_ROLES
from relationships.models import Partnership, Relationship


def _roles_in_organisation(*, user: AnyUser, organisation_id: int) -> set[str]:
    if not user.is_authenticated:
        return set()
    return set(
        memberships_active()
        .filter(user=user, organisation_id=organisation_id)
        .values_list("role", flat=True)
    )


def user_can_edit_assessment(*, user: AnyUser, assessment: Assessment) -> bool:
    """Self: the user writes for that partner; joint: for any partner."""
    if assessment.kind == AssessmentKind.SELF:
        return (
            partnerships_writable_by(user).filter(pk=assessment.partnership_id).exists()
        )
    return user_can_edit_relationship(user=user, relationship=assessment.relationship)


def user_can_finalise_assessment(*, user: AnyUser, assessment: Assessment) -> bool:
    """Self: that partner's own manager. Nobody finalises a joint assessment alone:
    it becomes final when every partner has confirmed it (selectors.confirmations).
    """
    if assessment.kind == AssessmentKind.JOINT:
        return False
    partnership = assessment.partnership
    if partnership.relationship_manager_id == user.pk:
        return True
    roles = _roles_in_organisation(
        user=user, organisation_id=partnership.organisation_id
    )
    return bool(roles & MANAGE_ROLES)


def partnerships_assessable_by(
    *, user: AnyUser, relationship: Relationship
) -> list[Partnership]:
    """The partners whose self-assessment the user may start and edit."""
    return list(
        partnerships_writable_by(user)
        .filter(relationship=relationship)
        .select_related("organisation")
        .order_by("role", "organisation__name")
    )


def assessments_visible_to(
    *, user: AnyUser, relationship: Relationship
) -> QuerySet[Assessment]:
    """Joint assessments, the user's own partner's, and other partners' submitted
    self-assessments unless private to them (visible_records)."""
    if not user.is_authenticated:
        return Assessment.objects.none()
    return Assessment.objects.filter(relationship=relationship).filter(
        Q(kind=AssessmentKind.JOINT)
        | Q(status__in=VISIBLE_TO_PARTNERS)
        | Q(partnership__organisation_id__in=_organisations_of(user))
        | grant_clause(user, "partnership"),
        visible_records(user, Assessment),
    )


def partnership_summaries_visible_to(user: AnyUser) -> QuerySet[RelationshipSummary]:
    """The portfolio summaries (assessments.RelationshipSummary) of the user's
    partnerships: one row per partnership, so two of one relationship where two
    of the user's organisations are partners in it."""
    if not user.is_authenticated:
        return RelationshipSummary.objects.none()
    # The copied organisation picks the rows from an index; the partnership
    # itself, read with them, is what grants access.
    organisations = organisation_ids_of(user)
    if not granting_organisation_ids_of(user):
        return RelationshipSummary.objects.filter(
            organisation_id__in=organisations,
            partnership__organisation_id__in=organisations,
        )
    # A grantee reads the granting partner's summaries of the granted
    # relationships only.
    members = member_organisation_ids_of(user)
    return RelationshipSummary.objects.filter(
        Q(partnership__organisation_id__in=members)
        | Q(partnership__in=partnerships_granted_to(user)),
        organisation_id__in=organisations,
    )


def relationship_summaries_visible_to(user: AnyUser) -> QuerySet[RelationshipSummary]:
    """The portfolio summaries of the relationships the user sees, one per
    relationship. A member of one organisation has one partnership in each; a
    user with several (two partners' member, or a grantee) reads, where two of
    them are partners, the summary of the first (by id), whose per-partner
    figures (overdue entries, gaps) are that partner's view. The rows stay one
    indexed query, so the portfolio pages and sorts them in the database."""
    summaries = partnership_summaries_visible_to(user)
    if portfolio_organisation_of(user) is not None:
        return summaries
    earlier = partnership_summaries_visible_to(user).filter(
        relationship_id=OuterRef("relationship_id"),
        partnership_id__lt=OuterRef("partnership_id"),
    )
    return summaries.exclude(Exists(earlier))


def portfolio_organisation_of(user: AnyUser) -> int | None:
    """The organisation whose summaries are exactly those the user sees
    (`relationship_summaries_visible_to`), when there is one: that of a member
    of one organisation, without grants. Its kept portfolio totals
    (assessments.PortfolioTotals) are then the user's; anyone else's are
    counted from the rows (a relationship may have two of the user's
    organisations as partners, and a grantee sees some of a partner's)."""
    if not user.is_authenticated or granting_organisation_ids_of(user):
        return None
    organisations = organisation_ids_of(user)
    return organisations[0] if len(organisations) == 1 else None
