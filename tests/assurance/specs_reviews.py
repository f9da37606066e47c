"""The permission matrix of management reviews and organisations' own lifecycle
records.

A joint review follows the relationship's rule (eve 404, dave reads and gets
403 on writes). The lead organisation's own records are its members' (alice,
carol) alone: the partner's people (bob, dave) get 404 as eve does. The partner
organisation's own records show its auditor (dave) reading and refused writes,
and the lead's people 404.
"""

from typing import Any

from tests.assurance.factories_reviews import (
    joint_review,
    own_review,
    review_action,
)
from tests.permissions import ViewSpec

LEAD_ONLY = {"bob": 404, "dave": 404}
# erin, the lead's external auditor, reads the relationship (and so its joint
# reviews) through her grant, never the partner organisation's own records.
PARTNER_ONLY = {"alice": 404, "carol": 404, "erin": 404}


def _lead(world: Any) -> dict[str, Any]:
    return {"slug": world.lead.organisation.slug}


def _partner(world: Any) -> dict[str, Any]:
    return {"slug": world.partner.organisation.slug}


def _joint(world: Any) -> dict[str, Any]:
    return {"pk": joint_review(world).pk}


def _own(world: Any) -> dict[str, Any]:
    return {"pk": own_review(world).pk}


def _partner_own(world: Any) -> dict[str, Any]:
    return {"pk": own_review(world, partner=True).pk}


def _joint_action(world: Any) -> dict[str, Any]:
    review = joint_review(world)
    return {"review_pk": review.pk, "pk": review_action(review).pk}


def _own_action(world: Any) -> dict[str, Any]:
    review = own_review(world)
    return {"review_pk": review.pk, "pk": review_action(review).pk}


def _review_post(world: Any) -> dict[str, Any]:
    return {"held_on": "2026-06-01", "decisions": "Hijacked"}


def _action_post(world: Any) -> dict[str, Any]:
    return {"description": "Hijacked", "status": "open", "revision": 1}


def _record_post(world: Any) -> dict[str, Any]:
    return {"status": "in_place", "notes": "Hijacked", "revision": 0}


REVIEWS_VIEWS = [
    ViewSpec("assurance:organisation_reviews", kwargs=_lead, statuses=LEAD_ONLY),
    ViewSpec("assurance:organisation_reviews", kwargs=_partner, statuses=PARTNER_ONLY),
    ViewSpec(
        "assurance:review_create",
        kwargs=_lead,
        writes=True,
        statuses=LEAD_ONLY,
        post_data=_review_post,
    ),
    ViewSpec(
        "assurance:review_create",
        kwargs=_partner,
        writes=True,
        statuses=PARTNER_ONLY,
        post_data=_review_post,
    ),
    ViewSpec(
        "assurance:relationship_reviews",
        kwargs=lambda world: {"reference": world.relationship.reference},
    ),
    ViewSpec("assurance:review_detail", kwargs=_joint),
    ViewSpec("assurance:review_detail", kwargs=_own, statuses=LEAD_ONLY),
    ViewSpec("assurance:review_detail", kwargs=_partner_own, statuses=PARTNER_ONLY),
    ViewSpec(
        "assurance:review_edit", kwargs=_joint, writes=True, post_data=_review_post
    ),
    ViewSpec(
        "assurance:review_edit",
        kwargs=_own,
        writes=True,
        statuses=LEAD_ONLY,
        post_data=_review_post,
    ),
    ViewSpec(
        "assurance:review_edit",
        kwargs=_partner_own,
        writes=True,
        statuses=PARTNER_ONLY,
        post_data=_review_post,
    ),
    ViewSpec(
        "assurance:review_action_create",
        kwargs=_joint,
        writes=True,
        post_data=_action_post,
    ),
    ViewSpec(
        "assurance:review_action_create",
        kwargs=_own,
        writes=True,
        statuses=LEAD_ONLY,
        post_data=_action_post,
    ),
    ViewSpec(
        "assurance:review_action_edit",
        kwargs=_joint_action,
        writes=True,
        post_data=_action_post,
    ),
    ViewSpec(
        "assurance:review_action_edit",
        kwargs=_own_action,
        writes=True,
        statuses=LEAD_ONLY,
        post_data=_action_post,
    ),
    ViewSpec("assurance:organisation_records", kwargs=_lead, statuses=LEAD_ONLY),
    ViewSpec("assurance:organisation_records", kwargs=_partner, statuses=PARTNER_ONLY),
    ViewSpec(
        "assurance:organisation_record_edit",
        kwargs=lambda world: {**_lead(world), "stage": "operational_awareness"},
        writes=True,
        statuses=LEAD_ONLY,
        post_data=_record_post,
    ),
    ViewSpec(
        "assurance:organisation_record_edit",
        kwargs=lambda world: {**_partner(world), "stage": "internal_assessment"},
        writes=True,
        statuses=PARTNER_ONLY,
        post_data=_record_post,
    ),
]

# URLs of one review: an organisation's own review is private to that
# organisation, not to a partner in a relationship, so the three-partner matrix
# of partner-private records does not apply; the matrix above covers them
# (tests/assurance/test_reviews_access.py adds the second supplier).
REVIEWS_NOT_PARTNER_PRIVATE = {
    "assurance:review_detail",
    "assurance:review_edit",
    "assurance:review_action_create",
    "assurance:review_action_edit",
}
