"""Management reviews: whose they are, what they gather and keep, and how their
outputs are followed up."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from assurance.models import ManagementReview, ManagementReviewAction
from assurance.models.reviews import ReviewActionStatus
from assurance.selectors.reviews import (
    INPUT_SECTIONS,
    ReviewScope,
    management_review_inputs,
    sections_from_snapshot,
)
from assurance.services import reviews as services
from relationships.choices import ObjectiveStatus, Visibility
from relationships.concurrency import StaleEdit
from tests.assurance.factories_reviews import own_review, review_action
from tests.factories import (
    AssessmentFactory,
    ObjectiveFactory,
    RiskFactory,
    rate_all_principles,
)

pytestmark = pytest.mark.django_db

HELD = datetime.date(2026, 6, 1)


def _record(world: Any, **overrides: Any) -> ManagementReview:
    arguments = {
        "organisation": world.lead.organisation,
        "relationship": world.relationship,
        "is_joint": False,
        "user": world.alice,
        "values": {"held_on": HELD, "chair": world.alice, "decisions": "Carry on."},
    }
    arguments.update(overrides)
    return services.management_review_record(**arguments)


def _texts(review: ManagementReview, key: str) -> list[str]:
    """Every line a review's snapshot holds in one section."""
    section = next(
        section
        for section in sections_from_snapshot(review.inputs_snapshot)
        if section.key == key
    )
    return [
        " ".join(part for part in (item.text, item.detail, item.flag) if part)
        for group in section.groups
        for item in group.items
    ]


# --- whose review ----------------------------------------------------------------


def test_review_of_a_relationship_needs_its_organisation_to_be_a_partner(
    world: Any,
) -> None:
    with pytest.raises(ValidationError) as refused:
        _record(world, organisation=world.outsider_organisation)
    assert "not a partner" in str(refused.value)
    assert not ManagementReview.objects.exists()


def test_review_needs_an_organisation_or_a_relationship(world: Any) -> None:
    with pytest.raises(ValidationError):
        _record(world, organisation=None, relationship=None)
    assert not ManagementReview.objects.exists()


def test_only_a_review_of_a_relationship_is_held_jointly(world: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        _record(world, relationship=None, is_joint=True)
    assert "held jointly" in str(refused.value)
    assert not ManagementReview.objects.exists()


def test_the_database_refuses_a_review_of_nothing(world: Any) -> None:
    review = ManagementReview(held_on=HELD)
    with pytest.raises(ValidationError):
        review.full_clean()


def test_joint_review_belongs_to_the_relationship_not_to_one_organisation(
    world: Any,
) -> None:
    review = _record(world, is_joint=True)
    assert review.organisation is None
    assert review.is_joint and review.relationship == world.relationship


def test_organisation_review_of_its_whole_system(world: Any) -> None:
    review = _record(world, relationship=None)
    assert review.relationship is None
    assert review.organisation == world.lead.organisation


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"held_on": None}, "held_on"),
        ({"held_on": datetime.date(2999, 1, 1)}, "held_on"),
    ],
)
def test_bad_dates_are_refused_and_nothing_is_saved(
    world: Any, values: dict, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        _record(world, values=values)
    assert field in refused.value.error_dict
    assert not ManagementReview.objects.exists()


def test_chair_and_attendees_of_an_own_review_are_its_members(world: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        _record(world, values={"held_on": HELD, "chair": world.bob})
    assert "chair" in refused.value.error_dict
    with pytest.raises(ValidationError) as refused:
        _record(world, values={"held_on": HELD, "attendees": [world.carol, world.eve]})
    assert "attendees" in refused.value.error_dict
    assert not ManagementReview.objects.exists()


def test_joint_review_takes_any_partners_people(world: Any) -> None:
    review = _record(
        world,
        is_joint=True,
        values={"held_on": HELD, "chair": world.bob, "attendees": [world.alice]},
    )
    assert review.chair == world.bob
    assert list(review.attendees.all()) == [world.alice]


# --- what it gathers, and keeps ------------------------------------------------------


def test_inputs_name_every_section_and_say_when_none_is_held(world: Any) -> None:
    sections = management_review_inputs(
        ReviewScope(
            organisation=world.lead.organisation,
            relationship=world.relationship,
            is_joint=False,
            held_on=HELD,
        )
    )
    assert [section.key for section in sections] == [
        builder.key for builder in INPUT_SECTIONS
    ]
    assert {"nonconformities", "audit_results"} <= {s.key for s in sections}
    assert all(section.is_empty for section in sections)


def test_snapshot_stays_as_gathered_when_the_data_changes(world: Any) -> None:
    objective = ObjectiveFactory(
        relationship=world.relationship,
        title="Place students",
        status=ObjectiveStatus.ON_TRACK,
    )
    assessment = AssessmentFactory(relationship=world.relationship)
    rate_all_principles(assessment, [3] * 11 + [1])
    review = _record(world)
    before = list(review.inputs_snapshot)
    assert any(
        "Place students On track" in line for line in _texts(review, "performance")
    )
    assert any("level 1 low" in line for line in _texts(review, "performance"))

    objective.title = "Renamed"
    objective.status = ObjectiveStatus.OFF_TRACK
    objective.save()
    RiskFactory(relationship=world.relationship, title="A new risk")
    assessment.ratings.update(level=5)

    review.refresh_from_db()
    assert review.inputs_snapshot == before
    assert not any("Renamed" in line for line in _texts(review, "performance"))
    assert not any("A new risk" in line for line in _texts(review, "performance"))


def test_own_review_gathers_the_organisations_private_records_not_a_partners(
    world: Any,
) -> None:
    RiskFactory(relationship=world.relationship, title="Joint risk")
    RiskFactory(
        relationship=world.relationship,
        title="Lead's own risk",
        owner_partnership=world.lead,
        visibility=Visibility.PARTNER,
    )
    partners_risk = RiskFactory(
        relationship=world.relationship,
        title="Partner's own risk",
        owner_partnership=world.partner,
        visibility=Visibility.PARTNER,
    )
    # Even shared with the lead, another partner's private record is not copied.
    partners_risk.shared_with.add(world.lead)

    own = _texts(_record(world), "performance")
    assert any("Joint risk" in line for line in own)
    assert any("Lead's own risk" in line for line in own)
    assert not any("Partner's own risk" in line for line in own)

    joint = _texts(_record(world, is_joint=True), "performance")
    assert any("Joint risk" in line for line in joint)
    assert not any("own risk" in line for line in joint)


# --- outputs followed up -------------------------------------------------------------


def test_previous_reviews_actions_are_an_input_to_the_next(world: Any) -> None:
    first = own_review(world, held_on=datetime.date(2025, 6, 1))
    review_action(first, description="Still open from long ago")
    previous = own_review(world, held_on=datetime.date(2026, 1, 10))
    review_action(previous, description="Agree a calendar", status="done")
    review_action(
        previous,
        description="Draft licence terms",
        owner=world.carol,
        due_date=datetime.date(2026, 2, 1),
    )
    # Another organisation's review and a joint one are other series.
    review_action(own_review(world, partner=True), description="Partner's action")

    review = _record(world)
    lines = _texts(review, "previous_actions")
    assert any(line.startswith("Agree a calendar Done") for line in lines)
    assert any(
        "Draft licence terms Open" in line and "overdue" in line for line in lines
    )
    assert any("Still open from long ago" in line for line in lines)
    assert not any("Partner's action" in line for line in lines)


def test_output_actions_are_tracked_to_done(world: Any) -> None:
    review = _record(world)
    action = services.management_review_action_add(
        review=review,
        values={"description": "Agree a calendar", "owner": world.carol},
        user=world.alice,
    )
    assert action.status == ReviewActionStatus.OPEN and action.completed_on is None
    services.management_review_action_update(
        action=action,
        values={"status": ReviewActionStatus.DONE, "status_note": "Agreed."},
        expected_revision=action.revision,
        user=world.carol,
    )
    action.refresh_from_db()
    assert action.status == ReviewActionStatus.DONE
    assert action.completed_on is not None
    assert action.history.first().history_user == world.carol
    with pytest.raises(StaleEdit):
        services.management_review_action_update(
            action=action,
            values={"status": ReviewActionStatus.OPEN},
            expected_revision=action.revision - 1,
            user=world.alice,
        )


def test_output_action_owner_must_be_one_of_the_reviewing_people(world: Any) -> None:
    review = _record(world)
    with pytest.raises(ValidationError) as refused:
        services.management_review_action_add(
            review=review,
            values={"description": "Do it", "owner": world.bob},
            user=world.alice,
        )
    assert "owner" in refused.value.error_dict
    assert not ManagementReviewAction.objects.exists()


def test_every_write_is_in_the_history_with_its_author(world: Any) -> None:
    review = _record(world)
    assert review.history.get().history_user == world.alice
    services.management_review_update(
        review=review,
        values={"decisions": "Stop."},
        expected_revision=review.revision,
        user=world.carol,
    )
    latest = review.history.first()
    assert (latest.history_user, latest.decisions) == (world.carol, "Stop.")
    action = services.management_review_action_add(
        review=review, values={"description": "Do it"}, user=world.carol
    )
    assert action.history.get().history_user == world.carol


def test_a_stale_review_edit_is_refused(world: Any) -> None:
    review = _record(world)
    services.management_review_update(
        review=review,
        values={"decisions": "First."},
        expected_revision=1,
        user=world.carol,
    )
    with pytest.raises(StaleEdit):
        services.management_review_update(
            review=ManagementReview.objects.get(pk=review.pk),
            values={"decisions": "Second."},
            expected_revision=1,
            user=world.alice,
        )
    review.refresh_from_db()
    assert review.decisions == "First."


def test_inputs_gather_findings_actions_and_audit_results(world: Any) -> None:
    from tests.assurance.factories_assurance import (
        make_action,
        make_finding,
        make_internal_audit,
    )

    organisation = world.lead.organisation
    audit = make_internal_audit(
        organisation,
        lead_auditor=world.alice,
        title="Spring internal audit",
        performed_on=HELD - datetime.timedelta(days=10),
    )
    own = make_finding(
        organisation=organisation, title="No policy review", internal_audit=audit
    )
    make_action(own, owner=world.alice, due_date=HELD - datetime.timedelta(days=1))
    make_finding(relationship=world.relationship, title="Minutes not kept")
    make_finding(organisation=world.partner.organisation, title="Another's finding")

    sections = {
        section.key: section
        for section in management_review_inputs(
            ReviewScope(
                organisation=organisation,
                relationship=world.relationship,
                is_joint=False,
                held_on=HELD,
            ),
            today=HELD,
        )
    }
    findings = [
        (group.heading, item.text, item.flag)
        for group in sections["nonconformities"].groups
        for item in group.items
    ]
    assert (
        "Own management system: open findings",
        "Minor nonconformity: No policy review",
        "overdue",
    ) in findings
    assert any(text.endswith("Minutes not kept") for _, text, _ in findings)
    assert not any("Another's finding" in text for _, text, _ in findings)
    audits = [
        item for group in sections["audit_results"].groups for item in group.items
    ]
    assert [item.text for item in audits] == [
        f"Spring internal audit, {HELD - datetime.timedelta(days=10):%-d %b %Y}"
    ]
    assert audits[0].detail == "1 finding raised, of them 1 nonconformity; 1 still open"

    joint = management_review_inputs(
        ReviewScope(
            organisation=organisation,
            relationship=world.relationship,
            is_joint=True,
            held_on=HELD,
        ),
        today=HELD,
    )
    joint_texts = [
        item.text
        for section in joint
        for group in section.groups
        for item in group.items
    ]
    assert any(text.endswith("Minutes not kept") for text in joint_texts)
    assert not any("No policy review" in text for text in joint_texts)
    assert not any("Spring internal audit" in text for text in joint_texts)
