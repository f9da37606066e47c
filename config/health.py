"""Readiness: can this process reach what its requests and tasks need?

Each check raises when its service cannot be used, and is given CHECK_SECONDS at
most: the checks run side by side in threads of their own, so a server that
accepts connections but never answers costs the probe its deadline, not a hung
web worker. The database check opens a connection of its own (connections are
per thread), which is also what a restarted database asks of the app.
"""

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, wait

from django.core.cache import cache
from django.db import connections

logger = logging.getLogger(__name__)

CHECK_SECONDS = 2.0
CACHE_PROBE_KEY = "partnerplan:health:probe"

OK = "ok"
UNAVAILABLE = "unavailable"
NOT_USED = "not used"


def database_check() -> str:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connections.close_all()  # this thread's own connection
    return OK


def cache_check() -> str:
    ping = getattr(cache, "ping", None)
    if ping is not None:  # Redis (config/cache.py): ask it, errors and all
        ping()
        return OK
    cache.set(CACHE_PROBE_KEY, 1, 10)
    if cache.get(CACHE_PROBE_KEY) != 1:
        raise RuntimeError("the cache did not keep a value")
    return OK


def broker_check() -> str:
    """Without a broker tasks run in the web process (the embedded setup)."""
    from config.celery import app

    if app.conf.task_always_eager or not app.conf.broker_url:
        return NOT_USED
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, interval_start=0)
    return OK


READINESS_CHECKS: dict[str, Callable[[], str]] = {
    "database": database_check,
    "cache": cache_check,
    "broker": broker_check,
}


def readiness(
    names: Iterable[str] | None = None, *, seconds: float = CHECK_SECONDS
) -> dict[str, str]:
    """Each check's outcome by name (all, or those named): "ok", "not used" or
    "unavailable"."""
    checks = {
        name: READINESS_CHECKS[name]
        for name in (READINESS_CHECKS if names is None else names)
    }
    pool = ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="readiness")
    futures = {name: pool.submit(check) for name, check in checks.items()}
    wait(futures.values(), timeout=seconds)
    pool.shutdown(wait=False, cancel_futures=True)  # a hung check is left behind
    outcomes = {}
    for name, future in futures.items():
        if not future.done():
            logger.warning("Readiness: %s did not answer in %s s", name, seconds)
            outcomes[name] = UNAVAILABLE
        elif future.exception() is not None:
            logger.warning("Readiness: %s failed: %s", name, future.exception())
            outcomes[name] = UNAVAILABLE
        else:
            outcomes[name] = future.result()
    return outcomes
