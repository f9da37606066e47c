"""A real Celery worker, consuming from the machine's Redis, renders a real PDF.

Runs with the rest of the suite and FAILS (never skips) when Redis is not
reachable: set REDIS_TEST_URL to point it elsewhere. Each run uses a queue of
its own (in Redis database 14 by default) and deletes only its own keys, so
parallel test runs do not disturb each other.
"""

import contextlib
import io
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import transaction
from pypdf import PdfReader

from assessments.choices import ReportStatus
from assessments.models import Report
from assessments.selectors.reports import ReportPeriod
from assessments.services.reports import report_request
from assessments.tasks import report_render_task
from tests.assessments.factories_reports import Q1, finished_period
from tests.celery_apps import celery_app_on, wait_for_report

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/14")

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queue_name() -> str:
    return f"partnerplan-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def redis_broker(queue_name: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=3)
    yield client
    with contextlib.suppress(redis.exceptions.ConnectionError):
        for key in client.scan_iter(match=f"*{queue_name}*"):
            client.delete(key)
    client.close()


def _assert_reachable(client: redis.Redis) -> None:
    try:
        reachable = client.ping()
    except redis.exceptions.ConnectionError as error:
        reachable = error
    assert reachable is True, (
        f"Redis is not reachable at {REDIS_TEST_URL} ({reachable}). The Celery "
        "integration test needs it: start Redis or set REDIS_TEST_URL."
    )


@pytest.fixture
def worker_app(queue_name: str, settings, tmp_path) -> Iterator[Celery]:
    """The project's Celery configuration, but on the test broker and not eager."""
    settings.MEDIA_ROOT = tmp_path / "media"
    with celery_app_on(REDIS_TEST_URL, queue_name) as app:
        yield app


def _queue_drained(client: redis.Redis, queue: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not client.llen(queue):
            return
        time.sleep(0.25)
    pytest.fail("The worker left messages in the queue.")


def test_real_worker_renders_one_report_despite_a_duplicate_message(
    world, redis_broker, worker_app, queue_name
) -> None:
    _assert_reachable(redis_broker)
    finished_period(world).delete()
    with transaction.atomic():
        report, created = report_request(
            relationship=world.relationship,
            period=ReportPeriod(start=Q1[0], end=Q1[1]),
            user=world.alice,
        )
    assert created
    # The commit sent the task to Redis; a duplicate (as a redelivery would be)
    # follows. Nothing has consumed either yet.
    report_render_task.delay(report.pk)
    assert redis_broker.llen(queue_name) == 2
    assert Report.objects.get(pk=report.pk).status == ReportStatus.QUEUED

    with start_worker(
        worker_app, pool="solo", perform_ping_check=False, shutdown_timeout=30
    ):
        report = wait_for_report(report, {ReportStatus.DONE, ReportStatus.FAILED})
        # Both messages are taken (one at a time: prefetch 1, acks late); the
        # worker stops only after finishing the one in hand.
        _queue_drained(redis_broker, queue_name)

    assert report.status == ReportStatus.DONE, report.error
    assert report.attempts == 1  # the duplicate found the report done
    stored = Path(report.file.path)
    assert [path.name for path in stored.parent.iterdir()] == [stored.name]
    content = stored.read_bytes()
    text = " ".join(PdfReader(io.BytesIO(content)).pages[0].extract_text().split())
    assert "Joint venture" in text
    assert report.page_count == len(PdfReader(io.BytesIO(content)).pages)
    # The worker queued the "report ready" e-mail, and ran it too.
    assert sorted(message.to[0] for message in mail.outbox) == [
        "alice@example.com",
        "bob@example.com",
    ]
