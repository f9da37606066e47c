from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from assessments.services.schedules import DAILY_SCHEDULE_NAME


class Command(BaseCommand):
    help = (
        "Register the daily assessment schedule with django-celery-beat (opens due "
        "assessments, sends reminders, queues reports). Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hour", type=int, default=6, help="Hour of the run.")
        parser.add_argument("--minute", type=int, default=15)

    def handle(self, *args: Any, **options: Any) -> None:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=str(options["minute"]),
            hour=str(options["hour"]),
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
        )
        periodic_task, created = PeriodicTask.objects.update_or_create(
            name=DAILY_SCHEDULE_NAME,
            defaults={
                "task": "assessments.schedules_daily",
                "crontab": crontab,
                "interval": None,
                "enabled": True,
                "one_off": False,
                "description": (
                    "Opens due assessments, reminds relationship managers and "
                    "queues the reports of finished periods."
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
