"""Database connections around Celery tasks: kept as Django keeps them around a
request (CONN_MAX_AGE), instead of Celery's default of closing them after every
task."""

import time
from types import SimpleNamespace

import pytest
from django.db import connections

from config import celery as celery_config

# Autocommit on, as in a worker between tasks (inside a test transaction Django
# would close any connection it is asked about).
pytestmark = pytest.mark.django_db(transaction=True)


def _task(*, is_eager: bool) -> SimpleNamespace:
    return SimpleNamespace(request=SimpleNamespace(is_eager=is_eager))


@pytest.fixture
def closes(monkeypatch) -> list[str]:
    """The connection, opened, with its close() recorded instead of carried out
    (the tests' SQLite database lives in memory and would not survive it)."""
    connection = connections["default"]
    connection.ensure_connection()
    calls: list[str] = []
    monkeypatch.setattr(connection, "close", lambda: calls.append("close"))
    monkeypatch.setattr(connection, "close_at", None)
    monkeypatch.setattr(connection, "errors_occurred", False)
    return calls


def test_a_worker_keeps_a_connection_younger_than_conn_max_age(closes) -> None:
    connection = connections["default"]
    connection.close_at = time.monotonic() + 60  # CONN_MAX_AGE = 60, just opened

    celery_config.close_old_database_connections(task=_task(is_eager=False))

    assert closes == []


def test_a_connection_past_conn_max_age_is_closed_between_tasks(closes) -> None:
    connection = connections["default"]
    connection.close_at = time.monotonic() - 1  # CONN_MAX_AGE = 0, or expired

    celery_config.close_old_database_connections(task=_task(is_eager=False))

    assert closes == ["close"]


def test_a_connection_left_unusable_by_an_error_is_closed(closes, monkeypatch) -> None:
    connection = connections["default"]
    connection.close_at = time.monotonic() + 60
    connection.errors_occurred = True
    monkeypatch.setattr(connection, "is_usable", lambda: False)  # server gone

    celery_config.close_old_database_connections(task=_task(is_eager=False))

    assert closes == ["close"]


def test_an_eager_task_leaves_the_requests_connection_alone(closes) -> None:
    connection = connections["default"]
    connection.close_at = time.monotonic() - 1

    celery_config.close_old_database_connections(task=_task(is_eager=True))

    assert closes == []


def test_celerys_own_close_after_every_task_is_turned_off() -> None:
    from celery.signals import task_postrun, task_prerun

    # With CELERY_DB_REUSE_MAX unset, Celery's Django fixup would close the
    # connection around every task whatever CONN_MAX_AGE says.
    assert celery_config.app.conf.get("CELERY_DB_REUSE_MAX") >= 100
    for signal in (task_prerun, task_postrun):
        receivers = [receiver() for _, receiver in signal.receivers]
        assert celery_config.close_old_database_connections in receivers
