"""Management reviews and an organisation's own lifecycle records: who sees and
who writes them.

A management review is the organisation's own management-system record, even
when it covers a relationship: only that organisation's members see it (its
auditors read it; its writers change it). A review of a relationship held
jointly by the joint management team is the exception: everyone who sees the
relationship sees it, and writers in the relationship change it. An
organisation's lifecycle records are its members' alone, like its own reviews.

What a review gathers from a relationship is the joint records and the
reviewing organisation's own, never another partner's private ones
(`records_for_review`).
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from assurance.models import ManagementReview, ManagementReviewAction
from relationships.access.assurance import (
    organisation_get_for_records,
    organisations_with_records_readable_by,
)
from relationships.access.memberships import (
    AnyUser,
    memberships_active,
)
from relationships.access.relationships import (
    _partner_in,
    relationship_get_for_user,
    user_can_edit_relationship,
)
from relationships.choices import WRITE_ROLES, Visibility
from relationships.models import Organisation, Relationship, RelationshipDocument
from relationships.models.privacy import PartnerPrivateRecord


def user_writes_for_organisation(*, user: AnyUser, organisation: Organisation) -> bool:
    """A member with a write role: auditors only read the organisation's records."""
    if not user.is_authenticated:
        return False
    return (
        memberships_active()
        .filter(user=user, organisation=organisation, role__in=WRITE_ROLES)
        .exists()
    )


def organisation_get_for_member_writing(*, user: AnyUser, slug: str) -> Organisation:
    """The organisation if the user writes its own records: 404 for a stranger,
    403 for a member who only reads."""
    organisation = organisation_get_for_records(user=user, slug=slug)
    if not user_writes_for_organisation(user=user, organisation=organisation):
        raise PermissionDenied("Your role in this organisation is read-only.")
    return organisation


def organisation_members(organisation: Organisation) -> QuerySet:
    """The organisation's active members: its possible chairs, attendees, action
    owners and senior executive."""
    return (
        get_user_model()
        .objects.filter(
            memberships__in=memberships_active().filter(organisation=organisation)
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def relationship_members(relationship: Relationship) -> QuerySet:
    """Active members of the relationship's partners: who may attend (or chair,
    or own an action of) a joint review."""
    return (
        get_user_model()
        .objects.filter(
            memberships__in=memberships_active().filter(
                organisation__partnerships__relationship=relationship
            )
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def management_reviews_visible_to(user: AnyUser) -> QuerySet[ManagementReview]:
    """An organisation's own reviews to those who read its records (its members,
    an external auditor granted them); joint reviews to its partners."""
    if not user.is_authenticated:
        return ManagementReview.objects.none()
    return ManagementReview.objects.filter(
        Q(
            is_joint=False,
            organisation__in=organisations_with_records_readable_by(user),
        )
        | (Q(is_joint=True) & _partner_in(user, "relationship"))
    )


def user_can_edit_management_review(*, user: AnyUser, review: ManagementReview) -> bool:
    if review.is_joint:
        return user_can_edit_relationship(user=user, relationship=review.relationship)
    return user_writes_for_organisation(user=user, organisation=review.organisation)


def user_can_record_joint_review(*, user: AnyUser, relationship: Relationship) -> bool:
    """A joint review is written by the relationship's writers."""
    return user_can_edit_relationship(user=user, relationship=relationship)


def management_review_get_for_user(*, user: AnyUser, pk: int) -> ManagementReview:
    """The review if the user may see it, else 404."""
    review = (
        management_reviews_visible_to(user)
        .select_related("organisation", "relationship", "chair", "recorded_by")
        .filter(pk=pk)
        .first()
    )
    if review is None:
        raise Http404("No such management review.")
    return review


def management_review_get_for_editing(*, user: AnyUser, pk: int) -> ManagementReview:
    """The review if the user may change it: 404 if unseen, 403 if read-only."""
    review = management_review_get_for_user(user=user, pk=pk)
    if not user_can_edit_management_review(user=user, review=review):
        raise PermissionDenied("Your role makes this review read-only for you.")
    return review


def management_review_action_get_for_editing(
    *, user: AnyUser, review_pk: int, pk: int
) -> ManagementReviewAction:
    review = management_review_get_for_editing(user=user, pk=review_pk)
    action = review.actions.filter(pk=pk).first()
    if action is None:
        raise Http404("No such action.")
    action.review = review
    return action


def relationship_reviews_visible_to(
    *, user: AnyUser, relationship: Relationship
) -> QuerySet[ManagementReview]:
    """A relationship's reviews the user sees: the joint ones and the user's own
    organisations' (a relationship the caller obtained through
    `relationship_get_for_user`)."""
    return management_reviews_visible_to(user).filter(relationship=relationship)


def relationship_get_for_joint_review(*, user: AnyUser, reference: str) -> Relationship:
    """The relationship if the user may record a joint review of it."""
    relationship = relationship_get_for_user(user=user, reference=reference)
    if not user_can_record_joint_review(user=user, relationship=relationship):
        raise PermissionDenied("Your role in this relationship is read-only.")
    return relationship


def records_for_review(
    model: type[PartnerPrivateRecord], *, partnership_ids: list[int], via: str = ""
) -> Q:
    """The records of a relationship a review gathers as input: joint ones, and
    those private to the reviewing organisation's own partnerships (none for a
    joint review). Never another partner's private record, not even one shared
    with the organisation: the review keeps a copy of what it gathered, and a
    copy would outlive the sharing."""
    owner = model.owner_partnership_field
    return Q(**{f"{via}visibility": Visibility.JOINT}) | Q(
        **{f"{via}{owner}_id__in": partnership_ids}
    )


def review_evidence_revisions_q(
    *,
    organisation: Organisation | None,
    relationship: Relationship | None,
    is_joint: bool,
) -> Q:
    """Which document revisions a review may cite as evidence: those of the
    reviewed relationship's documents that every reader of the review may read,
    by the rule of `records_for_review` (a joint review: joint documents only).
    A review of an organisation's whole system cites none."""
    if relationship is None:
        return Q(pk__in=[])
    partnership_ids = (
        []
        if is_joint or organisation is None
        else list(
            relationship.partnerships.filter(organisation=organisation).values_list(
                "pk", flat=True
            )
        )
    )
    return Q(document__relationship=relationship) & records_for_review(
        RelationshipDocument, partnership_ids=partnership_ids, via="document__"
    )
