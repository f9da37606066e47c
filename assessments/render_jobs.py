"""Rendering a file in a worker, for any row that keeps its own status: the
claim, the attempt budget, failure, release for a later try, and storing the
result. Reports (`assessments.services.reports`) and audit packs
(`assurance.services.packs`) share it.

A row goes queued -> running -> done (or failed). The worker claims the row with
a conditional update and stops when it did not get it, so a retried, duplicated
or redelivered task never renders twice, and a done row is never rendered again.
The attempt counter grows at every claim: a row that kills its worker each time
is failed after `max_attempts` instead of looping.

The conditional updates bypass django-simple-history's save() signal, so each
one that took effect writes its history record itself (`RenderJob.record`).
"""

import datetime
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from celery.exceptions import MaxRetriesExceededError, SoftTimeLimitExceeded
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.storage import default_storage
from django.db import OperationalError, transaction
from django.db.models import F, Model, Q, QuerySet
from django.utils import timezone

from assessments.choices import ReportStatus

logger = logging.getLogger(__name__)

# Worth another try later: the database or the disk was briefly unavailable.
TRANSIENT_ERRORS = (OperationalError, OSError)


class RenderOutcome(StrEnum):
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"  # done, failed or gone: nothing to do
    BUSY = "busy"  # another worker holds a fresh claim


@dataclass(frozen=True)
class RenderJob:
    """How one model's rows are claimed, failed, released and finished. The
    model has `status` (ReportStatus values), `started_at`, `attempts`, `error`,
    `error_detail` and a django-simple-history `history`."""

    model: type[Model]
    noun: str  # "report", "audit pack": in what readers are told
    stale_after: datetime.timedelta
    soft_time_limit: int
    max_attempts: int = 3
    select_related: tuple[str, ...] = ()
    log: logging.Logger = logger

    # --- history -------------------------------------------------------------

    def record(
        self,
        row: Model,
        *,
        reason: str,
        user: AbstractBaseUser | None = None,
        **changes: object,
    ) -> None:
        """Write the history record of a conditional update that took effect,
        from the values it set (no second read of the row)."""
        for field_name, value in changes.items():
            setattr(row, field_name, value)
        self.model.history.bulk_history_create(
            [row], update=True, default_user=user, default_change_reason=reason
        )

    # --- claims --------------------------------------------------------------

    @transaction.atomic
    def claim(self, *, pk: int, now: datetime.datetime) -> Model | None:
        """The claimed row, or None when another worker has it or it is settled."""
        claimable = Q(status=ReportStatus.QUEUED) | Q(
            status=ReportStatus.RUNNING, started_at__lt=now - self.stale_after
        )
        updated = (
            self.model.objects.filter(pk=pk)
            .filter(claimable)
            .update(
                status=ReportStatus.RUNNING,
                started_at=now,
                attempts=F("attempts") + 1,
            )
        )
        if updated != 1:
            return None
        row = self.model.objects.select_related(*self.select_related).get(pk=pk)
        self.record(
            row, reason=f"Claimed by the {self.noun} worker (attempt {row.attempts})"
        )
        return row

    def mine(self, row: Model, claimed_at: datetime.datetime) -> QuerySet:
        return self.model.objects.filter(
            pk=row.pk, status=ReportStatus.RUNNING, started_at=claimed_at
        )

    @transaction.atomic
    def fail(
        self,
        row: Model,
        *,
        claimed_at: datetime.datetime,
        error: str,
        detail: str = "",
    ) -> None:
        changes = {
            "status": ReportStatus.FAILED,
            "error": error[:2000],
            "error_detail": detail[:20_000],
        }
        if self.mine(row, claimed_at).update(**changes) == 1:
            self.record(row, reason="Rendering failed", **changes)

    @transaction.atomic
    def release(self, row: Model, *, claimed_at: datetime.datetime) -> None:
        changes = {"status": ReportStatus.QUEUED, "started_at": None}
        if self.mine(row, claimed_at).update(**changes) == 1:
            self.record(row, reason="Released for a later try", **changes)

    def finish(
        self,
        row: Model,
        *,
        claimed_at: datetime.datetime,
        changes: dict[str, object],
        stored_names: list[str],
    ) -> bool:
        """Mark the row done with `changes` if the claim is still ours; else
        delete the files this worker stored (another one took the row over)."""
        changes = {
            "status": ReportStatus.DONE,
            "generated_at": timezone.now(),
            "error": "",
            "error_detail": "",
            **changes,
        }
        with transaction.atomic():
            updated = self.mine(row, claimed_at).update(**changes)
            if updated == 1:
                self.record(row, reason="Rendered", **changes)
        if updated != 1:
            for name in stored_names:
                default_storage.delete(name)
        return updated == 1

    # --- the whole render ----------------------------------------------------

    def failed_on_error(self) -> str:
        # What readers are told: the exception (which may name server paths and
        # internals) is logged and kept in error_detail.
        return (
            f"Something went wrong on our side while drawing this {self.noun}. "
            "Try again; if it fails again, tell your site's administrator, who "
            "can see what happened."
        )

    def failed_unavailable(self) -> str:
        return (
            f"The {self.noun} could not be drawn in {self.max_attempts} attempts: "
            "the server's storage or database did not answer. Try again later."
        )

    def render(
        self,
        *,
        pk: int,
        now: datetime.datetime | None,
        build: Callable[[Model, datetime.datetime], bool],
    ) -> RenderOutcome:
        """Claim the row and call `build(row, claimed_at)`, which renders and
        stores (True when stored); a RenderOutcome says what happened.

        Deliberately not one transaction: the claim must be visible to other
        workers while this one renders, for seconds. Transient errors release
        the row and propagate (the task retries), until the attempt budget is
        spent; any other error fails the row with a message for its readers.
        """
        claimed_at = now or timezone.now()
        row = self.claim(pk=pk, now=claimed_at)
        if row is None:
            status = (
                self.model.objects.filter(pk=pk)
                .values_list("status", flat=True)
                .first()
            )
            if status == ReportStatus.RUNNING:
                return RenderOutcome.BUSY
            return RenderOutcome.SKIPPED
        if row.attempts > self.max_attempts:
            self.fail(
                row,
                claimed_at=claimed_at,
                error=(
                    f"Gave up after {self.max_attempts} attempts: the worker "
                    f"stopped while rendering this {self.noun} each time."
                ),
            )
            return RenderOutcome.FAILED
        try:
            stored = build(row, claimed_at)
        except TRANSIENT_ERRORS:
            if row.attempts >= self.max_attempts:
                self.log.exception(
                    "%s %s: gave up after transient errors", self.noun, pk
                )
                self.fail(
                    row,
                    claimed_at=claimed_at,
                    error=self.failed_unavailable(),
                    detail=traceback.format_exc(),
                )
                return RenderOutcome.FAILED
            self.release(row, claimed_at=claimed_at)
            raise
        except SoftTimeLimitExceeded:
            self.fail(
                row,
                claimed_at=claimed_at,
                error=f"Rendering took longer than {self.soft_time_limit} seconds.",
            )
            return RenderOutcome.FAILED
        except Exception:
            self.log.exception("%s %s failed to render", self.noun, pk)
            self.fail(
                row,
                claimed_at=claimed_at,
                error=self.failed_on_error(),
                detail=traceback.format_exc(),
            )
            return RenderOutcome.FAILED
        return RenderOutcome.DONE if stored else RenderOutcome.SKIPPED


def render_eagerly(render: Callable[[], str], *, noun: str, pk: int, tries: int) -> str:
    """Eager (embedded) mode has no worker to retry later, and an error must not
    reach the web request that queued the work: try again at once, a bounded
    number of times (the job fails the row after its attempt budget)."""
    for _ in range(tries):
        try:
            return str(render())
        except TRANSIENT_ERRORS:
            logger.warning("%s %s: transient error, trying again", noun, pk)
    logger.error("%s %s: left queued after repeated errors", noun, pk)
    return "error"


def render_task_options(*, soft_time_limit: int, time_limit: int) -> dict:
    """Celery options of a render task: at-least-once delivery (acks_late,
    reject_on_worker_lost), transient errors retried with back-off, per-task
    time limits. The job's claim makes a redelivered task harmless."""
    return {
        "bind": True,
        "acks_late": True,
        "reject_on_worker_lost": True,
        "autoretry_for": TRANSIENT_ERRORS,
        "retry_backoff": 5,
        "retry_backoff_max": 120,
        "retry_jitter": True,
        "max_retries": 5,
        "soft_time_limit": soft_time_limit,
        "time_limit": time_limit,
    }


def run_render_task(
    task: Any, render: Callable[[], str], *, job: RenderJob, pk: int
) -> str:
    """The body of a render task. Eagerly (no worker), errors stay out of the web
    request (`render_eagerly`); in a worker, transient errors propagate for
    autoretry_for, and when another worker holds a fresh claim the task looks
    again once that claim could have gone stale (its worker may have died)."""
    if task.request.is_eager:
        return render_eagerly(
            render, noun=job.noun.capitalize(), pk=pk, tries=job.max_attempts + 1
        )
    outcome = render()
    if outcome == RenderOutcome.BUSY:
        try:
            raise task.retry(countdown=job.stale_after.total_seconds() + 5)
        except MaxRetriesExceededError:
            pass
    return str(outcome)
