import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from assessments.services.schedules import schedules_run


class Command(BaseCommand):
    help = (
        "Run the daily assessment schedule now, in this process: open due "
        "assessments, send reminders, queue reports. Safe to repeat."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            default=None,
            help="Run as if today were this date (YYYY-MM-DD).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = schedules_run(today=options["date"] or timezone.localdate())
        self.stdout.write(self.style.SUCCESS(f"Schedule run: {summary}."))
