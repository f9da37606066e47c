import pytest
from django.db import connection

from tests.concurrency.race import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_writers_use_connections_of_their_own() -> None:
    outcome = race(_backend_pid, _backend_pid)

    assert outcome.errors == [None, None]
    assert len(set(outcome.results)) == 2
    assert _backend_pid() not in outcome.results


def test_a_writer_error_is_reported_not_swallowed() -> None:
    def fails() -> None:
        raise ValueError("refused")

    outcome = race(_backend_pid, fails)

    assert outcome.succeeded == 1
    assert isinstance(outcome.errors[1], ValueError)
