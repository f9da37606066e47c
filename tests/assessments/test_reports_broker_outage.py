"""A report requested while the broker is down is kept, and produced once the
broker is back: the request is saved and answered at once, the beat's re-send
(assessments.reports_resend_stuck) sends it again, and a real worker renders it
once even when the lost message turns up as well.

The broker is a private redis-server, stopped and started by the test.
"""

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.urls import reverse
from django.utils import timezone

from assessments.choices import ReportStatus
from assessments.models import Report
from assessments.services.reports import STALE_AFTER
from assessments.tasks import report_render_task, reports_resend_stuck_task
from tests.assessments.factories_reports import finished_period
from tests.celery_apps import celery_app_on, wait_for_report

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

Q1 = "2026-01-01/2026-03-31"


@pytest.fixture
def queue_name() -> str:
    return f"partnerplan-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def broker_app(private_redis, queue_name: str, settings, tmp_path) -> Iterator[Celery]:
    settings.MEDIA_ROOT = tmp_path / "media"
    with celery_app_on(private_redis.url, queue_name) as app:
        yield app


def test_a_report_requested_while_the_broker_is_down_is_kept_and_produced_once(
    world, client, private_redis, broker_app, queue_name
) -> None:
    finished_period(world).delete()
    client.force_login(world.alice)
    private_redis.stop()

    started = time.monotonic()
    response = client.post(
        reverse(
            "assessments:report_request",
            kwargs={"reference": world.relationship.reference},
        ),
        {"period": Q1},
        follow=True,
    )
    seconds = time.monotonic() - started

    assert response.status_code == 200
    assert seconds < 3, f"the request waited {seconds:.1f} s on the broker"
    assert "will be produced shortly" in response.content.decode()
    report = Report.objects.get()
    assert (report.status, report.attempts) == (ReportStatus.QUEUED, 0)

    private_redis.start()  # back, empty: the message is lost for good
    broker = private_redis.client()
    assert broker.llen(queue_name) == 0
    assert reports_resend_stuck_task() == "0 stuck reports sent again"  # too soon
    Report.objects.filter(pk=report.pk).update(
        created_at=timezone.now() - STALE_AFTER - timezone.timedelta(seconds=5)
    )

    assert reports_resend_stuck_task() == "1 stuck reports sent again"
    assert broker.llen(queue_name) == 1
    report_render_task.delay(report.pk)  # and the lost message turns up after all
    assert broker.llen(queue_name) == 2

    with start_worker(
        broker_app, pool="solo", perform_ping_check=False, shutdown_timeout=30
    ):
        report = wait_for_report(report, {ReportStatus.DONE, ReportStatus.FAILED})
        deadline = time.monotonic() + 30
        while broker.llen(queue_name) and time.monotonic() < deadline:
            time.sleep(0.25)

    assert report.status == ReportStatus.DONE, report.error
    assert broker.llen(queue_name) == 0
    assert report.attempts == 1  # the second message found it done
    stored = Path(report.file.path)
    assert [path.name for path in stored.parent.iterdir()] == [stored.name]
