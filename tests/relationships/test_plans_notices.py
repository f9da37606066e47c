"""Sign-off e-mails: representatives are asked to sign when a version is
submitted; the submitter hears of a rejection, with the partner, the person and
the reason. Both are sent only once the change is committed."""

from smtplib import SMTPException
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from relationships.choices import MembershipRole, PlanDecisionKind, PlanVersionStatus
from relationships.models import Membership, PlanSection, PlanVersion
from relationships.services.plans import (
    PlanIncomplete,
    plan_version_decide,
    plan_version_submit,
)
from tests.relationships.factories_plans import leadership_seat, start_plan


@pytest.fixture(autouse=True)
def site_url(settings) -> None:
    settings.SITE_URL = "https://partnerplan.example.org"


def _draft(world: Any) -> PlanVersion:
    return start_plan(world, filled=True).versions.get()


def _submit(world: Any, plan_version: PlanVersion, user=None) -> PlanVersion:
    return plan_version_submit(
        plan_version=plan_version,
        relationship=world.relationship,
        user=user or world.alice,
        summary="Adds the exit plan.",
    )


def _reject(world: Any, plan_version: PlanVersion, partnership, user, reason: str):
    return plan_version_decide(
        plan_version=plan_version,
        relationship=world.relationship,
        partnership=partnership,
        user=user,
        decision=PlanDecisionKind.REJECT,
        reason=reason,
    )


def _mail_to(address: str) -> mail.EmailMessage:
    (message,) = [message for message in mail.outbox if message.to == [address]]
    return message


# --- Asked to sign --------------------------------------------------------------


def test_submitting_asks_each_partners_representatives_after_the_commit(
    world, django_capture_on_commit_callbacks
) -> None:
    leadership_seat(world.carol, world.lead)
    plan_version = _draft(world)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _submit(world, plan_version)
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()

    # alice submitted: she is on the page and is not mailed; carol signs for the
    # lead too, bob for the partner. dave (auditor) and eve (outsider) sign nothing.
    assert sorted(message.to[0] for message in mail.outbox) == [
        world.bob.email,
        world.carol.email,
    ]
    message = _mail_to(world.bob.email)
    assert message.subject == "Please sign: version 1 of the plan for Joint venture"
    assert (
        "https://partnerplan.example.org/relationships/joint-venture/plan/?version=1"
        in message.body
    )
    assert "- Partner Org\n" in message.body and "Lead Org" not in message.body
    assert f"{world.alice.get_full_name()} submitted version 1" in message.body
    assert "What it changes: Adds the exit plan." in message.body
    assert "- Lead Org\n" in _mail_to(world.carol.email).body


def test_submitting_records_who_submitted(world) -> None:
    plan_version = _submit(world, _draft(world), user=world.bob)
    plan_version.refresh_from_db()
    assert plan_version.submitted_by == world.bob


def test_someone_who_signs_for_two_partners_gets_one_mail_naming_both(
    world, django_capture_on_commit_callbacks
) -> None:
    Membership.objects.create(
        user=world.bob,
        organisation=world.lead.organisation,
        role=MembershipRole.JMT_MEMBER,
    )
    leadership_seat(world.bob, world.lead)
    with django_capture_on_commit_callbacks(execute=True):
        _submit(world, _draft(world))
    message = _mail_to(world.bob.email)
    assert "- Lead Org\n- Partner Org\n" in message.body


def test_a_former_member_is_not_asked_to_sign(
    world, django_capture_on_commit_callbacks
) -> None:
    leadership_seat(world.carol, world.lead)
    Membership.objects.filter(user=world.carol).delete()
    with django_capture_on_commit_callbacks(execute=True):
        _submit(world, _draft(world))
    assert [message.to for message in mail.outbox] == [[world.bob.email]]


def test_a_refused_submission_sends_nothing(
    world, django_capture_on_commit_callbacks
) -> None:
    plan_version = _draft(world)
    PlanSection.objects.filter(plan_version=plan_version).update(content={})
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(PlanIncomplete),
    ):
        _submit(world, plan_version)
    assert callbacks == [] and mail.outbox == []


def test_a_mail_server_failure_leaves_the_submission_in_place(
    world, django_capture_on_commit_callbacks, monkeypatch, caplog
) -> None:
    def refuse(self, fail_silently: bool = False) -> int:
        raise SMTPException("mail server down")

    monkeypatch.setattr(mail.EmailMessage, "send", refuse)
    plan_version = _draft(world)
    with django_capture_on_commit_callbacks(execute=True):
        _submit(world, plan_version)
    plan_version.refresh_from_db()
    assert plan_version.status == PlanVersionStatus.SUBMITTED
    assert "Could not send plan_signoff_request" in caplog.text


# --- Told of a rejection ---------------------------------------------------------


def test_a_rejection_mails_the_submitter_with_partner_person_and_reason(
    world, django_capture_on_commit_callbacks
) -> None:
    plan_version = _submit(world, _draft(world))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _reject(world, plan_version, world.partner, world.bob, "Exit terms unclear.")
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    (message,) = mail.outbox
    assert message.to == [world.alice.email]
    assert message.subject == (
        "Rejected for Partner Org: version 1 of the plan for Joint venture"
    )
    assert (
        f"{world.bob.get_full_name()} rejected version 1 of the joint relationship "
        'management plan of "Joint venture" for Partner Org.'
    ) in message.body
    assert "Their reason:\nExit terms unclear.\n" in message.body
    assert "https://partnerplan.example.org/relationships/joint-venture/plan/" in (
        message.body
    )


def test_a_rejection_by_the_submitter_sends_no_mail_to_themselves(
    world, django_capture_on_commit_callbacks
) -> None:
    plan_version = _submit(world, _draft(world))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _reject(world, plan_version, world.lead, world.alice, "Not ready.")
    assert mail.outbox == []


def test_a_refused_rejection_sends_nothing(
    world, django_capture_on_commit_callbacks
) -> None:
    plan_version = _submit(world, _draft(world))
    mail.outbox.clear()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError),
    ):
        _reject(world, plan_version, world.lead, world.bob, "Not mine to reject.")
    assert callbacks == [] and mail.outbox == []
