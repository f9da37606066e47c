"""Celery tasks of the assurance app: each calls one service that does the work."""

from celery import shared_task
from django.utils import timezone

from assessments.render_jobs import render_task_options, run_render_task
from assurance.services.findings import corrective_actions_notify_overdue
from assurance.services.packs import (
    PACK_JOB,
    PACK_SOFT_TIME_LIMIT,
    PACK_TIME_LIMIT,
    audit_pack_render,
    audit_packs_requeue_stuck,
)


@shared_task(
    name="assurance.corrective_actions_overdue",
    acks_late=True,
    soft_time_limit=600,
    time_limit=660,
)
def corrective_actions_overdue_task() -> str:
    """Daily (setup_schedules): e-mail each overdue corrective action's owner,
    once per due date; running twice sends nothing new."""
    sent = corrective_actions_notify_overdue(today=timezone.localdate())
    return f"{sent} overdue corrective action reminders sent"


@shared_task(
    name="assurance.audit_pack_render",
    **render_task_options(
        soft_time_limit=PACK_SOFT_TIME_LIMIT, time_limit=PACK_TIME_LIMIT
    ),
)
def audit_pack_render_task(self, pack_id: int) -> str:
    """Render an audit pack, as a report is rendered."""
    return run_render_task(
        self, lambda: audit_pack_render(pack_id=pack_id), job=PACK_JOB, pk=pack_id
    )


@shared_task(
    name="assurance.audit_packs_resend_stuck", soft_time_limit=60, time_limit=90
)
def audit_packs_resend_stuck_task() -> str:
    """Every few minutes (setup_schedules): packs whose message was lost are
    sent again."""
    return f"{audit_packs_requeue_stuck()} stuck audit packs sent again"
