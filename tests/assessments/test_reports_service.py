"""Report services: requests, the worker's claim, attempts, retries, e-mails."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.utils import timezone

from assessments.choices import AssessmentStatus, NoticeKind, ReportStatus
from assessments.models import Assessment, Notice, PrincipleRating, Report
from assessments.selectors.reports import ReportPeriod, report_data
from assessments.services import reports as report_services
from assessments.services.reports import (
    FAILED_ON_ERROR,
    FAILED_UNAVAILABLE,
    MAX_ATTEMPTS,
    STALE_AFTER,
    RenderOutcome,
    report_notify,
    report_render,
    report_request,
    report_retry,
    report_subscription_toggle,
)
from assessments.tasks import report_render_task
from relationships.choices import PlanVersionStatus
from relationships.models import Membership
from tests.assessments.factories_reports import (
    IN_Q1,
    Q1,
    Q4_2025,
    backdate,
    finished_period,
)
from tests.factories import PlanVersionFactory

pytestmark = pytest.mark.django_db

PERIOD = ReportPeriod(start=Q1[0], end=Q1[1])


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def unrequested(world):
    """A finished Q1 with no report row yet."""
    report = finished_period(world)
    report.delete()
    return world


def _break_pdf(monkeypatch, error: Exception) -> list[int]:
    calls: list[int] = []

    def failing_pdf(**kwargs):
        calls.append(1)
        raise error

    monkeypatch.setattr(report_services, "pdf_from_html", failing_pdf)
    return calls


# --- requesting ---


def test_requesting_twice_makes_one_queued_report(
    unrequested, django_capture_on_commit_callbacks
) -> None:
    world = unrequested
    with django_capture_on_commit_callbacks() as callbacks:
        first, first_created = report_request(
            relationship=world.relationship, period=PERIOD, user=world.alice
        )
        second, second_created = report_request(
            relationship=world.relationship, period=PERIOD, user=world.bob
        )

    assert (first_created, second_created) == (True, False)
    assert first.pk == second.pk
    assert Report.objects.count() == 1
    assert first.status == ReportStatus.QUEUED
    assert first.requested_by == world.alice
    assert first.plan_version.number == 1
    # Queueing a still-queued report twice is harmless: the claim decides.
    assert len(callbacks) == 2


def test_a_version_approved_after_the_period_does_not_change_its_report(
    unrequested,
) -> None:
    # A report shows its period as it stood at its end: the plan version then
    # in force. A later approval makes no new report (re-issue it for that).
    world = unrequested
    first, _ = report_request(relationship=world.relationship, period=PERIOD)
    PlanVersionFactory(
        plan=world.relationship.plan,
        number=2,
        status=PlanVersionStatus.APPROVED,
        approved_at=timezone.now(),
    )

    again, created = report_request(relationship=world.relationship, period=PERIOD)

    assert (again.pk, created) == (first.pk, False)
    assert again.plan_version.number == 1
    assert Report.objects.count() == 1


def test_the_report_names_the_last_version_approved_by_the_period_end(
    unrequested,
) -> None:
    world = unrequested
    # A draft is never in force; version 2 approved within the period is, even
    # though version 3 (approved later) has superseded it since.
    PlanVersionFactory(
        plan=world.relationship.plan, number=4, status=PlanVersionStatus.DRAFT
    )
    PlanVersionFactory(
        plan=world.relationship.plan,
        number=2,
        status=PlanVersionStatus.SUPERSEDED,
        approved_at=datetime.datetime(2026, 3, 31, 9, 0, tzinfo=datetime.UTC),
    )
    PlanVersionFactory(
        plan=world.relationship.plan,
        number=3,
        status=PlanVersionStatus.APPROVED,
        approved_at=timezone.now(),
    )

    report, created = report_request(relationship=world.relationship, period=PERIOD)

    assert created
    assert report.plan_version.number == 2
    assert report.number == "joint-venture-2026-Q1-1"


def test_request_is_refused_until_the_joint_assessment_is_final(unrequested) -> None:
    world = unrequested
    Assessment.objects.filter(partnership=None, period_start=Q1[0]).update(
        status=AssessmentStatus.SUBMITTED
    )

    with pytest.raises(ValidationError, match="joint assessment to be final"):
        report_request(relationship=world.relationship, period=PERIOD)
    assert not Report.objects.exists()


def test_request_commit_renders_the_report_in_eager_mode(
    unrequested, django_capture_on_commit_callbacks
) -> None:
    world = unrequested
    with django_capture_on_commit_callbacks(execute=True):
        report, _ = report_request(
            relationship=world.relationship, period=PERIOD, user=world.alice
        )

    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    assert report.attempts == 1
    assert report.file.name.endswith(".pdf")


# --- the worker's claim ------------------------------------------------------------


def test_redelivery_after_done_does_not_render_again(world, monkeypatch) -> None:
    report = finished_period(world)
    assert report_render(report_id=report.pk) == RenderOutcome.DONE
    report.refresh_from_db()
    done = (report.file.name, report.sha256, report.generated_at, report.attempts)
    calls = _break_pdf(monkeypatch, AssertionError("rendered twice"))

    assert report_render(report_id=report.pk) == RenderOutcome.SKIPPED
    assert report_render_task.apply(args=[report.pk]).get() == "skipped"

    report.refresh_from_db()
    assert (report.file.name, report.sha256, report.generated_at, report.attempts) == (
        done
    )
    assert calls == []
    assert Report.objects.count() == 1


def test_a_fresh_claim_of_another_worker_is_left_alone(world, monkeypatch) -> None:
    report = finished_period(world)
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.RUNNING, started_at=timezone.now(), attempts=1
    )
    calls = _break_pdf(monkeypatch, AssertionError("rendered while busy"))

    assert report_render(report_id=report.pk) == RenderOutcome.BUSY

    report.refresh_from_db()
    assert (report.status, report.attempts, calls) == (ReportStatus.RUNNING, 1, [])


def test_a_stale_claim_of_a_dead_worker_is_taken_over(world) -> None:
    report = finished_period(world)
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.RUNNING,
        started_at=timezone.now() - STALE_AFTER - datetime.timedelta(seconds=1),
        attempts=1,
    )

    assert report_render(report_id=report.pk) == RenderOutcome.DONE

    report.refresh_from_db()
    assert (report.status, report.attempts) == (ReportStatus.DONE, 2)


def test_transient_errors_release_the_claim_and_fail_after_three_attempts(
    world, monkeypatch
) -> None:
    report = finished_period(world)
    calls = _break_pdf(monkeypatch, OSError("disk full"))

    for attempt in range(1, MAX_ATTEMPTS):
        with pytest.raises(OSError):
            report_render(report_id=report.pk)
        report.refresh_from_db()
        assert (report.status, report.attempts) == (ReportStatus.QUEUED, attempt)

    assert report_render(report_id=report.pk) == RenderOutcome.FAILED
    report.refresh_from_db()
    assert (report.status, report.attempts) == (ReportStatus.FAILED, MAX_ATTEMPTS)
    assert report.error == FAILED_UNAVAILABLE
    assert "disk full" in report.error_detail
    assert len(calls) == MAX_ATTEMPTS
    # A further delivery of the same message finds nothing to do.
    assert report_render(report_id=report.pk) == RenderOutcome.SKIPPED


def test_a_report_that_kills_its_worker_every_time_is_failed(
    world, monkeypatch
) -> None:
    report = finished_period(world)
    # Three claims were made and each worker died: the row is running and stale.
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.RUNNING,
        started_at=timezone.now() - STALE_AFTER - datetime.timedelta(minutes=1),
        attempts=MAX_ATTEMPTS,
    )
    calls = _break_pdf(monkeypatch, AssertionError("rendered a fourth time"))

    assert report_render(report_id=report.pk) == RenderOutcome.FAILED

    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert "Gave up after 3 attempts" in report.error
    assert calls == []


def test_a_bug_fails_the_report_at_once_without_retrying(world, monkeypatch) -> None:
    report = finished_period(world)
    calls = _break_pdf(monkeypatch, ValueError("template bug"))

    assert report_render(report_id=report.pk) == RenderOutcome.FAILED

    report.refresh_from_db()
    assert (report.status, report.attempts) == (ReportStatus.FAILED, 1)
    assert report.error == FAILED_ON_ERROR
    assert "ValueError: template bug" in report.error_detail
    assert len(calls) == 1


def test_task_retries_a_transient_database_error_then_succeeds(
    world, monkeypatch
) -> None:
    report = finished_period(world)
    real_pdf = report_services.pdf_from_html
    failures = [OperationalError("database is locked")]

    def flaky_pdf(**kwargs):
        if failures:
            raise failures.pop()
        return real_pdf(**kwargs)

    monkeypatch.setattr(report_services, "pdf_from_html", flaky_pdf)

    result = report_render_task.apply(args=[report.pk])

    report.refresh_from_db()
    assert result.get() == "done"
    assert (report.status, report.attempts) == (ReportStatus.DONE, 2)


def test_retry_queues_a_failed_report_with_a_fresh_budget(
    world, django_capture_on_commit_callbacks
) -> None:
    report = finished_period(world)
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.FAILED, attempts=MAX_ATTEMPTS, error="boom"
    )

    with django_capture_on_commit_callbacks() as callbacks:
        assert report_retry(report=report, user=world.alice)
        assert not report_retry(
            report=report, user=world.alice
        )  # queued now: nothing to retry

    assert (report.status, report.attempts, report.error) == (
        ReportStatus.QUEUED,
        0,
        "",
    )
    assert len(callbacks) == 1


# --- content ---


def test_fingerprint_follows_the_data_and_nothing_else(world) -> None:
    report = finished_period(world)
    now = timezone.now()
    first = report_data(report=report, now=now).fingerprint

    assert report_data(report=report, now=now).fingerprint == first
    rating = PrincipleRating.objects.filter(
        assessment__partnership=None, assessment__period_start=Q1[0]
    ).first()
    rating.level = 5 if rating.level != 5 else 4
    rating.save()
    assert report_data(report=report, now=now).fingerprint != first


def test_report_compares_with_the_previous_finished_period(world) -> None:
    data = report_data(report=finished_period(world))

    assert data.previous_period == ReportPeriod(start=Q4_2025[0], end=Q4_2025[1])
    assert [row.principle.number for row in data.improved] == [1, 5]
    assert [row.principle.number for row in data.declined] == [8]
    assert data.partner_columns == ["Lead Org", "Partner Org"]
    assert [gap.principle.number for gap in data.gaps] == [2, 8]


def test_plan_changes_are_those_since_the_previous_report(world) -> None:
    report = finished_period(world)
    earlier = Report.objects.create(
        relationship=world.relationship,
        period_start=Q4_2025[0],
        period_end=Q4_2025[1],
        plan_version=None,
        status=ReportStatus.DONE,
        generated_at=timezone.now(),
        sha256="0" * 64,
        file="reports/earlier.pdf",
    )
    # From the previous report's period end to this period's end: version 1
    # (approved in Q1) and version 2 (drafted in Q1), not version 3 (made after).
    version_2 = PlanVersionFactory(plan=world.relationship.plan, number=2)
    backdate(version_2, IN_Q1)
    PlanVersionFactory(plan=world.relationship.plan, number=3)

    data = report_data(report=report)

    assert data.previous_report == earlier
    assert [version.number for version in data.plan_changes] == [1, 2]
    assert [version.status_then for version in data.plan_changes] == [
        "Approved",
        "Not approved by the period's end",
    ]


# --- subscriptions and e-mails ---------------------------------------------------


def test_subscription_toggles(world) -> None:
    assert report_subscription_toggle(relationship=world.relationship, user=world.dave)
    assert world.relationship.report_subscriptions.filter(user=world.dave).exists()
    assert not report_subscription_toggle(
        relationship=world.relationship, user=world.dave
    )
    assert not world.relationship.report_subscriptions.exists()


def test_ready_report_is_mailed_once_to_managers_and_subscribers(
    world, settings
) -> None:
    settings.SITE_URL = "https://partnerplan.example.org"
    report = finished_period(world)
    report_subscription_toggle(relationship=world.relationship, user=world.dave)
    report_subscription_toggle(relationship=world.relationship, user=world.eve)
    assert report_render(report_id=report.pk) == RenderOutcome.DONE
    report.refresh_from_db()

    again = report_notify(report_id=report.pk)

    assert again == 0
    assert len(mail.outbox) == 3
    recipients = sorted(message.to[0] for message in mail.outbox)
    # eve subscribed but cannot see the relationship: she gets nothing.
    assert recipients == [
        "alice@example.com",
        "bob@example.com",
        "dave@example.com",
    ]
    message = mail.outbox[0]
    assert message.subject == "Report ready: Joint venture, 2026-Q1"
    link = (
        "https://partnerplan.example.org/relationships/joint-venture/reports/"
        f"{report.pk}/"
    )
    assert link in message.body
    assert report.sha256 in message.body
    notice = Notice.objects.get(report=report)
    assert notice.kind == NoticeKind.REPORT_READY


def test_subscriber_who_lost_access_gets_no_mail(world) -> None:
    report = finished_period(world)
    report_subscription_toggle(relationship=world.relationship, user=world.dave)
    Membership.objects.filter(user=world.dave).delete()
    report_render(report_id=report.pk)

    report_notify(report_id=report.pk)

    assert "dave@example.com" not in [message.to[0] for message in mail.outbox]


def test_no_mail_for_a_report_that_is_not_done(world) -> None:
    report = finished_period(world)

    assert report_notify(report_id=report.pk) == 0
    assert mail.outbox == []


def test_done_report_mails_its_link_from_the_same_task(
    world, django_capture_on_commit_callbacks
) -> None:
    report = finished_period(world)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report_render(report_id=report.pk)

    assert callbacks == []  # no second task
    assert len(mail.outbox) == 2  # alice and bob, the managers
    assert Notice.objects.filter(report=report).count() == 1


class _MailServerDown:
    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_mail_server_down_queues_a_notify_task_and_keeps_the_report(
    world, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    report = finished_period(world)
    monkeypatch.setattr(
        "assessments.services.reports.get_connection", lambda: _MailServerDown()
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outcome = report_render(report_id=report.pk)

    report.refresh_from_db()
    assert outcome == RenderOutcome.DONE
    assert report.status == ReportStatus.DONE
    assert not Notice.objects.filter(report=report).exists()  # rolled back
    assert len(callbacks) == 1  # the retrying notify task

    monkeypatch.undo()  # the mail server is back when the task runs
    callbacks[0]()

    assert len(mail.outbox) == 2
    assert Notice.objects.filter(report=report).count() == 1


def test_lost_tasks_are_queued_again_by_the_daily_sweep(
    world, django_capture_on_commit_callbacks
) -> None:
    lost = finished_period(world)
    long_ago = timezone.now() - STALE_AFTER - datetime.timedelta(minutes=5)
    Report.objects.filter(pk=lost.pk).update(created_at=long_ago)
    fresh = Report.objects.create(
        relationship=world.relationship,
        period_start=Q4_2025[0],
        period_end=Q4_2025[1],
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        requeued = report_services.reports_requeue_stuck()

    assert requeued == 1
    assert len(callbacks) >= 1
    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert lost.status == ReportStatus.DONE  # eager mode rendered it
    assert fresh.status == ReportStatus.QUEUED
