"""After PostgreSQL drops a kept connection (a restart, a failover), the next
request opens a new one instead of answering 500: CONN_HEALTH_CHECKS with a
persistent CONN_MAX_AGE, as docker-compose.yml runs it.

The requests go through Django's WSGI handler as gunicorn calls it: the test
client would skip the connection bookkeeping done around each request.
"""

from wsgiref.util import setup_testing_defaults

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.urls import reverse

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _get(path: str, session_key: str) -> int:
    environ = {
        "PATH_INFO": path,
        "REQUEST_METHOD": "GET",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}={session_key}",
        "HTTP_X_FORWARDED_PROTO": "https",
        "wsgi.url_scheme": "https",
    }
    setup_testing_defaults(environ)
    statuses = []
    response = WSGIHandler()(environ, lambda status, headers: statuses.append(status))
    b"".join(response)
    response.close()  # request_finished: Django keeps or closes the connection
    return int(statuses[0].split()[0])


def _terminate_backend(pid: int) -> None:
    """What a PostgreSQL restart does to every connection: ended server-side."""
    other = connection.get_new_connection(connection.get_connection_params())
    try:
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            assert cursor.fetchone()[0] is True
    finally:
        other.close()


@pytest.fixture
def persistent_connection(monkeypatch):
    def configure(*, health_checks: bool) -> None:
        monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
        monkeypatch.setitem(
            connection.settings_dict, "CONN_HEALTH_CHECKS", health_checks
        )
        connection.close()  # the next request connects with these settings

    yield configure
    connection.close()


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _kill_the_kept_connection(client, world, configure, *, health_checks: bool):
    client.force_login(world.alice)
    session_key = client.session.session_key
    page = reverse("relationships:list")
    configure(health_checks=health_checks)
    assert _get(page, session_key) == 200
    assert connection.connection is not None, "CONN_MAX_AGE keeps it open"
    pid = _backend_pid()
    _terminate_backend(pid)
    return page, session_key, pid


def test_the_request_after_the_server_dropped_the_connection_answers(
    postgres_only, client, world, persistent_connection
) -> None:
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    page, session_key, pid = _kill_the_kept_connection(
        client, world, persistent_connection, health_checks=True
    )

    assert _get(page, session_key) == 200
    assert _backend_pid() != pid


def test_without_health_checks_that_request_would_fail(
    postgres_only, client, world, persistent_connection
) -> None:
    # The same steps with the checks off: what gunicorn workers did before.
    page, session_key, _ = _kill_the_kept_connection(
        client, world, persistent_connection, health_checks=False
    )

    assert _get(page, session_key) == 500
    assert _get(page, session_key) == 200  # the broken connection was dropped
