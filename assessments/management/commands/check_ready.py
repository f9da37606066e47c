from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.health import READINESS_CHECKS, UNAVAILABLE, readiness


class Command(BaseCommand):
    help = (
        "The readiness checks of /healthz/ready/ (database, cache, broker), for the "
        "containers that serve no HTTP (the beat): exits 1 naming what is down."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "checks",
            nargs="*",
            choices=sorted(READINESS_CHECKS),
            help="Only these checks (all by default).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        outcomes = readiness(options["checks"] or None)
        for name, outcome in outcomes.items():
            self.stdout.write(f"{name}: {outcome}")
        failed = sorted(
            name for name, outcome in outcomes.items() if outcome == UNAVAILABLE
        )
        if failed:
            raise CommandError(f"Not ready: {', '.join(failed)} unavailable.")
