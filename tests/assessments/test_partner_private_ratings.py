"""A partner's private self-assessment stays private in every read of ratings
across assessments: the relationship page's rating table and the perception
gaps of the assessment pages (visible_records, as the dashboards apply it)."""

import pytest

from assessments.choices import AssessmentKind, AssessmentStatus
from assessments.selectors.ratings import (
    assessment_perception_gaps,
    relationship_latest_rating_table,
    relationship_perception_gaps_by_period,
)
from relationships.choices import Visibility
from tests.assessments.factories_assessments import make_assessment
from tests.factories import AssessmentFactory, rate_all_principles

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_self_assessment(world, frank):
    """In a programme of three partners: a final joint assessment, the lead's
    shared self-assessment, and the supplier's own one, private to it and shared
    with the lead, two levels apart from the lead's on every principle."""
    joint = make_assessment(world, status=AssessmentStatus.FINAL, levels=[3] * 12)
    make_assessment(
        world, partnership=world.lead, status=AssessmentStatus.FINAL, levels=[5] * 12
    )
    private = AssessmentFactory(
        relationship=world.relationship,
        kind=AssessmentKind.SELF,
        partnership=world.partner,
        status=AssessmentStatus.SUBMITTED,
        visibility=Visibility.PARTNER,
        period_start=joint.period_start,
        period_end=joint.period_end,
    )
    private.shared_with.add(world.lead)
    rate_all_principles(private, [3] * 12)
    return private


def test_the_rating_table_leaves_out_a_self_assessment_private_from_the_viewer(
    login, world, frank, private_self_assessment
) -> None:
    page = f"/relationships/{world.relationship.reference}/"
    assert "Partner Org (self)" in login(world.alice).get(page).text
    assert "Partner Org (self)" not in login(frank).get(page).text
    table = relationship_latest_rating_table(
        relationship=world.relationship, viewer=frank
    )
    assert table.columns == ["Joint", "Lead Org (self)"]


def test_perception_gaps_leave_out_a_self_assessment_private_from_the_viewer(
    world, frank, private_self_assessment
) -> None:
    assert relationship_perception_gaps_by_period(
        relationship=world.relationship, viewer=world.alice
    )
    assert assessment_perception_gaps(
        assessment=private_self_assessment, viewer=world.bob
    )
    assert (
        relationship_perception_gaps_by_period(
            relationship=world.relationship, viewer=frank
        )
        == {}
    )
    assert (
        assessment_perception_gaps(assessment=private_self_assessment, viewer=frank)
        == []
    )
