"""An organisation's own lifecycle records: one per stage of its own, private
to its members, written by its writers, guarded against lost edits."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assurance.models import OrganisationStageRecord
from assurance.services.organisation_records import organisation_stage_record_save
from principles.models import LifecycleStage
from relationships.concurrency import StaleEdit
from tests.assurance.factories_reviews import stage_record

pytestmark = pytest.mark.django_db


def _edit_url(slug: str, stage: str) -> str:
    return reverse(
        "assurance:organisation_record_edit", kwargs={"slug": slug, "stage": stage}
    )


def test_the_organisations_own_stages_are_the_strategic_ones(
    login: Any, world: Any
) -> None:
    content = (
        login(world.alice)
        .get(reverse("assurance:organisation_records", kwargs={"slug": "lead-org"}))
        .content.decode()
    )
    for name in ("Operational awareness", "Knowledge", "Internal assessment"):
        assert name in content
    assert "Partner selection" not in content
    assert content.count("Nothing is recorded for this stage yet.") == 3


def test_a_relationships_stage_has_no_organisation_record(
    login: Any, world: Any
) -> None:
    assert (
        login(world.alice).get(_edit_url("lead-org", "partner_selection")).status_code
        == 404
    )
    with pytest.raises(ValidationError):
        organisation_stage_record_save(
            organisation=world.lead.organisation,
            stage=LifecycleStage.objects.get(key="working_together"),
            values={"status": "in_place"},
            expected_revision=0,
            user=world.alice,
        )
    assert not OrganisationStageRecord.objects.exists()


def test_recording_the_policy_and_senior_executive(login: Any, world: Any) -> None:
    client = login(world.carol)
    form = client.get(_edit_url("lead-org", "operational_awareness")).content.decode()
    assert 'name="policy_statement"' in form
    assert 'name="readiness_assessment"' not in form
    response = client.post(
        _edit_url("lead-org", "operational_awareness"),
        {
            "status": "in_place",
            "recorded_on": "2026-03-01",
            "policy_statement": "We collaborate openly.",
            "senior_executive": world.alice.pk,
            "evidence": "Board minutes",
            "revision": 0,
        },
        follow=True,
    )
    content = response.content.decode()
    assert "Operational awareness: record saved." in content
    assert "We collaborate openly." in content
    record = OrganisationStageRecord.objects.get()
    assert record.senior_executive == world.alice
    assert record.history.get().history_user == world.carol


def test_senior_executive_must_be_a_member(login: Any, world: Any) -> None:
    response = login(world.alice).post(
        _edit_url("lead-org", "operational_awareness"),
        {"status": "in_place", "senior_executive": world.bob.pk, "revision": 0},
    )
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not OrganisationStageRecord.objects.exists()
    with pytest.raises(ValidationError):
        organisation_stage_record_save(
            organisation=world.lead.organisation,
            stage=LifecycleStage.objects.get(key="operational_awareness"),
            values={"senior_executive": world.bob},
            expected_revision=0,
            user=world.alice,
        )
    assert not OrganisationStageRecord.objects.exists()


def test_a_field_of_another_stage_is_not_recorded(world: Any) -> None:
    with pytest.raises(ValueError):
        organisation_stage_record_save(
            organisation=world.lead.organisation,
            stage=LifecycleStage.objects.get(key="knowledge"),
            values={"policy_statement": "Not here"},
            expected_revision=0,
            user=world.alice,
        )


def test_two_first_saves_of_one_stage_do_not_both_win(login: Any, world: Any) -> None:
    stage_record(world.lead.organisation, "internal_assessment", notes="Theirs")
    response = login(world.alice).post(
        _edit_url("lead-org", "internal_assessment"),
        {"status": "in_progress", "notes": "Mine", "revision": 0},
    )
    assert response.status_code == 409
    assert "Mine" in response.content.decode()
    assert OrganisationStageRecord.objects.get().notes == "Theirs"
    with pytest.raises(StaleEdit):
        organisation_stage_record_save(
            organisation=world.lead.organisation,
            stage=LifecycleStage.objects.get(key="internal_assessment"),
            values={"notes": "Again"},
            expected_revision=5,
            user=world.alice,
        )


def test_records_are_private_to_the_organisation(login: Any, world: Any) -> None:
    stage_record(world.lead.organisation, "knowledge", notes="Our secret register")
    listing = reverse("assurance:organisation_records", kwargs={"slug": "lead-org"})
    assert "Our secret register" in login(world.carol).get(listing).content.decode()
    for persona in ("bob", "dave", "eve"):
        assert login(getattr(world, persona)).get(listing).status_code == 404


def test_auditors_read_their_organisations_records_and_write_none(
    login: Any, world: Any
) -> None:
    stage_record(world.partner.organisation, "knowledge", notes="Partner notes")
    client = login(world.dave)
    listing = reverse("assurance:organisation_records", kwargs={"slug": "partner-org"})
    content = client.get(listing).content.decode()
    assert "Partner notes" in content and "Read-only access" in content
    response = client.post(
        _edit_url("partner-org", "knowledge"),
        {"status": "in_place", "notes": "Changed", "revision": 1},
    )
    assert response.status_code == 403
    assert OrganisationStageRecord.objects.get().notes == "Partner notes"


def test_over_long_text_is_refused(login: Any, world: Any) -> None:
    response = login(world.alice).post(
        _edit_url("lead-org", "knowledge"),
        {"status": "in_place", "notes": "x" * 10001, "revision": 0},
    )
    assert response.status_code == 200
    assert "Nothing was saved" in response.content.decode()
    assert not OrganisationStageRecord.objects.exists()
