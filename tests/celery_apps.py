"""A real Celery app and worker for tests: the project's configuration on a test
broker, not eager (tests/assessments/test_celery_worker.py and the broker outage
test)."""

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from celery import Celery, _state
from django.db import OperationalError

from assessments.models import Report


@contextmanager
def celery_app_on(broker_url: str, queue_name: str) -> Iterator[Celery]:
    """The project's Celery configuration on this broker and queue, made the
    current app so that the tasks (and the worker thread) send through it."""
    app = Celery("partnerplan-test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=broker_url,
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


def wait_for_report(report: Report, states: set[str], seconds: float = 90) -> Report:
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
    pytest.fail(
        f"Report stayed {report.status} for {seconds} s (attempts {report.attempts})."
    )
