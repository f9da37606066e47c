"""With the cache server stopped, pages answer uncached (config/cache.py).

A private redis-server on a free port is started and stopped by the test itself:
the machine's shared Redis is never touched.
"""

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
import redis
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse

from tests.factories import ObjectiveFactory

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def private_redis() -> Iterator[tuple[str, subprocess.Popen]]:
    server = shutil.which("redis-server")
    assert server, "redis-server is needed (Debian package redis-server)"
    port = _free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield url, process
    process.kill()
    process.wait()


def _redis_cache(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
    }


def test_pages_answer_with_the_cache_server_stopped(
    private_redis, login, world
) -> None:
    url, process = private_redis
    ObjectiveFactory(relationship=world.relationship, title="Cut lead times")
    pages = [
        reverse("assessments:portfolio_dashboard"),
        reverse(
            "assessments:relationship_dashboard", args=[world.relationship.reference]
        ),
        reverse("relationships:objective_list"),
        reverse("relationships:risk_list"),
        reverse("relationships:action_list"),
        world.relationship.get_absolute_url(),
    ]
    with override_settings(CACHES=_redis_cache(url), DASHBOARD_CACHE_SECONDS=60):
        caches.close_all()
        client = login(world.alice)
        for page in pages:  # filled the cache
            assert client.get(page).status_code == 200, page
        assert redis.Redis.from_url(url).dbsize() > 0

        process.kill()
        process.wait()

        for page in pages:
            response = client.get(page)
            assert response.status_code == 200, page
        objectives = client.get(reverse("relationships:objective_list"))
        assert "Cut lead times" in objectives.content.decode()
    caches.close_all()


def test_an_unreachable_cache_reads_as_a_miss_and_drops_writes(private_redis) -> None:
    url, process = private_redis
    with override_settings(CACHES=_redis_cache(url)):
        caches.close_all()
        cache = caches["default"]
        cache.set("kept", 1)
        assert cache.get("kept") == 1
        process.kill()
        process.wait()

        cache.set("lost", 2)
        assert cache.get("kept", "missed") == "missed"
        assert cache.get_many(["kept", "lost"]) == {}
        assert cache.add("other", 3) is False
    caches.close_all()
