"""The reports pages: list, generate, status JSON, download, retry, subscribe."""

import datetime
import hashlib

import pytest
from django.urls import reverse

from assessments.choices import ReportStatus
from assessments.models import AssessmentSchedule, Report, ReportSubscription
from assessments.services.reports import report_render
from assessments.tasks import report_notify_task, report_render_task
from tests.assessments.factories_reports import Q1, finished_period, stored_report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _url(name: str, world, **kwargs) -> str:
    return reverse(
        f"assessments:{name}",
        kwargs={"reference": world.relationship.reference, **kwargs},
    )


def test_generate_queues_a_report_and_never_renders_in_the_request(
    world, login, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    finished_period(world).delete()
    queued: list[int] = []
    monkeypatch.setattr(report_render_task, "delay", queued.append)
    client = login(world.alice)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url("report_request", world), {"period": "2026-01-01/2026-03-31"}
        )

    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("report_detail", world, pk=report.pk)
    assert queued == [report.pk]
    assert report.status == ReportStatus.QUEUED
    assert report.requested_by == world.alice
    page = client.get(response["Location"])
    assert "report is queued" in page.content.decode()
    assert "Generating." in page.content.decode()


@pytest.mark.django_db(transaction=True)  # autocommit: on_commit runs at once
def test_in_eager_mode_the_message_says_the_report_is_ready(
    world, login, settings, tmp_path
) -> None:
    # The embedded setup renders on commit, inside the request: by the time the
    # message is written the report is done, and "queued" would be wrong.
    settings.MEDIA_ROOT = tmp_path
    finished_period(world).delete()
    client = login(world.alice)

    response = client.post(
        _url("report_request", world),
        {"period": "2026-01-01/2026-03-31"},
        follow=True,
    )

    assert Report.objects.get().status == ReportStatus.DONE
    page = response.content.decode()
    assert "The 2026-Q1 report is ready." in page
    assert "is queued" not in page


def test_generate_refuses_a_period_that_is_not_finished(world, login) -> None:
    finished_period(world).delete()
    client = login(world.bob)

    response = client.post(
        _url("report_request", world), {"period": "2026-04-01/2026-06-30"}
    )

    assert response.status_code == 200
    assert "Choose one of the listed periods" in response.content.decode()
    assert not Report.objects.exists()


def test_generating_an_existing_report_says_so(
    world, login, django_capture_on_commit_callbacks
) -> None:
    report = finished_period(world)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING)
    client = login(world.alice)

    response = client.post(
        _url("report_request", world), {"period": "2026-01-01/2026-03-31"}, follow=True
    )

    assert Report.objects.count() == 1
    assert "exists already" in response.content.decode()


def test_list_page_offers_finished_periods_and_shows_each_state(world, login) -> None:
    finished_period(world)
    stored_report(
        world.relationship,
        status=ReportStatus.FAILED,
        period=(datetime.date(2025, 10, 1), datetime.date(2025, 12, 31)),
    )
    page = login(world.carol).get(_url("report_list", world)).content.decode()

    assert 'value="2026-01-01/2026-03-31"' in page  # the finished Q1
    assert "Generate report" in page
    assert "Queued" in page and "Failed" in page
    assert "OSError: disk full" in page
    assert ">Retry</button>" in page
    assert "data-report-status-url" in page


def test_auditor_sees_reports_but_no_generate_or_retry(world, login) -> None:
    stored_report(world.relationship, status=ReportStatus.FAILED)
    page = login(world.dave).get(_url("report_list", world)).content.decode()

    assert "Read-only access" in page
    assert "Generate report" not in page
    assert ">Retry</button>" not in page
    assert "Subscribe" in page


def test_list_page_query_count_does_not_grow_with_reports(
    world, login, django_assert_num_queries
) -> None:
    client = login(world.alice)
    finished_period(world)
    client.get(_url("report_list", world))  # warm the session
    with django_assert_num_queries(8):
        client.get(_url("report_list", world))
    for year in range(2010, 2022):
        stored_report(
            world.relationship,
            status=ReportStatus.DONE,
            period=(datetime.date(year, 1, 1), datetime.date(year, 3, 31)),
        )
    with django_assert_num_queries(8):
        response = client.get(_url("report_list", world))
    assert response.content.decode().count('data-report-status="done"') == 12


def test_status_endpoint_reports_progress_as_json(world, login) -> None:
    report = finished_period(world)
    client = login(world.dave)

    queued = client.get(_url("report_status", world, pk=report.pk)).json()
    report_render(report_id=report.pk)
    done = client.get(_url("report_status", world, pk=report.pk)).json()

    assert (queued["status"], queued["finished"], queued["download_url"]) == (
        "queued",
        False,
        "",
    )
    report.refresh_from_db()
    assert done["status"] == "done" and done["finished"]
    assert done["sha256"] == report.sha256
    assert done["download_url"] == _url("report_download", world, pk=report.pk)
    assert done["page_count"] == report.page_count


def test_auditor_downloads_the_exact_bytes_whose_hash_the_page_shows(
    world, login
) -> None:
    report = finished_period(world)
    report_render(report_id=report.pk)
    report.refresh_from_db()
    client = login(world.dave)

    page = client.get(_url("report_detail", world, pk=report.pk)).content.decode()
    response = client.get(_url("report_download", world, pk=report.pk))
    content = b"".join(response.streaming_content)

    assert report.sha256 in page
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "joint-venture-2026-Q1-report" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert content.startswith(b"%PDF")
    assert hashlib.sha256(content).hexdigest() == report.sha256


@pytest.mark.parametrize(
    "status", [ReportStatus.QUEUED, ReportStatus.RUNNING, ReportStatus.FAILED]
)
def test_only_done_reports_download(world, login, status: str) -> None:
    report = stored_report(world.relationship, status=status)

    response = login(world.alice).get(_url("report_download", world, pk=report.pk))

    assert response.status_code == 404


def test_outsider_cannot_reach_a_report_through_their_own_relationship(
    world, login
) -> None:
    report = stored_report(world.relationship)
    client = login(world.eve)
    url = reverse(
        "assessments:report_download",
        kwargs={"reference": world.outsider_relationship.reference, "pk": report.pk},
    )

    assert client.get(url).status_code == 404


def test_retry_button_queues_a_failed_report_again(
    world, login, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    report = stored_report(world.relationship, status=ReportStatus.FAILED)
    queued: list[int] = []
    monkeypatch.setattr(report_render_task, "delay", queued.append)

    with django_capture_on_commit_callbacks(execute=True):
        response = login(world.bob).post(
            _url("report_retry", world, pk=report.pk), follow=True
        )

    report.refresh_from_db()
    assert report.status == ReportStatus.QUEUED
    assert queued == [report.pk]
    assert "queued again" in response.content.decode()


def test_retry_of_a_done_report_changes_nothing(world, login) -> None:
    report = stored_report(world.relationship, status=ReportStatus.DONE)

    response = login(world.alice).post(
        _url("report_retry", world, pk=report.pk), follow=True
    )

    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    assert "Only a failed report can be retried" in response.content.decode()


def test_auditor_subscribes_and_unsubscribes(world, login) -> None:
    client = login(world.dave)

    subscribed = client.post(_url("report_subscribe", world), follow=True)
    assert ReportSubscription.objects.filter(user=world.dave).exists()
    assert "Subscribed" in subscribed.content.decode()
    assert "Unsubscribe" in subscribed.content.decode()

    unsubscribed = client.post(_url("report_subscribe", world), follow=True)
    assert not ReportSubscription.objects.exists()
    assert "Unsubscribed" in unsubscribed.content.decode()


def test_task_options_make_delivery_reliable() -> None:
    from django.db import OperationalError

    assert report_render_task.acks_late is True
    assert report_render_task.reject_on_worker_lost is True
    assert set(report_render_task.autoretry_for) == {OperationalError, OSError}
    assert report_render_task.retry_backoff
    assert report_render_task.soft_time_limit < report_render_task.time_limit
    assert report_notify_task.autoretry_for == (OSError,)


def test_report_period_is_shown_on_every_page(world, login) -> None:
    report = stored_report(world.relationship, period=Q1)
    page = login(world.alice).get(_url("report_detail", world, pk=report.pk))

    assert "Report 2026-Q1" in page.content.decode()


def test_manager_changes_the_schedule(world, login) -> None:
    client = login(world.alice)

    response = client.post(
        _url("schedule_edit", world),
        {"cadence": "monthly", "grace_days": "10", "active": "on", "revision": "0"},
        follow=True,
    )

    schedule = AssessmentSchedule.objects.get(relationship=world.relationship)
    assert (schedule.cadence, schedule.grace_days, schedule.active) == (
        "monthly",
        10,
        True,
    )
    page = response.content.decode()
    assert "Schedule saved: assessed monthly, 10 days to complete." in page
    assert "Assessed <strong>monthly</strong>" in page


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"cadence": "weekly", "grace_days": "10"}, "Select a valid choice"),
        ({"cadence": "monthly", "grace_days": "0"}, "between 1 and 365"),
        ({"cadence": "monthly", "grace_days": "9999"}, "between 1 and 365"),
        ({"cadence": "monthly", "grace_days": "soon"}, "Enter a whole number"),
    ],
)
def test_bad_schedule_input_is_refused_and_changes_nothing(
    world, login, data: dict, error: str
) -> None:
    response = login(world.bob).post(_url("schedule_edit", world), data)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert "Nothing was saved" in response.content.decode()
    assert not AssessmentSchedule.objects.exists()
