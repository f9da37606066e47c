"""The demo's management review and organisation lifecycle records."""

import pytest

from assurance.models import (
    ManagementReview,
    OrganisationStageRecord,
    ReviewActionStatus,
)
from relationships.demo import demo_load

pytestmark = pytest.mark.django_db


def test_demo_holds_a_review_with_a_done_and_an_open_action_and_own_records() -> None:
    demo_load()
    review = ManagementReview.objects.get()
    assert review.organisation.slug == "northbridge" and not review.is_joint
    assert sorted(review.actions.values_list("status", flat=True)) == [
        ReviewActionStatus.DONE,
        ReviewActionStatus.OPEN,
    ]
    assert review.decisions and review.performance_input
    performance = next(
        section for section in review.inputs_snapshot if section["key"] == "performance"
    )
    assert performance["groups"], "the review gathered the demo's data"
    cited = list(review.evidence_revisions.select_related("document"))
    assert len(cited) == 2
    for revision in cited:
        document = revision.document
        assert document.relationship_id == review.relationship_id
        # Joint, or the reviewing organisation's own: what its readers may read.
        assert (
            not document.is_private
            or document.owner_partnership.organisation_id == review.organisation_id
        )
    assert (
        OrganisationStageRecord.objects.filter(organisation=review.organisation).count()
        == 3
    )

    assert demo_load().created.get("management reviews") is None
    assert ManagementReview.objects.count() == 1
