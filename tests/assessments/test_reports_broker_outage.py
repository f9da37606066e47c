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
from celery import Celery, _state
from celery.contrib.testing.worker import start_worker
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from assessments.choices import ReportStatus
from assessments.models import Report
from assessments.services.reports import STALE_AFTER
from assessments.tasks import report_render_task, reports_resend_stuck_task
from tests.assessments.factories_reports import finished_period

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

Q1 = "2026-01-01/2026-03-31"


@pytest.fixture
def queue_name() -> str:
    return f"partnerplan-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def broker_app(private_redis, queue_name: str, settings, tmp_path) -> Iterator[Celery]:
    """The project's Celery configuration on the private broker, not eager."""
    settings.MEDIA_ROOT = tmp_path / "media"
    app = Celery("partnerplan-test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=private_redis.url,
        result_backend=None,
        task_always_eager=False,
        task_default_queue=queue_name,
        broker_connection_retry_on_startup=False,
    )
    previous_default = _state.default_app
    previous_current = getattr(_state._tls, "current_app", None)
    app.set_default()
    app.set_current()
    try:
        yield app
    finally:
        _state.set_default_app(previous_default)
        _state._set_current_app(previous_current)
        app.close()


def _wait_for(report: Report, states: set[str], seconds: float = 90) -> Report:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            report.refresh_from_db()
        except OperationalError:  # SQLite's shared cache is busy: look again
            pass
        else:
            if report.status in states:
                return report
        time.sleep(0.25)
    pytest.fail(f"Report stayed {report.status} for {seconds} s.")


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
        report = _wait_for(report, {ReportStatus.DONE, ReportStatus.FAILED})
        deadline = time.monotonic() + 30
        while broker.llen(queue_name) and time.monotonic() < deadline:
            time.sleep(0.25)

    assert report.status == ReportStatus.DONE, report.error
    assert broker.llen(queue_name) == 0
    assert report.attempts == 1  # the second message found it done
    stored = Path(report.file.path)
    assert [path.name for path in stored.parent.iterdir()] == [stored.name]
