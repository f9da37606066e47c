from typing import Any

from django.core.management.base import BaseCommand

from assessments.services.summaries import portfolio_totals_recount


class Command(BaseCommand):
    help = (
        "Count every organisation's portfolio totals (what the unfiltered "
        "portfolio shows beside the grid) afresh from the relationship summaries. "
        "The services keep them as they write the summaries and the nightly job "
        "recounts them; run it after changing summaries by hand. Safe to repeat."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        written = portfolio_totals_recount()
        self.stdout.write(
            self.style.SUCCESS(
                f"Counted the portfolio totals of {written} organisations."
            )
        )
