"""Overdue corrective actions: flagged on the pages, e-mailed to the owner once
per due date by the daily task that setup_schedules registers."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from assurance.models import CorrectiveActionNotice
from assurance.models.findings import CorrectiveActionStatus
from assurance.services.findings import (
    OVERDUE_SCHEDULE_NAME,
    corrective_actions_notify_overdue,
)
from assurance.tasks import corrective_actions_overdue_task
from config.celery import app as celery_app
from tests.assurance.factories_assurance import make_action, make_finding

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def overdue(world):
    finding = make_finding(relationship=world.relationship, title="No minutes")
    return make_action(finding, owner=world.carol, due_date=TODAY - 2 * DAY)


def test_an_overdue_action_is_flagged_in_the_register_and_on_its_finding(
    login, world, overdue
) -> None:
    client = login(world.bob)
    register = client.get(
        reverse(
            "assurance:relationship_findings",
            kwargs={"reference": world.relationship.reference},
        )
    )
    assert "1 overdue" in register.content.decode()
    detail = client.get(
        reverse(
            "assurance:relationship_finding_detail",
            kwargs={
                "reference": world.relationship.reference,
                "pk": overdue.finding_id,
            },
        )
    )
    assert (
        '<span class="badge text-bg-danger">overdue</span>' in detail.content.decode()
    )


def test_the_owner_is_emailed_once_per_due_date(world, overdue) -> None:
    make_action(overdue.finding, owner=world.alice, due_date=TODAY + DAY)  # not due
    make_action(
        overdue.finding,
        owner=world.bob,
        due_date=TODAY - 5 * DAY,
        status=CorrectiveActionStatus.COMPLETED,
    )  # done, awaiting verification: nothing to chase

    assert corrective_actions_notify_overdue(today=TODAY) == 1
    assert corrective_actions_notify_overdue(today=TODAY) == 0
    assert corrective_actions_notify_overdue(today=TODAY + DAY) == 0

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.carol.email]
    assert "No minutes" in message.subject
    assert f"/findings/{overdue.finding_id}/" in message.body
    notice = CorrectiveActionNotice.objects.get()
    assert (notice.corrective_action, notice.due_date) == (overdue, overdue.due_date)


def test_a_new_due_date_missed_again_is_emailed_again(world, overdue) -> None:
    corrective_actions_notify_overdue(today=TODAY)
    overdue.due_date = TODAY - DAY
    overdue.save()
    assert corrective_actions_notify_overdue(today=TODAY) == 1
    assert len(mail.outbox) == 2


def test_a_mail_server_error_leaves_the_reminder_for_the_next_run(
    world, overdue, monkeypatch
) -> None:
    def refuse(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    assert corrective_actions_notify_overdue(today=TODAY) == 0
    assert not CorrectiveActionNotice.objects.exists()
    monkeypatch.undo()
    assert corrective_actions_notify_overdue(today=TODAY) == 1


def test_the_daily_task_sends_the_reminders(world, overdue) -> None:
    result = corrective_actions_overdue_task.apply().get()
    assert result == "1 overdue corrective action reminders sent"
    assert len(mail.outbox) == 1


def test_setup_schedules_registers_the_overdue_task_once() -> None:
    call_command("setup_schedules", stdout=StringIO())
    call_command("setup_schedules", "--hour", "5", stdout=StringIO())
    task = PeriodicTask.objects.get(name=OVERDUE_SCHEDULE_NAME)
    assert task.task == "assurance.corrective_actions_overdue"
    assert PeriodicTask.objects.filter(task=task.task).count() == 1
    assert task.crontab.hour == "5" and task.enabled
    assert task.task in celery_app.tasks
