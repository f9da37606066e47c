"""The cache backend for Redis, for which an unreachable server is a miss.

Everything the app caches can be worked out again from the database
(relationships/caching.py), so while Redis is down or restarting the pages answer
uncached, rather than with an error: reads miss, writes are dropped. Each process
logs the outage at most once a minute.

A few keys are guards rather than copies: allauth's login rate limits (a history
of attempts, and the lock taken to update it) and its marks of TOTP codes already
used. Dropped, they would refuse every login (the lock never taken reads as "rate
limited") or let a code be used twice. While Redis is down these keys live in the
process's own memory instead: limits count per process, and a code is still
refused a second time by the process that took it.

Writes dropped during an outage are often versions moving on (a save in a
relationship, relationships/caching.py); if Redis kept its data (a network cut, or
a restart from its append-only file), entries under the old versions would be
served as current once it answers again. So a process that dropped a write
empties the cache the first time Redis answers again, before trusting anything
in it. The cache has a Redis database of its own (docker-compose.yml gives it
one, tests/config/test_compose.py checks), so that empties nothing else.
"""

import logging
import time
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

LOG_EVERY_SECONDS = 60
# While writes are lost, how often a process asks whether Redis is back.
RECOVERY_EVERY_SECONDS = 1.0
GUARD_KEY_PREFIXES = ("allauth",)


def _is_guard(key: Any) -> bool:
    return isinstance(key, str) and key.startswith(GUARD_KEY_PREFIXES)


class ReusedRedisCacheClient(RedisCacheClient):
    """Django's Redis client, but one redis-py client per connection pool instead
    of a new one for every cache call: building one sets up its table of reply
    handlers, about 0.2 ms of CPU, and a list page makes a dozen cache calls.
    A redis-py client is safe to share between threads (each command takes a
    connection from the pool)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(
                    self._servers[index], **self._pool_options
                )
            pool = self._pools[index]
            client = self._clients[index] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    # Per process, like the outage: every instance (one per thread) shares them.
    _last_logged = 0.0
    _writes_lost = False
    _next_recovery = 0.0

    def __init__(self, server: str, params: dict) -> None:
        super().__init__(server, params)
        self._class = ReusedRedisCacheClient
        self._guards = LocMemCache(f"guards-{id(self)}", {"OPTIONS": {}})

    def ping(self) -> bool:
        """Ask Redis itself, errors and all (the readiness check)."""
        return self._cache.get_client(write=True).ping()

    def _unavailable(self, error: RedisError, *, lost_write: bool = False) -> None:
        if lost_write:
            ResilientRedisCache._writes_lost = True
        now = time.monotonic()
        if now - ResilientRedisCache._last_logged >= LOG_EVERY_SECONDS:
            ResilientRedisCache._last_logged = now
            logger.warning("The cache is unavailable, serving uncached: %s", error)

    def _forget_what_the_outage_made_stale(self) -> None:
        cls = ResilientRedisCache
        if not cls._writes_lost or time.monotonic() < cls._next_recovery:
            return
        cls._next_recovery = time.monotonic() + RECOVERY_EVERY_SECONDS
        try:
            super().clear()
        except RedisError:
            return  # still down
        cls._writes_lost = False
        logger.warning(
            "The cache answers again; emptied it, since writes made while it was "
            "unavailable were lost"
        )

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        self._forget_what_the_outage_made_stale()
        try:
            return super().get(key, default, version)
        except RedisError as error:
            self._unavailable(error)
            if _is_guard(key):
                return self._guards.get(key, default, version)
            return default

    def get_many(self, keys: Any, version: int | None = None) -> dict:
        self._forget_what_the_outage_made_stale()
        try:
            return super().get_many(keys, version)
        except RedisError as error:
            self._unavailable(error)
            return {}

    def has_key(self, key: Any, version: int | None = None) -> bool:
        self._forget_what_the_outage_made_stale()
        try:
            return super().has_key(key, version)
        except RedisError as error:
            self._unavailable(error)
            return False

    def add(self, key: Any, value: Any, *args: Any, **kwargs: Any) -> bool:
        self._forget_what_the_outage_made_stale()
        try:
            return super().add(key, value, *args, **kwargs)
        except RedisError as error:
            self._unavailable(error, lost_write=True)
            if _is_guard(key):
                return self._guards.add(key, value, *args, **kwargs)
            return False

    def set(self, key: Any, value: Any, *args: Any, **kwargs: Any) -> None:
        self._forget_what_the_outage_made_stale()
        try:
            super().set(key, value, *args, **kwargs)
        except RedisError as error:
            self._unavailable(error, lost_write=True)
            if _is_guard(key):
                self._guards.set(key, value, *args, **kwargs)

    def set_many(self, data: dict, *args: Any, **kwargs: Any) -> list:
        self._forget_what_the_outage_made_stale()
        try:
            return super().set_many(data, *args, **kwargs)
        except RedisError as error:
            self._unavailable(error, lost_write=True)
            return list(data)

    def touch(self, key: Any, *args: Any, **kwargs: Any) -> bool:
        self._forget_what_the_outage_made_stale()
        try:
            return super().touch(key, *args, **kwargs)
        except RedisError as error:
            self._unavailable(error, lost_write=True)
            return False

    def delete(self, key: Any, version: int | None = None) -> bool:
        self._forget_what_the_outage_made_stale()
        try:
            return super().delete(key, version)
        except RedisError as error:
            self._unavailable(error, lost_write=True)
            if _is_guard(key):
                return self._guards.delete(key, version)
            return False

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._forget_what_the_outage_made_stale()
        try:
            super().delete_many(keys, version)
        except RedisError as error:
            self._unavailable(error, lost_write=True)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        self._forget_what_the_outage_made_stale()
        try:
            return super().incr(key, delta, version)
        except RedisError as error:
            self._unavailable(error, lost_write=True)
            raise ValueError(f"Key {key!r} not found: the cache is down.") from error

    def clear(self) -> None:
        self._forget_what_the_outage_made_stale()
        try:
            super().clear()
        except RedisError as error:
            self._unavailable(error, lost_write=True)
