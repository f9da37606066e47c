"""Celery tasks: each takes ids, and calls one service that does the work.

Reliability lives in the services (claims, attempt counter, notices); the task
options add at-least-once delivery (acks_late, reject_on_worker_lost), retries of
transient errors only, and per-task time limits.
"""

import datetime
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from celery import current_app, shared_task
from django.utils import timezone

from assessments.render_jobs import render_task_options, run_render_task
from assessments.services.reports import (
    REPORT_JOB,
    REPORT_SOFT_TIME_LIMIT,
    REPORT_TIME_LIMIT,
    TRANSIENT_ERRORS,
    report_notify,
    report_render,
    reports_requeue_stuck,
)
from assessments.services.schedules import schedules_run
from assessments.services.summaries import relationship_summaries_refresh_stale

logger = logging.getLogger(__name__)

# A day's run holds its Redis key this long, so a second beat's run of the same
# day finds it and does nothing.
DAILY_LOCK_SECONDS = 2 * 24 * 3600


@shared_task(
    name="assessments.report_render",
    **render_task_options(
        soft_time_limit=REPORT_SOFT_TIME_LIMIT, time_limit=REPORT_TIME_LIMIT
    ),
)
def report_render_task(self, report_id: int) -> str:
    return run_render_task(
        self,
        lambda: report_render(report_id=report_id),
        job=REPORT_JOB,
        pk=report_id,
    )


@shared_task(
    bind=True,
    name="assessments.report_notify",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=6,
)
def report_notify_task(self, report_id: int) -> int:
    try:
        return report_notify(report_id=report_id)
    except OSError:
        if not self.request.is_eager:
            raise  # the mail server may be back later: autoretry_for
        # In eager mode this runs inside someone's web request: log, not crash.
        logger.exception("Could not e-mail the link to report %s", report_id)
        return 0


def _redis_client() -> redis.Redis | None:
    broker_url = current_app.conf.broker_url or ""
    if not broker_url.startswith(("redis://", "rediss://")):
        return None
    return redis.Redis.from_url(broker_url, socket_timeout=10)


@contextmanager
def daily_run_lock(day: datetime.date) -> Iterator[bool]:
    """True for the first run of the day across every beat and worker, else False.

    Without a Redis broker (the embedded setup, tasks run eagerly in one process)
    there is nothing to coordinate with and every run goes ahead.
    """
    client = _redis_client()
    if client is None:
        yield True
        return
    key = f"partnerplan:assessments:daily-schedule:{day.isoformat()}"
    if not client.set(key, timezone.now().isoformat(), nx=True, ex=DAILY_LOCK_SECONDS):
        yield False
        return
    try:
        yield True
    except BaseException:
        client.delete(key)  # a failed run must not block the retry
        raise


# A run over every relationship: retried on a lost connection, given half an hour.
_PORTFOLIO_WIDE = {
    "acks_late": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 60,
    "max_retries": 3,
    "soft_time_limit": 1800,
    "time_limit": 2000,
}


@shared_task(name="assessments.schedules_daily", **_PORTFOLIO_WIDE)
def schedules_daily_task() -> str:
    today = timezone.localdate()
    with daily_run_lock(today) as first_run:
        if not first_run:
            return f"The {today} schedule has already run; nothing done."
        outcome = schedules_run(today=today)
        # The portfolio's overdue counts and assessment states are for a day: the
        # day's first portfolio view would otherwise work them out.
        summaries = relationship_summaries_refresh_stale(today=today)
        return f"{outcome}; {summaries} portfolio summaries refreshed"


@shared_task(name="assessments.summaries_refresh_stale", **_PORTFOLIO_WIDE)
def summaries_refresh_stale_task() -> str:
    """Queued by a portfolio view that found more of its summaries of another day
    than it works out itself (`portfolio_for_user`): after midnight, before the
    daily run."""
    written = relationship_summaries_refresh_stale(today=timezone.localdate())
    return f"{written} portfolio summaries refreshed"


@shared_task(name="assessments.reports_resend_stuck", soft_time_limit=60, time_limit=90)
def reports_resend_stuck_task() -> str:
    """Every few minutes (setup_schedules): a report whose message was lost while
    the broker was down is sent again, rather than at the next day's run."""
    return f"{reports_requeue_stuck()} stuck reports sent again"
