"""With the cache server stopped, pages answer uncached (config/cache.py).

A private redis-server on a free port is started and stopped by the test itself:
the machine's shared Redis is never touched.
"""

import time

import pytest
import redis
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse

from config.cache import ResilientRedisCache
from tests.factories import ObjectiveFactory

pytestmark = pytest.mark.django_db


def test_pages_answer_with_the_cache_server_stopped(
    private_redis, login, world
) -> None:
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
    with override_settings(
        CACHES=private_redis.cache_settings(), DASHBOARD_CACHE_SECONDS=60
    ):
        caches.close_all()
        client = login(world.alice)
        for page in pages:  # filled the cache
            assert client.get(page).status_code == 200, page
        assert private_redis.client().dbsize() > 0

        private_redis.stop()

        for page in pages:
            response = client.get(page)
            assert response.status_code == 200, page
        objectives = client.get(reverse("relationships:objective_list"))
        assert "Cut lead times" in objectives.content.decode()
    caches.close_all()


def test_an_unreachable_cache_reads_as_a_miss_and_drops_writes(private_redis) -> None:
    with override_settings(CACHES=private_redis.cache_settings()):
        caches.close_all()
        cache = caches["default"]
        cache.set("kept", 1)
        assert cache.get("kept") == 1
        private_redis.stop()

        cache.set("lost", 2)
        assert cache.get("kept", "missed") == "missed"
        assert cache.get_many(["kept", "lost"]) == {}
        assert cache.add("other", 3) is False
    caches.close_all()


def test_guard_keys_are_kept_in_memory_while_the_server_is_stopped(
    private_redis,
) -> None:
    # allauth's rate-limit lock: dropped, every login would wait a second and be
    # refused as rate limited; a TOTP code's "used" mark: dropped, a code could be
    # used twice.
    with override_settings(CACHES=private_redis.cache_settings()):
        caches.close_all()
        cache = caches["default"]
        private_redis.stop()

        started = time.monotonic()
        assert cache.add("allauth:rl:account:login:lock", True, 10) is True
        assert cache.add("allauth:rl:account:login:lock", True, 10) is False
        assert cache.add("allauth.mfa.totp.used?user=1&code=123456", "y", 90)
        assert not cache.add("allauth.mfa.totp.used?user=1&code=123456", "y", 90)
        cache.set("allauth:rl:account:login:ip:127.0.0.1", [1.0], 60)
        assert cache.get("allauth:rl:account:login:ip:127.0.0.1") == [1.0]
        assert cache.delete("allauth:rl:account:login:lock") is True
        assert time.monotonic() - started < 2  # refused connections, no waits

        cache.set("partnerplan:v:r:1", 5)  # not a guard: dropped
        assert cache.get("partnerplan:v:r:1") is None
    caches.close_all()


def test_ping_reports_the_server_stopped(private_redis) -> None:
    with override_settings(CACHES=private_redis.cache_settings()):
        caches.close_all()
        assert caches["default"].ping() is True
        private_redis.stop()
        with pytest.raises(redis.RedisError):
            caches["default"].ping()
    caches.close_all()


@pytest.fixture
def no_lost_writes(monkeypatch) -> None:
    """Other tests' outages are not this one's."""
    monkeypatch.setattr(ResilientRedisCache, "_writes_lost", False)
    monkeypatch.setattr(ResilientRedisCache, "_next_recovery", 0.0)


def test_a_cache_that_kept_its_data_is_emptied_after_lost_writes(
    private_redis, no_lost_writes
) -> None:
    with override_settings(CACHES=private_redis.cache_settings()):
        caches.close_all()
        cache = caches["default"]
        cache.set("partnerplan:v:r:1", 1)
        cache.set("dashboard:under-version-1", "the page before the save")

        private_redis.pause()  # cut off; it keeps its data
        try:
            cache.set("partnerplan:v:r:1", 2)  # a save moves the version on: lost
        finally:
            private_redis.resume()

        # Version 1's page would be served as current: everything is forgotten.
        assert cache.get("partnerplan:v:r:1") is None
        assert cache.get("dashboard:under-version-1") is None
        cache.set("partnerplan:v:r:1", 3)
        assert cache.get("partnerplan:v:r:1") == 3  # emptied once, then trusted
    caches.close_all()


def test_reads_that_failed_leave_the_cache_as_it_was(
    private_redis, no_lost_writes
) -> None:
    with override_settings(CACHES=private_redis.cache_settings()):
        caches.close_all()
        cache = caches["default"]
        cache.set("dashboard:page", "kept")
        private_redis.pause()
        try:
            assert cache.get("dashboard:page") is None  # timed out: a miss
        finally:
            private_redis.resume()

        assert cache.get("dashboard:page") == "kept"
    caches.close_all()
