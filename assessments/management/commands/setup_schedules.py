from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from assessments.services.schedules import (
    DAILY_SCHEDULE_NAME,
    RESEND_EVERY_MINUTES,
    RESEND_SCHEDULE_NAME,
    SUMMARIES_AT,
    SUMMARIES_SCHEDULE_NAME,
)
from assurance.services.findings import OVERDUE_SCHEDULE_NAME
from assurance.services.packs import PACK_RESEND_SCHEDULE_NAME


def _daily_at(hour: int, minute: int) -> CrontabSchedule:
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute=str(minute),
        hour=str(hour),
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
    )
    return crontab


class Command(BaseCommand):
    help = (
        "Register the daily assessment schedule with django-celery-beat (opens due "
        "assessments, sends reminders, queues reports), the portfolio summaries "
        "for the new day just after midnight, and the re-send of stuck reports "
        "every few minutes. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hour", type=int, default=6, help="Hour of the run.")
        parser.add_argument("--minute", type=int, default=15)

    def handle(self, *args: Any, **options: Any) -> None:
        crontab = _daily_at(options["hour"], options["minute"])
        periodic_task, created = PeriodicTask.objects.update_or_create(
            name=DAILY_SCHEDULE_NAME,
            defaults={
                "task": "assessments.schedules_daily",
                "crontab": crontab,
                "interval": None,
                "enabled": True,
                "one_off": False,
                "description": (
                    "Opens due assessments, reminds relationship managers, "
                    "queues the reports of finished periods and reminds of "
                    "documents due for review or expiring."
                ),
            },
        )
        verb = "Registered" if created else "Updated"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} '{periodic_task.name}': daily at "
                f"{options['hour']:02d}:{options['minute']:02d} ({crontab.timezone})."
            )
        )
        self._register_summaries()
        self._register_resend()
        self._register_resend(
            name=PACK_RESEND_SCHEDULE_NAME,
            task="assurance.audit_packs_resend_stuck",
            what="audit packs",
        )
        self._register_overdue_corrective_actions(crontab)

    def _register_summaries(self) -> None:
        """The portfolio's overdue counts and assessment states are for a day:
        worked out for the new one just after midnight, so that the portfolio's
        first views of the day find them (until then a large portfolio shows the
        day before's, and queues this same task)."""
        hour, minute = SUMMARIES_AT
        crontab = _daily_at(hour, minute)
        periodic_task, created = PeriodicTask.objects.update_or_create(
            name=SUMMARIES_SCHEDULE_NAME,
            defaults={
                "task": "assessments.summaries_refresh_stale",
                "crontab": crontab,
                "interval": None,
                "enabled": True,
                "one_off": False,
                "description": (
                    "Works out the portfolio summaries (overdue counts, assessment "
                    "states) for the new day."
                ),
            },
        )
        verb = "Registered" if created else "Updated"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} '{periodic_task.name}': daily at {hour:02d}:{minute:02d} "
                f"({crontab.timezone})."
            )
        )

    def _register_resend(
        self,
        *,
        name: str = RESEND_SCHEDULE_NAME,
        task: str = "assessments.reports_resend_stuck",
        what: str = "reports",
    ) -> None:
        interval, _ = IntervalSchedule.objects.get_or_create(
            every=RESEND_EVERY_MINUTES, period=IntervalSchedule.MINUTES
        )
        periodic_task, created = PeriodicTask.objects.update_or_create(
            name=name,
            defaults={
                "task": task,
                "interval": interval,
                "crontab": None,
                "enabled": True,
                "one_off": False,
                # A tick the beat could not deliver (broker down) is not worth
                # running late: the next one does the same work.
                "expire_seconds": RESEND_EVERY_MINUTES * 60,
                "description": (
                    f"Sends again the {what} left queued after their message was "
                    "lost (the broker was down, a worker vanished)."
                ),
            },
        )
        verb = "Registered" if created else "Updated"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} '{periodic_task.name}': every {RESEND_EVERY_MINUTES} minutes."
            )
        )

    def _register_overdue_corrective_actions(self, crontab: CrontabSchedule) -> None:
        periodic_task, created = PeriodicTask.objects.update_or_create(
            name=OVERDUE_SCHEDULE_NAME,
            defaults={
                "task": "assurance.corrective_actions_overdue",
                "crontab": crontab,
                "interval": None,
                "enabled": True,
                "one_off": False,
                "description": (
                    "E-mails the owner of each overdue corrective action, once "
                    "per due date."
                ),
            },
        )
        verb = "Registered" if created else "Updated"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} '{periodic_task.name}': daily, with the above.")
        )
