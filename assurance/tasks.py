"""Celery tasks of the assurance app: each calls one service that does the work."""

from celery import shared_task
from django.utils import timezone

from assurance.services.findings import corrective_actions_notify_overdue


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
