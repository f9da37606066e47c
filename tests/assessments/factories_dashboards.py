"""Helpers for the dashboard tests: rated assessments and a portfolio of any size."""

import datetime
import io
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from assessments.choices import AssessmentKind, AssessmentStatus
from assessments.models import Assessment
from assessments.selectors.dashboards import (
    dashboard_catalogue_invalidate,
    last_ended_period,
)
from relationships.models import Partnership, Relationship
from tests.factories import AssessmentFactory, rate_all_principles

Q4_2025 = (datetime.date(2025, 10, 1), datetime.date(2025, 12, 31))
Q1_2026 = (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
PORTFOLIO_PASSWORD = "portfolio-test-password"


def rated(
    relationship: Relationship,
    levels: list[int],
    *,
    period: tuple[datetime.date, datetime.date] = Q1_2026,
    partnership: Partnership | None = None,
    status: str = AssessmentStatus.FINAL,
) -> Assessment:
    """A joint assessment (or a partner's self-assessment) rating all 12."""
    assessment = AssessmentFactory(
        relationship=relationship,
        kind=AssessmentKind.SELF if partnership else AssessmentKind.JOINT,
        partnership=partnership,
        status=status,
        period_start=period[0],
        period_end=period[1],
    )
    rate_all_principles(assessment, levels)
    return assessment


def last_quarter() -> tuple[datetime.date, datetime.date]:
    """The last complete calendar quarter before today."""
    return last_ended_period(today=timezone.localdate(), months=3)


def generate_portfolio(size: int, **options: Any) -> None:
    call_command(
        "generate_portfolio",
        relationships=size,
        password=PORTFOLIO_PASSWORD,
        stdout=io.StringIO(),
        **options,
    )
    # The command's summaries loaded the catalogue kept per process: drop it, so
    # that the first page measured is a cold one.
    dashboard_catalogue_invalidate()
