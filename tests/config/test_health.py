"""Liveness answers while anything else is down; readiness names what is down
(config/health.py, assessments/views/health.py). The cache and the broker are a
private redis-server stopped by the test; the database one that refuses."""

import io
import threading

import pytest
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.db import ConnectionHandler
from django.test import override_settings
from django.urls import reverse

from config import health
from config.celery import app as celery_app
from tests.redis_server import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_cache_and_broker(private_redis, monkeypatch):
    """The cache and the broker on the private redis-server, as in production."""
    monkeypatch.setitem(celery_app.conf, "broker_url", private_redis.url)
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    with override_settings(CACHES=private_redis.cache_settings()):
        caches.close_all()
        yield private_redis
    caches.close_all()


def _ready(client) -> tuple[int, dict]:
    response = client.get(reverse("assessments:healthz_ready"))
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    return response.status_code, response.json()


def test_readiness_answers_ready_when_everything_answers(
    client, redis_cache_and_broker
) -> None:
    status, body = _ready(client)

    assert status == 200
    assert body == {
        "status": "ready",
        "failed": [],
        "checks": {"database": "ok", "cache": "ok", "broker": "ok"},
    }


def test_without_a_broker_the_embedded_setup_is_ready(client) -> None:
    status, body = _ready(client)

    assert status == 200
    assert body["checks"] == {"database": "ok", "cache": "ok", "broker": "not used"}


def test_redis_down_fails_readiness_naming_cache_and_broker(
    client, redis_cache_and_broker
) -> None:
    redis_cache_and_broker.stop()

    status, body = _ready(client)

    assert status == 503
    assert body["status"] == "unavailable"
    assert body["failed"] == ["broker", "cache"]
    assert body["checks"]["database"] == "ok"
    live = client.get(reverse("assessments:healthz_live"))
    assert (live.status_code, live.content) == (200, b"ok")


def test_cache_down_alone_is_named(client, private_redis) -> None:
    with override_settings(CACHES=private_redis.cache_settings()):
        caches.close_all()
        private_redis.stop()
        status, body = _ready(client)
    caches.close_all()

    assert status == 503
    assert body["failed"] == ["cache"]
    assert body["checks"]["broker"] == "not used"


def test_broker_down_alone_is_named(client, private_redis, monkeypatch) -> None:
    monkeypatch.setitem(celery_app.conf, "broker_url", private_redis.url)
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    private_redis.stop()

    status, body = _ready(client)

    assert status == 503
    assert body["failed"] == ["broker"]
    assert body["checks"]["cache"] == "ok"


def test_database_down_is_named(client, monkeypatch) -> None:
    # A PostgreSQL server that refuses: nothing listens on this port.
    refusing = ConnectionHandler(
        {
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "HOST": "127.0.0.1",
                "PORT": free_port(),
                "NAME": "partnerplan",
                "USER": "partnerplan",
                "OPTIONS": {"connect_timeout": 1},
            }
        }
    )
    monkeypatch.setattr(health, "connections", refusing)

    status, body = _ready(client)

    assert status == 503
    assert body["failed"] == ["database"]
    assert body["checks"]["cache"] == "ok"


def test_a_check_that_never_answers_fails_at_the_deadline(monkeypatch) -> None:
    released = threading.Event()
    monkeypatch.setitem(
        health.READINESS_CHECKS, "cache", lambda: released.wait(10) and "ok"
    )
    try:
        outcomes = health.readiness(seconds=0.2)
    finally:
        released.set()

    assert outcomes["cache"] == health.UNAVAILABLE
    assert outcomes["database"] == health.OK


def test_liveness_touches_nothing(client, django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        response = client.get(reverse("assessments:healthz_live"))
    assert (response.status_code, response.content) == (200, b"ok")
    assert client.post(reverse("assessments:healthz_ready")).status_code == 405


def test_check_ready_command_names_what_is_down(private_redis, monkeypatch) -> None:
    monkeypatch.setitem(celery_app.conf, "broker_url", private_redis.url)
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    output = io.StringIO()
    call_command("check_ready", "database", "broker", stdout=output)
    assert output.getvalue().split("\n")[:2] == ["database: ok", "broker: ok"]

    private_redis.stop()

    with pytest.raises(CommandError, match="Not ready: broker unavailable"):
        call_command("check_ready", "database", "broker", stdout=io.StringIO())
