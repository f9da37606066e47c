"""The daily schedule: periods per cadence, opening, reminders, report queueing."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from assessments import tasks as assessment_tasks
from assessments.choices import AssessmentKind, AssessmentStatus, Cadence, NoticeKind
from assessments.models import Assessment, AssessmentSchedule, Notice, Report
from assessments.services.schedules import (
    DAILY_SCHEDULE_NAME,
    RESEND_SCHEDULE_NAME,
    SUMMARIES_SCHEDULE_NAME,
    assessment_notices_send,
    assessments_open_due,
    latest_ended_period,
    reports_queue_finished,
    schedules_run,
)
from assessments.tasks import daily_run_lock, schedules_daily_task
from config.celery import app as celery_app
from relationships.choices import PlanVersionStatus, RelationshipStatus
from tests.assessments.factories_reports import (
    JOINT_LEVELS,
    Q1,
    Q4_2025,
    assessment_with_ratings,
    finished_period,
)
from tests.factories import PlanVersionFactory

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


# --- periods ---


@pytest.mark.parametrize(
    ("cadence", "today", "start", "end"),
    [
        (Cadence.MONTHLY, D(2026, 5, 15), D(2026, 4, 1), D(2026, 4, 30)),
        (Cadence.MONTHLY, D(2026, 1, 1), D(2025, 12, 1), D(2025, 12, 31)),
        (Cadence.MONTHLY, D(2024, 3, 1), D(2024, 2, 1), D(2024, 2, 29)),
        (Cadence.QUARTERLY, D(2026, 5, 15), D(2026, 1, 1), D(2026, 3, 31)),
        (Cadence.QUARTERLY, D(2026, 4, 1), D(2026, 1, 1), D(2026, 3, 31)),
        (Cadence.QUARTERLY, D(2026, 3, 31), D(2025, 10, 1), D(2025, 12, 31)),
        (Cadence.HALF_YEARLY, D(2026, 5, 15), D(2025, 7, 1), D(2025, 12, 31)),
        (Cadence.HALF_YEARLY, D(2026, 7, 1), D(2026, 1, 1), D(2026, 6, 30)),
        (Cadence.YEARLY, D(2026, 5, 15), D(2025, 1, 1), D(2025, 12, 31)),
        (Cadence.YEARLY, D(2026, 12, 31), D(2025, 1, 1), D(2025, 12, 31)),
    ],
)
def test_latest_ended_period_per_cadence(cadence, today, start, end) -> None:
    period = latest_ended_period(cadence=cadence, today=today)

    assert (period.start, period.end) == (start, end)


# --- opening due assessments ---


def test_due_period_opens_a_joint_and_one_self_draft_per_partner_once(world) -> None:
    opened = assessments_open_due(relationship=world.relationship, today=D(2026, 4, 2))
    again = assessments_open_due(relationship=world.relationship, today=D(2026, 4, 9))

    assert again == []
    assert len(opened) == 3
    drafts = Assessment.objects.filter(relationship=world.relationship)
    assert {(a.kind, a.partnership_id) for a in drafts} == {
        (AssessmentKind.JOINT, None),
        (AssessmentKind.SELF, world.lead.pk),
        (AssessmentKind.SELF, world.partner.pk),
    }
    assert {(a.period_start, a.period_end, a.status) for a in drafts} == {
        (*Q1, AssessmentStatus.DRAFT)
    }


def test_opened_drafts_start_from_the_previous_period(world) -> None:
    previous = assessment_with_ratings(
        relationship=world.relationship, period=Q4_2025, levels=JOINT_LEVELS
    )

    opened = assessments_open_due(relationship=world.relationship, today=D(2026, 4, 2))

    joint = next(a for a in opened if a.kind == AssessmentKind.JOINT)
    assert joint.based_on == previous
    assert sorted(joint.ratings.values_list("level", flat=True)) == sorted(JOINT_LEVELS)
    self_views = [a for a in opened if a.kind == AssessmentKind.SELF]
    assert all(a.based_on is None and not a.ratings.exists() for a in self_views)


def test_period_with_any_assessment_is_left_to_its_owners(world) -> None:
    assessment_with_ratings(
        relationship=world.relationship,
        period=Q1,
        levels=JOINT_LEVELS,
        partnership=world.lead,
        status=AssessmentStatus.DRAFT,
    )

    assert (
        assessments_open_due(relationship=world.relationship, today=D(2026, 4, 2)) == []
    )
    assert Assessment.objects.count() == 1


def test_cadence_comes_from_the_schedule(world) -> None:
    AssessmentSchedule.objects.create(
        relationship=world.relationship, cadence=Cadence.MONTHLY
    )

    opened = assessments_open_due(relationship=world.relationship, today=D(2026, 4, 2))

    assert {(a.period_start, a.period_end) for a in opened} == {
        (D(2026, 3, 1), D(2026, 3, 31))
    }


def test_nothing_opens_before_the_relationship_started(world) -> None:
    world.relationship.start_date = D(2026, 4, 1)
    world.relationship.save()

    assert (
        assessments_open_due(relationship=world.relationship, today=D(2026, 4, 2)) == []
    )


def test_inactive_schedules_and_closed_relationships_are_skipped(world) -> None:
    AssessmentSchedule.objects.create(relationship=world.relationship, active=False)
    world.outsider_relationship.status = RelationshipStatus.CLOSED
    world.outsider_relationship.save()

    summary = schedules_run(today=D(2026, 4, 2))

    assert summary.assessments_opened == 0
    assert not Assessment.objects.exists()


# --- reminders ---


def _drafts_for_q1(world) -> None:
    assessments_open_due(relationship=world.relationship, today=D(2026, 4, 1))


def test_managers_are_reminded_once_when_due_and_once_when_overdue(world) -> None:
    _drafts_for_q1(world)

    due = assessment_notices_send(relationship=world.relationship, today=D(2026, 4, 2))
    due_again = assessment_notices_send(
        relationship=world.relationship, today=D(2026, 4, 20)
    )
    overdue = assessment_notices_send(
        relationship=world.relationship, today=D(2026, 5, 1)
    )
    overdue_again = assessment_notices_send(
        relationship=world.relationship, today=D(2026, 5, 2)
    )

    assert (due, due_again, overdue, overdue_again) == (1, 0, 1, 0)
    assert len(mail.outbox) == 2
    due_mail, overdue_mail = mail.outbox
    assert sorted(due_mail.to) == ["alice@example.com", "bob@example.com"]
    assert due_mail.subject == "Due: 2026-Q1 assessment of Joint venture"
    assert "30 Apr 2026" in due_mail.body  # grace of 30 days after 31 March
    assert "Lead Org's self-assessment" in due_mail.body
    assert "the joint assessment" in due_mail.body
    assert "http://127.0.0.1:8000/relationships/joint-venture/assessments/" in (
        due_mail.body
    )
    assert overdue_mail.subject == "Overdue: 2026-Q1 assessment of Joint venture"
    assert set(Notice.objects.values_list("kind", flat=True)) == {
        NoticeKind.ASSESSMENT_DUE,
        NoticeKind.ASSESSMENT_OVERDUE,
    }


def test_grace_days_come_from_the_schedule(world) -> None:
    AssessmentSchedule.objects.create(relationship=world.relationship, grace_days=5)
    _drafts_for_q1(world)

    assessment_notices_send(relationship=world.relationship, today=D(2026, 4, 7))

    assert mail.outbox[0].subject.startswith("Overdue:")


def test_no_reminder_once_everything_is_submitted(world) -> None:
    _drafts_for_q1(world)
    Assessment.objects.update(status=AssessmentStatus.SUBMITTED)

    assert (
        assessment_notices_send(relationship=world.relationship, today=D(2026, 4, 2))
        == 0
    )
    assert mail.outbox == []


def test_no_reminder_while_the_period_runs(world) -> None:
    assessment_with_ratings(
        relationship=world.relationship,
        period=(D(2026, 4, 1), D(2026, 6, 30)),
        levels=JOINT_LEVELS,
        status=AssessmentStatus.DRAFT,
    )

    assert (
        assessment_notices_send(relationship=world.relationship, today=D(2026, 5, 2))
        == 0
    )


# --- reports of finished periods ---


def test_finished_periods_get_one_report_each_from_the_schedule(
    world, django_capture_on_commit_callbacks
) -> None:
    finished_period(world).delete()  # Q4 2025 and Q1 2026 are final

    with django_capture_on_commit_callbacks() as callbacks:
        first = reports_queue_finished(relationship=world.relationship)
        second = reports_queue_finished(relationship=world.relationship)

    assert (first, second) == (2, 0)
    reports = Report.objects.order_by("period_start")
    assert [(r.period_start, r.status) for r in reports] == [
        (Q4_2025[0], "queued"),
        (Q1[0], "queued"),
    ]
    assert {r.requested_by_schedule for r in reports} == {DAILY_SCHEDULE_NAME}
    assert all(r.requested_by is None for r in reports)
    assert len(callbacks) >= 2


def test_a_new_approved_plan_version_makes_no_new_report(world) -> None:
    # Each report shows its period as it stood then: a version approved later
    # belongs to later periods' reports, not to a new issue of these.
    finished_period(world).delete()
    reports_queue_finished(relationship=world.relationship)
    PlanVersionFactory(
        plan=world.relationship.plan,
        number=2,
        status=PlanVersionStatus.APPROVED,
        approved_at=timezone.now(),
    )

    assert reports_queue_finished(relationship=world.relationship) == 0
    assert Report.objects.count() == 2
    # Q4 2025 ended before version 1 was approved; Q1 2026 has version 1.
    assert set(Report.objects.values_list("plan_version__number", flat=True)) == {
        None,
        1,
    }


def test_daily_run_does_everything_and_repeats_as_a_no_op(
    world, django_capture_on_commit_callbacks
) -> None:
    finished_period(world).delete()
    AssessmentSchedule.objects.create(
        relationship=world.relationship, cadence=Cadence.MONTHLY
    )

    with django_capture_on_commit_callbacks():
        first = schedules_run(today=D(2026, 5, 3))
        second = schedules_run(today=D(2026, 5, 3))

    # April (monthly) opened for the world relationship; the outsider's
    # quarterly Q1 too (it has one partner: joint + one self).
    assert first.assessments_opened == 3 + 2
    assert first.notices_sent == 2
    assert first.reports_queued == 2
    assert (second.assessments_opened, second.notices_sent, second.reports_queued) == (
        0,
        0,
        0,
    )


# --- the beat task and its lock ---


class FakeRedis:
    def __init__(self) -> None:
        self.keys: dict[str, str] = {}

    def set(self, key: str, value: str, nx: bool, ex: int) -> bool:
        if nx and key in self.keys:
            return False
        self.keys[key] = value
        return True

    def delete(self, key: str) -> None:
        self.keys.pop(key, None)


def test_second_run_of_the_day_is_a_no_op(world, monkeypatch) -> None:
    fake = FakeRedis()
    monkeypatch.setattr(assessment_tasks, "_redis_client", lambda: fake)
    runs: list[datetime.date] = []
    monkeypatch.setattr(
        assessment_tasks, "schedules_run", lambda today: runs.append(today) or "ran"
    )

    first = schedules_daily_task.apply().get()
    second = schedules_daily_task.apply().get()

    assert first == "ran; 3 portfolio summaries refreshed"
    assert "already run" in second
    assert len(runs) == 1


def test_failed_run_releases_the_day_for_a_retry(monkeypatch) -> None:
    fake = FakeRedis()
    monkeypatch.setattr(assessment_tasks, "_redis_client", lambda: fake)
    day = D(2026, 4, 2)
    with pytest.raises(RuntimeError), daily_run_lock(day) as first_run:
        assert first_run
        raise RuntimeError("database gone")

    with daily_run_lock(day) as retried:
        assert retried
    with daily_run_lock(day) as third:
        assert not third


def test_setup_schedules_registers_the_daily_task_once() -> None:
    output = StringIO()
    call_command("setup_schedules", stdout=output)
    call_command("setup_schedules", "--hour", "5", stdout=output)

    periodic_task = PeriodicTask.objects.get(name=DAILY_SCHEDULE_NAME)
    assert PeriodicTask.objects.filter(task="assessments.schedules_daily").count() == 1
    assert periodic_task.crontab.hour == "5"
    assert periodic_task.enabled
    assert "assessments.schedules_daily" in celery_app.tasks
    assert "Registered" in output.getvalue() and "Updated" in output.getvalue()


def test_setup_schedules_registers_the_summaries_just_after_midnight() -> None:
    call_command("setup_schedules", stdout=StringIO())
    call_command("setup_schedules", stdout=StringIO())

    summaries = PeriodicTask.objects.get(name=SUMMARIES_SCHEDULE_NAME)
    assert summaries.task == "assessments.summaries_refresh_stale"
    assert PeriodicTask.objects.filter(task=summaries.task).count() == 1
    assert (summaries.crontab.hour, summaries.crontab.minute) == ("0", "5")
    assert summaries.interval is None and summaries.enabled
    assert summaries.task in celery_app.tasks


def test_setup_schedules_registers_the_resend_every_few_minutes() -> None:
    call_command("setup_schedules", stdout=StringIO())
    call_command("setup_schedules", stdout=StringIO())

    resend = PeriodicTask.objects.get(name=RESEND_SCHEDULE_NAME)
    assert resend.task == "assessments.reports_resend_stuck"
    assert PeriodicTask.objects.filter(task=resend.task).count() == 1
    assert (resend.interval.every, resend.interval.period) == (5, "minutes")
    assert resend.crontab is None and resend.enabled
    assert resend.expire_seconds == 300
    assert resend.task in celery_app.tasks


def test_run_schedules_command_runs_the_day(world) -> None:
    output = StringIO()

    call_command("run_schedules", "--date", "2026-04-02", stdout=output)

    assert "assessments opened" in output.getvalue()
    assert Assessment.objects.filter(period_start=Q1[0]).count() == 3 + 2
