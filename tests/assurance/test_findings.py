"""The rules of findings and corrective actions, at the service level."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assurance.models import CorrectiveAction, Finding
from assurance.models.findings import (
    CorrectiveActionStatus,
    FindingKind,
    FindingStatus,
    VerificationResult,
)
from assurance.selectors.findings import FindingScope, findings_summary
from assurance.services import findings as services
from relationships.concurrency import StaleEdit
from tests.assurance.factories_assurance import make_action, make_finding
from tests.relationships.factories_lifecycle import RelationshipDocumentFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def _close(finding: Finding, user) -> Finding:
    return services.finding_close(
        finding=finding, expected_revision=finding.revision, closed_by=user
    )


def _raise(world, **values) -> Finding:
    return services.finding_raise(
        scope=FindingScope(relationship=world.relationship),
        values={
            "kind": FindingKind.OBSERVATION,
            "title": "Risk register not reviewed",
            "description": "No review since March.",
            **values,
        },
        raised_by=world.alice,
    )


# --- closing ---------------------------------------------------------------------


def test_close_is_refused_while_an_action_is_not_verified_and_nothing_is_saved(
    world,
) -> None:
    finding = make_finding(relationship=world.relationship)
    make_action(finding, owner=world.carol, status=CorrectiveActionStatus.VERIFIED)
    make_action(finding, owner=world.bob, status=CorrectiveActionStatus.COMPLETED)
    history_before = finding.history.count()
    revision_before = finding.revision

    with pytest.raises(ValidationError) as refusal:
        _close(finding, world.alice)

    assert "1 of its corrective actions is not yet verified effective" in str(
        refusal.value
    )
    stored = Finding.objects.get(pk=finding.pk)
    assert stored.status == FindingStatus.OPEN
    assert stored.closed_at is None and stored.closed_by is None
    assert stored.revision == revision_before  # the claim was rolled back
    assert finding.history.count() == history_before


def test_a_nonconformity_without_any_action_does_not_close(world) -> None:
    finding = make_finding(
        relationship=world.relationship, kind=FindingKind.MAJOR_NONCONFORMITY
    )
    with pytest.raises(ValidationError, match="needs at least one corrective action"):
        _close(finding, world.alice)
    assert Finding.objects.get(pk=finding.pk).is_open


@pytest.mark.parametrize(
    "kind",
    [FindingKind.OBSERVATION, FindingKind.IMPROVEMENT, FindingKind.GOOD_PRACTICE],
)
def test_findings_other_than_nonconformities_close_without_actions(world, kind) -> None:
    finding = make_finding(relationship=world.relationship, kind=kind)
    _close(finding, world.alice)
    stored = Finding.objects.get(pk=finding.pk)
    assert stored.status == FindingStatus.CLOSED
    assert stored.closed_by == world.alice and stored.closed_at is not None


def test_an_observation_with_an_unverified_action_does_not_close(world) -> None:
    finding = make_finding(
        relationship=world.relationship, kind=FindingKind.OBSERVATION
    )
    make_action(finding, owner=world.carol)
    with pytest.raises(ValidationError, match="not yet verified effective"):
        _close(finding, world.alice)


def test_a_nonconformity_closes_once_every_action_is_verified_effective(
    world,
) -> None:
    finding = make_finding(relationship=world.relationship)
    make_action(finding, owner=world.carol, status=CorrectiveActionStatus.VERIFIED)
    _close(finding, world.bob)
    stored = Finding.objects.get(pk=finding.pk)
    assert stored.status == FindingStatus.CLOSED
    assert stored.closed_by == world.bob


def test_closing_from_a_stale_page_is_refused(world) -> None:
    finding = make_finding(
        relationship=world.relationship, kind=FindingKind.OBSERVATION
    )
    with pytest.raises(StaleEdit):
        services.finding_close(
            finding=finding, expected_revision=finding.revision - 1, closed_by=world.bob
        )
    assert Finding.objects.get(pk=finding.pk).is_open


def test_a_closed_finding_takes_no_new_action_and_is_not_edited(world) -> None:
    finding = make_finding(
        relationship=world.relationship, kind=FindingKind.OBSERVATION
    )
    finding = _close(finding, world.alice)
    with pytest.raises(ValidationError, match="closed"):
        services.corrective_action_add(
            finding=finding,
            values={
                "root_cause": "x",
                "action": "y",
                "owner": world.carol,
                "due_date": TODAY,
            },
            created_by=world.alice,
        )
    with pytest.raises(ValidationError, match="closed"):
        services.finding_update(
            finding=finding,
            changes={"title": "Changed"},
            expected_revision=finding.revision,
            updated_by=world.alice,
        )
    assert not CorrectiveAction.objects.exists()
    assert Finding.objects.get(pk=finding.pk).title == "Minutes not kept"


# --- where a finding belongs ---------------------------------------------------------


def test_the_database_refuses_a_finding_of_both_or_neither(world) -> None:
    for relationship, organisation in (
        (world.relationship, world.lead.organisation),
        (None, None),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            make_finding(relationship=relationship, organisation=organisation)
    assert not Finding.objects.exists()


def test_the_service_refuses_a_scope_of_both_with_a_message(world) -> None:
    scope = FindingScope(
        relationship=world.relationship, organisation=world.lead.organisation
    )
    with pytest.raises(ValidationError, match="either a relationship or an"):
        services.finding_raise(
            scope=scope,
            values={"kind": "observation", "title": "T", "description": "D"},
            raised_by=world.alice,
        )
    assert not Finding.objects.exists()


def test_an_evidence_document_of_another_relationship_is_refused(world) -> None:
    document = RelationshipDocumentFactory(relationship=world.outsider_relationship)
    with pytest.raises(ValidationError) as refusal:
        _raise(world, evidence_revision=document.revisions.get())
    assert "evidence_revision" in refusal.value.error_dict
    assert not Finding.objects.exists()


def test_a_finding_raised_in_the_future_is_refused(world) -> None:
    with pytest.raises(ValidationError) as refusal:
        _raise(world, raised_on=TODAY + DAY)
    assert "raised_on" in refusal.value.error_dict


def test_a_raised_finding_records_who_and_when(world) -> None:
    document = RelationshipDocumentFactory(relationship=world.relationship)
    finding = _raise(world, evidence_revision=document.revisions.get(), clause="8.8")
    assert finding.raised_by == world.alice
    assert finding.raised_on == TODAY
    assert finding.get_clause_display() == "8.8 Staying together"


# --- corrective actions ------------------------------------------------------------


def _add(finding, owner, by) -> CorrectiveAction:
    return services.corrective_action_add(
        finding=finding,
        values={
            "root_cause": "No owner",
            "action": "Name one",
            "owner": owner,
            "due_date": TODAY + 10 * DAY,
        },
        created_by=by,
    )


def _complete(action, by, on=TODAY) -> CorrectiveAction:
    return services.corrective_action_complete(
        corrective_action=action,
        completed_on=on,
        note="Done",
        expected_revision=action.revision,
        completed_by=by,
    )


def _verify(action, by, result=VerificationResult.EFFECTIVE, **values):
    return services.corrective_action_verify(
        corrective_action=action,
        result=result,
        verified_on=values.pop("verified_on", TODAY),
        notes=values.pop("notes", ""),
        new_due_date=values.pop("new_due_date", None),
        expected_revision=action.revision,
        verified_by=by,
    )


def test_an_auditor_or_an_outsider_cannot_own_an_action(world) -> None:
    finding = make_finding(relationship=world.relationship)
    for owner in (world.dave, world.eve):
        with pytest.raises(ValidationError) as refusal:
            _add(finding, owner, world.alice)
        assert "owner" in refusal.value.error_dict
    assert not CorrectiveAction.objects.exists()


def test_an_action_is_verified_only_after_completion(world) -> None:
    finding = make_finding(relationship=world.relationship)
    action = _add(finding, world.carol, world.alice)
    with pytest.raises(ValidationError, match="Only a completed action"):
        _verify(action, world.bob)
    stored = CorrectiveAction.objects.get(pk=action.pk)
    assert stored.status == CorrectiveActionStatus.OPEN
    assert stored.verified_by is None


def test_the_owner_may_not_verify_their_own_action(world) -> None:
    finding = make_finding(relationship=world.relationship)
    action = _complete(_add(finding, world.carol, world.alice), world.carol)
    with pytest.raises(ValidationError, match="You own this action"):
        _verify(action, world.carol)
    assert CorrectiveAction.objects.get(pk=action.pk).verified_by is None


def test_the_auditor_may_not_verify(world) -> None:
    finding = make_finding(relationship=world.relationship)
    action = _complete(_add(finding, world.carol, world.alice), world.carol)
    with pytest.raises(ValidationError, match="read-only"):
        _verify(action, world.dave)


def test_a_check_dated_before_completion_is_refused(world) -> None:
    finding = make_finding(relationship=world.relationship)
    action = _complete(_add(finding, world.carol, world.alice), world.carol)
    with pytest.raises(ValidationError) as refusal:
        _verify(action, world.bob, verified_on=TODAY - DAY)
    assert "verified_on" in refusal.value.error_dict


def test_completion_in_the_future_is_refused(world) -> None:
    finding = make_finding(relationship=world.relationship)
    action = _add(finding, world.carol, world.alice)
    with pytest.raises(ValidationError) as refusal:
        _complete(action, world.carol, on=TODAY + DAY)
    assert "completed_on" in refusal.value.error_dict
    assert CorrectiveAction.objects.get(pk=action.pk).completed_on is None


def test_an_effective_check_verifies_the_action_and_lets_the_finding_close(
    world,
) -> None:
    finding = make_finding(relationship=world.relationship)
    action = _complete(_add(finding, world.carol, world.alice), world.carol)
    action = _verify(action, world.bob, notes="Minutes kept since.")
    assert action.status == CorrectiveActionStatus.VERIFIED
    assert (action.verified_by, action.verified_on) == (world.bob, TODAY)
    _close(Finding.objects.get(pk=finding.pk), world.bob)
    assert Finding.objects.get(pk=finding.pk).status == FindingStatus.CLOSED


def test_a_not_effective_check_needs_a_reason_and_a_new_due_date(world) -> None:
    finding = make_finding(relationship=world.relationship)
    action = _complete(_add(finding, world.carol, world.alice), world.carol)
    with pytest.raises(ValidationError) as refusal:
        _verify(action, world.bob, result=VerificationResult.NOT_EFFECTIVE)
    assert set(refusal.value.error_dict) == {"notes", "new_due_date"}


def test_a_not_effective_check_opens_the_action_again(world) -> None:
    finding = make_finding(relationship=world.relationship)
    action = _complete(_add(finding, world.carol, world.alice), world.carol)
    action = _verify(
        action,
        world.bob,
        result=VerificationResult.NOT_EFFECTIVE,
        notes="Two meetings still without minutes.",
        new_due_date=TODAY + 20 * DAY,
    )
    assert action.status == CorrectiveActionStatus.OPEN
    assert action.completed_on is None
    assert action.due_date == TODAY + 20 * DAY
    assert action.verification_result == VerificationResult.NOT_EFFECTIVE
    with pytest.raises(ValidationError, match="not yet verified effective"):
        _close(Finding.objects.get(pk=finding.pk), world.alice)


def test_a_done_action_is_not_edited(world) -> None:
    finding = make_finding(relationship=world.relationship)
    action = make_action(
        finding, owner=world.carol, status=CorrectiveActionStatus.COMPLETED
    )
    with pytest.raises(ValidationError, match="Only an open action"):
        services.corrective_action_update(
            corrective_action=action,
            changes={"action": "Something else"},
            expected_revision=action.revision,
            updated_by=world.alice,
        )


def test_the_summary_counts_findings_and_actions(world) -> None:
    finding = make_finding(relationship=world.relationship)
    make_action(finding, owner=world.carol, due_date=TODAY - DAY)
    make_action(finding, owner=world.carol, status=CorrectiveActionStatus.COMPLETED)
    closed = make_finding(
        relationship=world.relationship,
        kind=FindingKind.GOOD_PRACTICE,
        status=FindingStatus.CLOSED,
        closed_at=timezone.now(),
    )
    make_action(closed, owner=world.bob, status=CorrectiveActionStatus.VERIFIED)

    summary = findings_summary(Finding.objects.filter(relationship=world.relationship))

    assert summary.open_by_kind[FindingKind.MINOR_NONCONFORMITY] == 1
    assert summary.closed_by_kind[FindingKind.GOOD_PRACTICE] == 1
    assert (summary.open_total, summary.closed_total) == (1, 1)
    assert summary.actions_open == 1 and summary.actions_overdue == 1
    assert summary.actions_awaiting_verification == 1
    assert summary.actions_verified_effective == 1
