"""The rating workflow: start, save drafts, submit, finalise, copy, actions."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments.choices import AssessmentKind, AssessmentStatus, RatingChange
from assessments.models import Assessment, AssessmentSchedule, PrincipleRating
from assessments.selectors.assessments import (
    assessment_period_containing,
    relationship_current_period,
)
from assessments.selectors.confirmations import assessment_fingerprint
from assessments.services.assessments import (
    RatingInput,
    assessment_ratings_save,
    assessment_start,
)
from assessments.views import assessments as assessment_views
from relationships.choices import ActionSource, ActionStatus
from relationships.models import Action
from tests.assessments.factories_assessments import (
    Q1,
    edit_post_data,
    make_assessment,
    principles_of,
    url,
)
from tests.factories import ActionFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


def _levels(assessment: Assessment) -> dict[str, int]:
    return dict(assessment.ratings.values_list("principle__key", "level"))


# --- periods -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("cadence", "day", "expected"),
    [
        ("quarterly", datetime.date(2026, 5, 17), ("2026-04-01", "2026-06-30")),
        ("monthly", datetime.date(2024, 2, 10), ("2024-02-01", "2024-02-29")),
        ("half_yearly", datetime.date(2026, 9, 1), ("2026-07-01", "2026-12-31")),
        ("yearly", datetime.date(2026, 3, 3), ("2026-01-01", "2026-12-31")),
    ],
)
def test_periods_are_calendar_periods_of_the_cadence(cadence, day, expected) -> None:
    period = assessment_period_containing(cadence=cadence, day=day)
    assert (period.start.isoformat(), period.end.isoformat()) == expected


def test_a_relationship_without_schedule_is_assessed_quarterly(world) -> None:
    period = relationship_current_period(
        relationship=world.relationship, today=datetime.date(2026, 11, 23)
    )
    assert period.label == "2026-Q4"
    AssessmentSchedule.objects.create(relationship=world.relationship, cadence="yearly")
    period = relationship_current_period(
        relationship=world.relationship, today=datetime.date(2026, 11, 23)
    )
    assert (period.start, period.end, period.label) == (
        datetime.date(2026, 1, 1),
        datetime.date(2026, 12, 31),
        "2026",
    )


# --- start ---------------------------------------------------------------------


def test_manager_starts_the_current_periods_self_assessment(login, world) -> None:
    client = login(world.alice)
    start_url = reverse(
        "assessments:assessment_start",
        kwargs={"reference": world.relationship.reference},
    )
    response = client.post(start_url, {"subject": f"self-{world.lead.pk}"})

    assessment = Assessment.objects.get(relationship=world.relationship)
    assert response.status_code == 302
    assert response["Location"] == url("assessment_edit", assessment)
    period = relationship_current_period(relationship=world.relationship)
    assert (assessment.kind, assessment.partnership) == ("self", world.lead)
    assert (assessment.period_start, assessment.period_end) == (
        period.start,
        period.end,
    )
    assert assessment.status == AssessmentStatus.DRAFT
    assert assessment.created_by == world.alice


def test_the_same_assessment_cannot_be_started_twice(login, world) -> None:
    client = login(world.bob)
    start_url = reverse(
        "assessments:assessment_start",
        kwargs={"reference": world.relationship.reference},
    )
    client.post(start_url, {"subject": "joint"})
    response = client.post(start_url, {"subject": "joint"})

    assert response.status_code == 200
    assert Assessment.objects.filter(kind=AssessmentKind.JOINT).count() == 1


def test_a_manager_cannot_start_another_partners_self_assessment(login, world) -> None:
    response = login(world.bob).post(
        reverse(
            "assessments:assessment_start",
            kwargs={"reference": world.relationship.reference},
        ),
        {"subject": f"self-{world.lead.pk}"},
    )
    assert response.status_code == 200
    assert "subject" in response.context["form"].errors
    assert not Assessment.objects.exists()


# --- save, submit, finalise -------------------------------------------------------


def test_partial_draft_saves_and_keeps_other_principles_unrated(login, world) -> None:
    assessment = make_assessment(world)
    client = login(world.alice)

    response = client.post(
        url("assessment_edit", assessment),
        {
            "revision": assessment.revision,
            "relationship_management-level": "4",
            "relationship_management-evidence": "Monthly joint reviews.",
            "relationship_management-prompt_0": "Yes, since March.",
            "exit_strategy-level": "3",
        },
    )

    assert response.status_code == 302
    rating = assessment.ratings.get(principle__key="relationship_management")
    assert (rating.level, rating.evidence) == (4, "Monthly joint reviews.")
    assert rating.prompt_answers == ["Yes, since March."]
    assert rating.change == ""
    assert _levels(assessment) == {"relationship_management": 4, "exit_strategy": 3}
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.DRAFT


def test_saving_again_updates_only_the_changed_principle(login, world) -> None:
    assessment = make_assessment(world, levels=[3] * 12)
    client = login(world.carol)
    client.post(
        url("assessment_edit", assessment),
        edit_post_data(assessment, value_creation__level="5"),
    )
    levels = _levels(assessment)
    assert levels["value_creation"] == 5
    assert sorted(levels.values()).count(3) == 11


def test_submit_lists_the_principles_still_missing_a_level(login, world) -> None:
    assessment = make_assessment(world)
    rating_principles = principles_of(assessment)
    PrincipleRating.objects.bulk_create(
        PrincipleRating(assessment=assessment, principle=principle, level=3)
        for principle in rating_principles[:10]
    )
    response = login(world.alice).post(url("assessment_submit", assessment))

    assert response.status_code == 200
    message = " ".join(str(message) for message in response.context["messages"])
    assert "2 still without a level" in message
    assert "11. Relationship measurement and optimization" in message
    assert "12. Exit strategy" in message
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.DRAFT


def test_full_workflow_from_draft_to_final_read_only(login, world) -> None:
    assessment = make_assessment(world, levels=[3] * 12)
    client = login(world.bob)

    response = client.post(url("assessment_submit", assessment))
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED
    assert assessment.submitted_at is not None

    # The joint view is final once each partner's representative confirmed it.
    fingerprint = assessment_fingerprint(assessment=assessment)
    for user, partnership in ((world.alice, world.lead), (world.bob, world.partner)):
        response = login(user).post(
            url("assessment_confirm", assessment),
            {"partnership": partnership.pk, "content_sha256": fingerprint},
        )
        assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.FINAL
    assert assessment.finalised_at is not None

    # Read-only from now on: the edit page refuses and a POST changes nothing.
    response = client.get(url("assessment_edit", assessment))
    assert response.status_code == 302
    assert response["Location"] == url("assessment_detail", assessment)
    response = client.post(
        url("assessment_edit", assessment),
        edit_post_data(assessment, value_creation__level="1"),
        follow=True,
    )
    assert "final and read-only" in response.content.decode()
    assert set(_levels(assessment).values()) == {3}

    detail = client.get(url("assessment_detail", assessment)).content.decode()
    assert "Edit ratings" not in detail
    assert "read-only" in detail


def test_a_final_assessment_refuses_every_write_in_the_service(world) -> None:
    assessment = make_assessment(world, status=AssessmentStatus.FINAL, levels=[3] * 12)
    principle = principles_of(assessment)[0]
    with pytest.raises(ValidationError, match="final"):
        assessment_ratings_save(
            assessment=assessment,
            ratings=[RatingInput(principle=principle, level=1)],
            expected_revision=assessment.revision,
            user=world.alice,
        )
    assert set(_levels(assessment).values()) == {3}


def test_finalising_needs_a_submitted_assessment(login, world) -> None:
    assessment = make_assessment(world, partnership=world.lead, levels=[3] * 12)
    response = login(world.alice).post(url("assessment_finalise", assessment))
    assert response.status_code == 409
    assert "Submit the assessment before finalising it" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.DRAFT


# --- low ratings and improvement actions ----------------------------------------


def test_low_rating_asks_for_an_action_and_one_click_creates_it(login, world) -> None:
    assessment = make_assessment(world, levels=[3] * 12)
    client = login(world.alice)

    response = client.post(
        url("assessment_edit", assessment),
        edit_post_data(assessment, exit_strategy__level="2"),
        follow=True,
    )
    page = response.content.decode()
    assert "Low ratings without an improvement action: Exit strategy" in page
    action_url = url(
        "assessment_action_create", assessment, principle_key="exit_strategy"
    )
    assert action_url in page

    response = client.post(action_url, {"return_to": "edit"})

    assert response.status_code == 302
    assert response["Location"].endswith("#principle-exit_strategy")
    rating = assessment.ratings.get(principle__key="exit_strategy")
    action = rating.improvement_action
    assert action.relationship == world.relationship
    assert action.source == ActionSource.ASSESSMENT
    assert action.principle_key == "exit_strategy"
    assert action.title == "Improve “Exit strategy” (rated 2 in 2026-Q1)"
    assert action.owner == world.alice
    assert action.history.count() == 1
    detail = client.get(url("assessment_detail", assessment)).content.decode()
    assert action.title in detail


def test_a_final_assessment_lists_low_ratings_without_offering_a_dead_button(
    login, world
) -> None:
    assessment = make_assessment(
        world, status=AssessmentStatus.FINAL, levels=[2] + [3] * 11
    )

    page = login(world.alice).get(url("assessment_detail", assessment)).content
    page = page.decode()

    assert "had no improvement action linked when this assessment was finalised" in (
        page
    )
    assert "alert-danger" not in page
    action_url = url(
        "assessment_action_create", assessment, principle_key="relationship_management"
    )
    assert action_url not in page
    assert (
        reverse(
            "relationships:relationship_actions",
            kwargs={"reference": world.relationship.reference},
        )
        in page
    )


def test_a_second_action_for_the_same_rating_is_refused(login, world) -> None:
    assessment = make_assessment(world, levels=[1] + [3] * 11)
    client = login(world.alice)
    action_url = url(
        "assessment_action_create", assessment, principle_key="relationship_management"
    )
    client.post(action_url, {"title": "Agree a joint plan"})
    client.post(action_url, {"title": "Agree a joint plan again"})
    assert list(Action.objects.values_list("title", flat=True)) == [
        "Agree a joint plan"
    ]


def test_no_action_is_raised_for_a_rating_of_three(login, world) -> None:
    assessment = make_assessment(world, levels=[3] * 12)
    login(world.alice).post(
        url("assessment_action_create", assessment, principle_key="exit_strategy")
    )
    assert not Action.objects.exists()


def test_action_for_an_unknown_principle_is_not_found(login, world) -> None:
    assessment = make_assessment(world, levels=[1] * 12)
    response = login(world.alice).post(
        url("assessment_action_create", assessment, principle_key="no_such_principle")
    )
    assert response.status_code == 404


# --- starting from the previous period ---------------------------------------------


def _previous_with_evidence(world) -> Assessment:
    previous = make_assessment(
        world,
        partnership=world.lead,
        status=AssessmentStatus.FINAL,
        levels=[2] + [3] * 10 + [4],
        period=Q1,
    )
    rating = previous.ratings.get(principle__key="relationship_management")
    rating.evidence = "Minutes of the steering group."
    rating.comment = "Patchy attendance."
    rating.prompt_answers = ["Partly", "No"]
    rating.plan_section_keys = ["relationship_management"]
    rating.improvement_action = ActionFactory(
        relationship=world.relationship, status=ActionStatus.OPEN
    )
    rating.save()
    rating.objectives.add(ObjectiveFactory(relationship=world.relationship))
    # A principle the earlier assessment never rated.
    previous.ratings.filter(principle__key="exit_strategy").delete()
    return previous


def test_starting_from_previous_copies_ratings_evidence_and_links(world) -> None:
    previous = _previous_with_evidence(world)
    period = assessment_period_containing(
        cadence="quarterly", day=datetime.date(2026, 5, 1)
    )

    assessment = assessment_start(
        relationship=world.relationship,
        kind=AssessmentKind.SELF,
        partnership=world.lead,
        period=period,
        user=world.alice,
        from_previous=True,
    )

    assert assessment.based_on == previous
    assert _levels(assessment) == _levels(previous)
    copied = assessment.ratings.get(principle__key="relationship_management")
    source = previous.ratings.get(principle__key="relationship_management")
    assert copied.evidence == "Minutes of the steering group."
    assert copied.comment == "Patchy attendance."
    assert copied.prompt_answers == ["Partly", "No"]
    assert copied.plan_section_keys == ["relationship_management"]
    assert list(copied.objectives.all()) == list(source.objectives.all())
    assert copied.improvement_action == source.improvement_action
    assert set(assessment.ratings.values_list("change", flat=True)) == {
        RatingChange.UNCHANGED
    }


def test_revisited_principles_are_marked_changed_unchanged_or_new(login, world) -> None:
    _previous_with_evidence(world)
    client = login(world.alice)
    start_url = reverse(
        "assessments:assessment_start",
        kwargs={"reference": world.relationship.reference},
    )
    client.post(start_url, {"subject": f"self-{world.lead.pk}", "from_previous": "on"})
    assessment = Assessment.objects.exclude(period_start=Q1[0]).get()

    client.post(
        url("assessment_edit", assessment),
        edit_post_data(
            assessment,
            relationship_management__level="3",
            visions_values__evidence="New charter signed.",
            exit_strategy__level="2",
        ),
    )

    changes = dict(assessment.ratings.values_list("principle__key", "change"))
    assert changes["relationship_management"] == RatingChange.CHANGED
    assert changes["visions_values"] == RatingChange.CHANGED
    assert changes["exit_strategy"] == RatingChange.NEW
    assert changes["business_objectives"] == RatingChange.UNCHANGED

    detail = client.get(url("assessment_detail", assessment)).content.decode()
    assert "Changed" in detail and "New" in detail and "Unchanged" in detail
    assert 'title="Previous level">2</span>' in detail  # 2 -> 3


def test_changing_back_to_the_previous_level_is_unchanged_again(login, world) -> None:
    _previous_with_evidence(world)
    period = assessment_period_containing(
        cadence="quarterly", day=datetime.date(2026, 5, 1)
    )
    assessment = assessment_start(
        relationship=world.relationship,
        kind=AssessmentKind.SELF,
        partnership=world.lead,
        period=period,
        user=world.alice,
        from_previous=True,
    )
    client = login(world.alice)
    client.post(
        url("assessment_edit", assessment),
        edit_post_data(assessment, value_creation__level="5"),
    )
    client.post(
        url("assessment_edit", assessment),
        edit_post_data(assessment, value_creation__level="3"),
    )
    rating = assessment.ratings.get(principle__key="value_creation")
    assert (rating.level, rating.change) == (3, RatingChange.UNCHANGED)


def test_a_closed_action_is_not_carried_into_the_next_period(world) -> None:
    previous = _previous_with_evidence(world)
    action = previous.ratings.get(
        principle__key="relationship_management"
    ).improvement_action
    action.status = ActionStatus.DONE
    action.save()
    assessment = assessment_start(
        relationship=world.relationship,
        kind=AssessmentKind.SELF,
        partnership=world.lead,
        period=assessment_period_containing(
            cadence="quarterly", day=datetime.date(2026, 5, 1)
        ),
        user=world.alice,
        from_previous=True,
    )
    copied = assessment.ratings.get(principle__key="relationship_management")
    assert copied.improvement_action is None


def test_starting_from_previous_without_one_is_a_clear_error(login, world) -> None:
    response = login(world.alice).post(
        reverse(
            "assessments:assessment_start",
            kwargs={"reference": world.relationship.reference},
        ),
        {"subject": "joint", "from_previous": "on"},
    )
    assert response.status_code == 200
    assert "no earlier joint assessment" in response.content.decode()
    assert not Assessment.objects.exists()


def test_browser_line_endings_do_not_count_as_a_change(login, world) -> None:
    previous = _previous_with_evidence(world)
    previous.ratings.filter(principle__key="value_creation").update(
        evidence="Line one.\nLine two."
    )
    assessment = assessment_start(
        relationship=world.relationship,
        kind=AssessmentKind.SELF,
        partnership=world.lead,
        period=assessment_period_containing(
            cadence="quarterly", day=datetime.date(2026, 5, 1)
        ),
        user=world.alice,
        from_previous=True,
    )
    login(world.alice).post(
        url("assessment_edit", assessment),
        edit_post_data(
            assessment,
            value_creation__evidence="Line one.\r\nLine two.",
            risk_management__level="4",
        ),
    )
    changes = dict(assessment.ratings.values_list("principle__key", "change"))
    assert changes["value_creation"] == RatingChange.UNCHANGED
    assert changes["risk_management"] == RatingChange.CHANGED


def test_an_assessment_finalised_during_a_save_refuses_it_cleanly(
    login, world, monkeypatch
) -> None:
    assessment = make_assessment(
        world, status=AssessmentStatus.SUBMITTED, levels=[3] * 12
    )
    real_save = assessment_views.assessment_ratings_save

    def finalised_meanwhile(**kwargs):
        Assessment.objects.filter(pk=assessment.pk).update(
            status=AssessmentStatus.FINAL
        )
        return real_save(**kwargs)

    monkeypatch.setattr(
        assessment_views, "assessment_ratings_save", finalised_meanwhile
    )
    response = login(world.alice).post(
        url("assessment_edit", assessment),
        edit_post_data(assessment, exit_strategy__level="1"),
    )
    assert response.status_code == 200
    assert "final and can no longer be changed" in response.content.decode()
    assert set(_levels(assessment).values()) == {3}
