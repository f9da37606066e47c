"""The joint assessment is agreed by every partner.

It becomes final only when a representative of every partner has confirmed the
ratings exactly as they are (their SHA-256 fingerprint); a change after a
confirmation clears it; a partner can send it back with a reason.
"""

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils.html import escape

from assessments.choices import (
    AssessmentStatus,
    ConfirmationClearedBecause,
    ConfirmationDecision,
)
from assessments.models import Assessment, AssessmentConfirmation, PrincipleRating
from assessments.selectors.confirmations import (
    assessment_confirmation_state,
    assessment_fingerprint,
)
from assessments.services.assessments import (
    RatingInput,
    assessment_finalise,
    assessment_ratings_save,
    principle_rating_action_create,
)
from assessments.services.confirmations import (
    assessment_confirm,
    assessment_send_back,
)
from relationships.access import assessment_partnerships_confirmable_by
from relationships.models import JointManagementTeamMember
from relationships.services.partners import partnership_exit
from tests.assessments.factories_assessments import (
    edit_post_data,
    make_assessment,
    principles_of,
    url,
)
from tests.factories import MembershipFactory, ObjectiveFactory, UserFactory

pytestmark = pytest.mark.django_db


def _submitted(world: Any, **fields: Any) -> Assessment:
    return make_assessment(
        world, status=AssessmentStatus.SUBMITTED, levels=[3] * 12, **fields
    )


def _confirm(assessment: Assessment, user: Any, partnership: Any) -> Any:
    return assessment_confirm(
        assessment=assessment,
        partnership=partnership,
        user=user,
        seen_sha256=assessment_fingerprint(assessment=assessment),
    )


def _change_level(assessment: Assessment, user: Any, level: int = 4) -> None:
    principle = principles_of(assessment)[0]
    assessment_ratings_save(
        assessment=assessment,
        ratings=[RatingInput(principle=principle, level=level)],
        expected_revision=_revision(assessment),
        user=user,
    )


def _revision(assessment: Assessment) -> int:
    """The revision a freshly opened ratings form carries."""
    return Assessment.objects.values_list("revision", flat=True).get(pk=assessment.pk)


def _status(assessment: Assessment) -> str:
    assessment.refresh_from_db()
    return assessment.status


def _messages(response: Any) -> str:
    return " ".join(str(message) for message in response.context["messages"])


# --- the fingerprint ------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"level": 4},
        {"evidence": "Monthly reviews."},
        {"comment": "Agreed in the March meeting."},
        {"prompt_answers": ["Yes"]},
        {"plan_section_keys": ["exit_strategy"]},
    ],
    ids=lambda change: next(iter(change)),
)
def test_the_fingerprint_changes_with_every_part_of_a_rating(world, change) -> None:
    assessment = _submitted(world)
    before = assessment_fingerprint(assessment=assessment)
    PrincipleRating.objects.filter(
        assessment=assessment, principle=principles_of(assessment)[0]
    ).update(**change)
    assert assessment_fingerprint(assessment=assessment) != before


def test_the_fingerprint_changes_with_linked_records_not_their_order(world) -> None:
    assessment = _submitted(world)
    rating = assessment.ratings.first()
    before = assessment_fingerprint(assessment=assessment)
    first, second = ObjectiveFactory.create_batch(2, relationship=world.relationship)
    rating.objectives.add(second, first)
    linked = assessment_fingerprint(assessment=assessment)
    assert linked != before
    rating.objectives.clear()
    rating.objectives.add(first, second)
    assert assessment_fingerprint(assessment=assessment) == linked


# --- confirming -------------------------------------------------------------------


def test_the_assessment_is_final_only_after_every_partner_confirmed(world) -> None:
    assessment = _submitted(world)
    fingerprint = assessment_fingerprint(assessment=assessment)

    first = _confirm(assessment, world.alice, world.lead)
    assert _status(assessment) == AssessmentStatus.SUBMITTED
    assert assessment.finalised_at is None

    second = _confirm(assessment, world.bob, world.partner)
    assert _status(assessment) == AssessmentStatus.FINAL
    assert assessment.finalised_at is not None
    assert (first.decided_by, first.partnership) == (world.alice, world.lead)
    assert (second.decided_by, second.partnership) == (world.bob, world.partner)
    assert {first.content_sha256, second.content_sha256} == {fingerprint}


def test_a_leadership_member_of_the_team_confirms_for_the_partner_they_represent(
    world,
) -> None:
    leader = UserFactory(username="lena")
    MembershipFactory(user=leader, organisation=world.partner.organisation)
    JointManagementTeamMember.objects.create(
        relationship=world.relationship,
        user=leader,
        partnership=world.partner,
        is_leadership=True,
    )
    assessment = _submitted(world)
    _confirm(assessment, world.alice, world.lead)
    _confirm(assessment, leader, world.partner)
    assert _status(assessment) == AssessmentStatus.FINAL


@pytest.mark.parametrize(
    ("persona", "partner"),
    [("carol", "lead"), ("alice", "partner"), ("bob", "lead")],
)
def test_only_a_representative_of_that_partner_may_confirm(
    world, persona, partner
) -> None:
    assessment = _submitted(world)
    with pytest.raises(ValidationError, match="not a named representative") as error:
        _confirm(assessment, getattr(world, persona), getattr(world, partner))
    assert error.value.code == "not_representative"
    assert not AssessmentConfirmation.objects.exists()


def test_a_rating_change_after_a_confirmation_clears_it(world) -> None:
    assessment = _submitted(world)
    alices = _confirm(assessment, world.alice, world.lead)

    _change_level(assessment, world.bob)

    alices.refresh_from_db()
    assert alices.cleared_at is not None
    assert alices.cleared_by == world.bob
    assert alices.cleared_because == ConfirmationClearedBecause.CHANGED
    # Bob's confirmation alone does not finalise: the lead must confirm again.
    _confirm(assessment, world.bob, world.partner)
    assert _status(assessment) == AssessmentStatus.SUBMITTED
    _confirm(assessment, world.alice, world.lead)
    assert _status(assessment) == AssessmentStatus.FINAL
    assert assessment.last_edited_by == world.bob


def test_a_comment_change_clears_a_confirmation_too(world) -> None:
    assessment = _submitted(world)
    alices = _confirm(assessment, world.alice, world.lead)
    principle = principles_of(assessment)[0]
    assessment_ratings_save(
        assessment=assessment,
        ratings=[RatingInput(principle=principle, level=3, comment="On reflection…")],
        expected_revision=_revision(assessment),
        user=world.bob,
    )
    alices.refresh_from_db()
    assert alices.cleared_because == ConfirmationClearedBecause.CHANGED


def test_saving_the_same_ratings_again_keeps_the_confirmation(world) -> None:
    assessment = _submitted(world)
    alices = _confirm(assessment, world.alice, world.lead)
    _change_level(assessment, world.bob, level=3)
    alices.refresh_from_db()
    assert alices.cleared_at is None


def test_raising_an_improvement_action_keeps_the_confirmations(world) -> None:
    assessment = make_assessment(
        world, status=AssessmentStatus.SUBMITTED, levels=[1] + [3] * 11
    )
    alices = _confirm(assessment, world.alice, world.lead)
    principle_rating_action_create(
        assessment=assessment, rating=assessment.ratings.get(level=1), user=world.bob
    )
    _confirm(assessment, world.bob, world.partner)
    alices.refresh_from_db()
    assert alices.cleared_at is None
    assert _status(assessment) == AssessmentStatus.FINAL


def test_a_change_that_skips_the_service_still_voids_the_confirmation(world) -> None:
    assessment = _submitted(world)
    _confirm(assessment, world.alice, world.lead)
    # As the admin or a shell would: no clearing happens, but the fingerprint moved.
    PrincipleRating.objects.filter(assessment=assessment).update(level=2)

    _confirm(assessment, world.bob, world.partner)

    assert _status(assessment) == AssessmentStatus.SUBMITTED
    state = assessment_confirmation_state(user=world.alice, assessment=assessment)
    assert [row.state for row in state.rows] == ["outdated", "confirmed"]
    _confirm(assessment, world.alice, world.lead)
    assert _status(assessment) == AssessmentStatus.FINAL


def test_confirming_ratings_that_changed_since_the_page_was_shown_is_refused(
    world,
) -> None:
    assessment = _submitted(world)
    seen = assessment_fingerprint(assessment=assessment)
    _change_level(assessment, world.bob)
    with pytest.raises(ValidationError, match="changed since you opened") as error:
        assessment_confirm(
            assessment=assessment,
            partnership=world.lead,
            user=world.alice,
            seen_sha256=seen,
        )
    assert error.value.code == "changed"
    assert not AssessmentConfirmation.objects.exists()


def test_confirming_twice_for_the_same_partner_is_refused(world) -> None:
    assessment = _submitted(world)
    _confirm(assessment, world.alice, world.lead)
    with pytest.raises(ValidationError, match="already confirmed"):
        _confirm(assessment, world.alice, world.lead)
    assert AssessmentConfirmation.objects.count() == 1


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (AssessmentStatus.DRAFT, "not_submitted"),
        (AssessmentStatus.FINAL, "final"),
    ],
)
def test_only_a_submitted_joint_assessment_is_confirmed(world, status, code) -> None:
    assessment = make_assessment(world, status=status, levels=[3] * 12)
    with pytest.raises(ValidationError) as error:
        _confirm(assessment, world.alice, world.lead)
    assert error.value.code == code
    assert not AssessmentConfirmation.objects.exists()


def test_a_self_assessment_is_not_confirmed_but_finalised_by_its_partner(
    world,
) -> None:
    own = _submitted(world, partnership=world.lead)
    with pytest.raises(ValidationError) as error:
        _confirm(own, world.alice, world.lead)
    assert error.value.code == "not_joint"
    finalised = assessment_finalise(assessment=own, user=world.alice)
    assert finalised.status == AssessmentStatus.FINAL


def test_the_joint_assessment_cannot_be_finalised_directly(world) -> None:
    assessment = _submitted(world)
    with pytest.raises(ValidationError, match="every partner has confirmed"):
        assessment_finalise(assessment=assessment, user=world.alice)
    assert _status(assessment) == AssessmentStatus.SUBMITTED


# --- sending back -------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_sending_back_needs_a_reason(world, reason) -> None:
    assessment = _submitted(world)
    alices = _confirm(assessment, world.alice, world.lead)
    with pytest.raises(ValidationError) as error:
        assessment_send_back(
            assessment=assessment,
            partnership=world.partner,
            user=world.bob,
            reason=reason,
        )
    assert "reason" in error.value.message_dict
    assert _status(assessment) == AssessmentStatus.SUBMITTED
    alices.refresh_from_db()
    assert alices.cleared_at is None


def test_sending_back_returns_it_to_draft_voids_confirmations_and_emails(
    world, django_capture_on_commit_callbacks
) -> None:
    world.alice.email = "alice@lead.example"
    world.alice.save()
    world.carol.email = "carol@lead.example"
    world.carol.save()
    world.bob.email = "bob@partner.example"
    world.bob.save()
    assessment = _submitted(world, created_by=world.alice)
    _change_level(assessment, world.carol, level=4)
    alices = _confirm(assessment, world.alice, world.lead)

    with django_capture_on_commit_callbacks(execute=True):
        send_back = assessment_send_back(
            assessment=assessment,
            partnership=world.partner,
            user=world.bob,
            reason="  Level 4 for governance is not what we saw.  ",
        )

    assert _status(assessment) == AssessmentStatus.DRAFT
    assert send_back.decision == ConfirmationDecision.SEND_BACK
    assert send_back.reason == "Level 4 for governance is not what we saw."
    alices.refresh_from_db()
    assert alices.cleared_because == ConfirmationClearedBecause.SENT_BACK
    assert alices.cleared_by == world.bob
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["alice@lead.example", "carol@lead.example"]
    assert "not what we saw" in mail.outbox[0].body
    assert "Sent back" in mail.outbox[0].subject


def test_after_a_send_back_every_partner_confirms_the_next_submission(world) -> None:
    assessment = _submitted(world)
    _confirm(assessment, world.alice, world.lead)
    assessment_send_back(
        assessment=assessment, partnership=world.partner, user=world.bob, reason="No."
    )
    Assessment.objects.filter(pk=assessment.pk).update(
        status=AssessmentStatus.SUBMITTED
    )
    _confirm(assessment, world.bob, world.partner)
    assert _status(assessment) == AssessmentStatus.SUBMITTED
    _confirm(assessment, world.alice, world.lead)
    assert _status(assessment) == AssessmentStatus.FINAL


def test_only_a_representative_may_send_back(world) -> None:
    assessment = _submitted(world)
    with pytest.raises(ValidationError, match="not a named representative"):
        assessment_send_back(
            assessment=assessment,
            partnership=world.lead,
            user=world.carol,
            reason="Hijacked",
        )
    assert _status(assessment) == AssessmentStatus.SUBMITTED
    assert not AssessmentConfirmation.objects.exists()


# --- pages --------------------------------------------------------------------------


def _confirm_post(assessment: Assessment, partnership: Any, **extra: Any) -> dict:
    return {
        "partnership": partnership.pk,
        "content_sha256": assessment_fingerprint(assessment=assessment),
        **extra,
    }


def test_the_detail_page_offers_each_representative_their_partners_button(
    login, world
) -> None:
    assessment = _submitted(world)
    page = login(world.alice).get(url("assessment_detail", assessment))
    html = page.content.decode()
    assert "Confirm for Lead Org" in html
    assert "Confirm for Partner Org" not in html
    assert "Send back…" in html
    assert assessment_fingerprint(assessment=assessment) in html

    html = login(world.carol).get(url("assessment_detail", assessment)).content.decode()
    assert "Confirm for" not in html
    assert "Send back…" not in html
    assert "Only a partner's relationship manager" in html


def test_a_representative_confirms_from_the_page_and_sees_the_state(
    login, world
) -> None:
    assessment = _submitted(world)
    client = login(world.alice)
    response = client.post(
        url("assessment_confirm", assessment),
        _confirm_post(assessment, world.lead),
        follow=True,
    )
    html = response.content.decode()
    assert "Confirmed for Lead Org. The joint assessment becomes final once" in html
    assert "1 of 2 partners confirmed" in html
    assert "Confirm for Lead Org" not in html

    client = login(world.bob)
    response = client.post(
        url("assessment_edit", assessment),
        edit_post_data(assessment, value_creation__level="5"),
        follow=True,
    )
    assert "Your change cleared the confirmation of Lead Org" in _messages(response)
    html = client.get(url("assessment_detail", assessment)).content.decode()
    assert "Cleared" in html
    assert f"The ratings were changed by {escape(world.bob.get_full_name())}" in html
    assert "0 of 2 partners confirmed" in html

    response = client.post(
        url("assessment_confirm", assessment),
        _confirm_post(assessment, world.partner),
        follow=True,
    )
    assert "Confirmed for Partner Org" in _messages(response)
    response = login(world.alice).post(
        url("assessment_confirm", assessment),
        _confirm_post(assessment, world.lead),
        follow=True,
    )
    assert "Every partner has now confirmed" in _messages(response)
    assert _status(assessment) == AssessmentStatus.FINAL


@pytest.mark.parametrize(
    ("persona", "partner"), [("carol", "lead"), ("alice", "partner")]
)
def test_confirming_for_a_partner_one_does_not_represent_is_forbidden(
    login, world, persona, partner
) -> None:
    assessment = _submitted(world)
    response = login(getattr(world, persona)).post(
        url("assessment_confirm", assessment),
        _confirm_post(assessment, getattr(world, partner)),
    )
    assert response.status_code == 403
    assert "not a named representative" in response.content.decode()
    assert not AssessmentConfirmation.objects.exists()


def test_a_page_shown_before_a_change_cannot_confirm_it(login, world) -> None:
    assessment = _submitted(world)
    seen = _confirm_post(assessment, world.lead)
    _change_level(assessment, world.bob)

    response = login(world.alice).post(url("assessment_confirm", assessment), seen)

    assert response.status_code == 409
    assert "changed since you opened the page" in _messages(response)
    # The page now offers the current ratings to confirm.
    assert assessment_fingerprint(assessment=assessment) in response.content.decode()
    assert not AssessmentConfirmation.objects.exists()


def test_confirming_twice_from_the_page_is_a_conflict(login, world) -> None:
    assessment = _submitted(world)
    client = login(world.alice)
    data = _confirm_post(assessment, world.lead)
    assert client.post(url("assessment_confirm", assessment), data).status_code == 302
    response = client.post(url("assessment_confirm", assessment), data)
    assert response.status_code == 409
    assert "already confirmed" in _messages(response)
    assert AssessmentConfirmation.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [{}, {"partnership": "x"}, {"content_sha256": "not-a-digest"}],
    ids=["empty", "bad-partner", "bad-fingerprint"],
)
def test_a_malformed_confirmation_is_a_bad_request(login, world, data) -> None:
    assessment = _submitted(world)
    posted = {**_confirm_post(assessment, world.lead), **data} if data else {}
    response = login(world.alice).post(url("assessment_confirm", assessment), posted)
    assert response.status_code == 400
    assert "Nothing was confirmed" in _messages(response)
    assert not AssessmentConfirmation.objects.exists()


def test_confirming_a_draft_from_the_page_is_a_conflict(login, world) -> None:
    assessment = make_assessment(world, levels=[3] * 12)
    response = login(world.alice).post(
        url("assessment_confirm", assessment), _confirm_post(assessment, world.lead)
    )
    assert response.status_code == 409
    assert "submit it before" in _messages(response)


def test_a_self_assessment_has_no_confirmation_pages(login, world) -> None:
    own = _submitted(world, partnership=world.lead)
    client = login(world.alice)
    assert client.get(url("assessment_confirm", own)).status_code == 404
    assert client.get(url("assessment_send_back", own)).status_code == 404
    assert "Partners' confirmation" not in (
        client.get(url("assessment_detail", own)).content.decode()
    )


def test_sending_back_without_a_reason_is_a_bad_request(login, world) -> None:
    assessment = _submitted(world)
    response = login(world.bob).post(
        url("assessment_send_back", assessment),
        {"partnership": world.partner.pk, "reason": "  "},
    )
    assert response.status_code == 400
    assert "Say what needs to change" in response.content.decode()
    assert _status(assessment) == AssessmentStatus.SUBMITTED
    assert not AssessmentConfirmation.objects.exists()


def test_sending_back_for_a_partner_one_does_not_represent_is_forbidden(
    login, world
) -> None:
    assessment = _submitted(world)
    response = login(world.carol).post(
        url("assessment_send_back", assessment),
        {"partnership": world.lead.pk, "reason": "Hijacked"},
    )
    assert response.status_code == 403
    assert _status(assessment) == AssessmentStatus.SUBMITTED


def test_a_sent_back_assessment_shows_the_reason(login, world) -> None:
    assessment = _submitted(world)
    client = login(world.bob)
    response = client.post(
        url("assessment_send_back", assessment),
        {"partnership": world.partner.pk, "reason": "Exit strategy is too rosy."},
        follow=True,
    )
    assert "Sent back for Partner Org" in _messages(response)
    html = login(world.alice).get(url("assessment_detail", assessment)).content.decode()
    assert "Exit strategy is too rosy." in html
    assert (
        f"Sent back</strong> by {escape(world.bob.get_full_name())} for Partner Org"
        in html
    )
    assert _status(assessment) == AssessmentStatus.DRAFT
    response = login(world.bob).post(
        url("assessment_send_back", assessment),
        {"partnership": world.partner.pk, "reason": "Again"},
    )
    assert response.status_code == 409


def test_an_exited_partner_is_not_needed_to_make_a_joint_assessment_final(
    world: Any,
) -> None:
    partnership_exit(partnership=world.partner, reason="Left.", user=world.alice)
    assessment = _submitted(world)
    _confirm(assessment, world.alice, world.lead)
    assert _status(assessment) == AssessmentStatus.FINAL
    # And its people no longer confirm for it.
    assert not assessment_partnerships_confirmable_by(
        user=world.bob, assessment=assessment
    ).exists()
