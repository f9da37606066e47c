from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assessments.demo import demo_reports_load
from assurance.demo_packs import demo_audit_packs_load
from relationships.demo import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = (
        "Load demo organisations, users, relationships, plans and assessments "
        "(local evaluation only; safe to run again)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError(
                "Demo data is for local evaluation only and is refused here. "
                "Set DEMO_DATA_ALLOWED=true (the default when DEBUG is on) on a "
                "disposable database to load it."
            )
        result = demo_load()
        demo_reports_load()
        demo_audit_packs_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded: {result.summary()}. "
                f"Demo accounts use the password {DEMO_PASSWORD!r}."
            )
        )
