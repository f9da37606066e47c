"""What both dashboards share: the maturity scale, the catalogue kept per process,
assessment periods and their state, trends, bars and short dates."""

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

from django.db.models import QuerySet

from assessments.choices import (
    CADENCE_MONTHS,
    VISIBLE_TO_PARTNERS,
    AssessmentKind,
    Cadence,
)
from assessments.models import Assessment, AssessmentSchedule
from principles.models import LifecycleStage, MaturityLevel, Principle
from relationships.caching import catalogue_changed
from relationships.choices import RelationshipStatus
from relationships.models import (
    OPEN_ACTION_STATUSES,
    OPEN_RISK_STATUSES,
    Action,
    Relationship,
    Risk,
)
from relationships.templatetags.registers import day as day_text

# Only relationships that are running are expected to assess themselves.
ASSESSED_STATUSES = (RelationshipStatus.ACTIVE, RelationshipStatus.EXITING)

# Short column headings for the 12 principles, matched by number across the
# principle sets; the full canonical name goes in the heading's title attribute.
PRINCIPLE_SHORT_NAMES = {
    1: "Rel. mgmt",
    2: "Vision",
    3: "Objectives",
    4: "Leadership",
    5: "Governance",
    6: "Behaviour",
    7: "Trust",
    8: "Value",
    9: "Knowledge",
    10: "Risk",
    11: "Measure",
    12: "Exit",
}


class AssessmentState:
    """Where a relationship stands against its assessment schedule."""

    NOT_EXPECTED = "none"
    DONE = "done"
    DUE = "due"
    OVERDUE = "overdue"


# --- maturity scale ------------------------------------------------------------


@dataclass(frozen=True)
class MaturityScale:
    """The 5 maturity levels: 0-100 score and name of each."""

    scores: dict[int, int]
    names: dict[int, str]

    def band(self, score: float | None) -> int:
        """The level whose score is nearest, for colouring an overall score."""
        if score is None or not self.scores:
            return 0
        return min(self.scores, key=lambda level: abs(self.scores[level] - score))


def maturity_scale() -> MaturityScale:
    rows = list(MaturityLevel.objects.values_list("level", "score", "name"))
    return MaturityScale(
        scores={level: score for level, score, _ in rows},
        names={level: name for level, _, name in rows},
    )


@dataclass(frozen=True)
class DashboardCatalogue:
    """The reference data every dashboard needs: maturity scale and stages."""

    scale: MaturityScale
    stages: list[tuple[int, str]]
    principles: dict[str, list[Principle]]

    @cached_property
    def principle_numbers(self) -> dict[int, int]:
        """Principle id to number (1-12), across all principle sets."""
        return {
            principle.pk: principle.number
            for principles in self.principles.values()
            for principle in principles
        }


# Catalogue data changes only when the catalogue is reloaded (a migration or
# `load_catalogue`), so each process keeps it for a few minutes, and drops it
# when a maturity level, stage or principle is saved in this process.
CATALOGUE_SECONDS = 300
_catalogue_memo: dict[str, tuple[float, DashboardCatalogue]] = {}


def dashboard_catalogue() -> DashboardCatalogue:
    memo = _catalogue_memo.get("catalogue")
    if memo is not None and time.monotonic() - memo[0] < CATALOGUE_SECONDS:
        return memo[1]
    catalogue = DashboardCatalogue(
        scale=maturity_scale(),
        stages=list(
            LifecycleStage.objects.order_by("number").values_list("number", "name")
        ),
        principles=_principles_by_set(),
    )
    _catalogue_memo["catalogue"] = (time.monotonic(), catalogue)
    return catalogue


def _principles_by_set() -> dict[str, list[Principle]]:
    principles: dict[str, list[Principle]] = {}
    for principle in Principle.objects.select_related("principle_set").order_by(
        "principle_set_id", "number"
    ):
        principles.setdefault(principle.principle_set.key, []).append(principle)
    return principles


def dashboard_catalogue_invalidate(**kwargs: object) -> None:
    _catalogue_memo.clear()
    catalogue_changed()  # cached pages show stage and principle names


# --- assessment periods --------------------------------------------------------


def last_ended_period(*, today: date, months: int) -> tuple[date, date]:
    """The most recent complete period of `months` months, periods counted from
    1 January (so quarters are calendar quarters)."""
    current_start = date(today.year, (today.month - 1) // months * months + 1, 1)
    end = current_start - timedelta(days=1)
    start = date(end.year, (end.month - 1) // months * months + 1, 1)
    return start, end


def last_ended_periods(today: date) -> dict[str, tuple[date, date]]:
    return {
        cadence: last_ended_period(today=today, months=months)
        for cadence, months in CADENCE_MONTHS.items()
    }


def assessment_period_state(
    relationship: Relationship,
    *,
    latest_joint_start: date | None,
    today: date,
    periods: dict[str, tuple[date, date]] | None = None,
) -> tuple[str, date]:
    """Where a relationship stands against its schedule, given the start
    of its latest shared joint assessment: the state and the end of the period
    it is about. Reading relationship.assessment_schedule costs a query unless it
    was select_related."""
    try:
        schedule = relationship.assessment_schedule
    except AssessmentSchedule.DoesNotExist:
        schedule = None
    cadence = schedule.cadence if schedule else Cadence.QUARTERLY
    grace = (
        schedule.grace_days
        if schedule
        else AssessmentSchedule._meta.get_field("grace_days").default
    )
    start, end = (periods or last_ended_periods(today))[cadence]
    if (
        (schedule is not None and not schedule.active)
        or relationship.status not in ASSESSED_STATUSES
        or (relationship.start_date is not None and relationship.start_date > end)
    ):
        return AssessmentState.NOT_EXPECTED, end
    if latest_joint_start is not None and latest_joint_start >= start:
        return AssessmentState.DONE, end
    if (today - end).days > grace:
        return AssessmentState.OVERDUE, end
    return AssessmentState.DUE, end


def overdue_actions(today: date) -> QuerySet[Action]:
    return Action.objects.filter(status__in=OPEN_ACTION_STATUSES, due_date__lt=today)


def risks_past_review(today: date) -> QuerySet[Risk]:
    return Risk.objects.filter(status__in=OPEN_RISK_STATUSES, review_date__lt=today)


def shared_joint_assessments() -> QuerySet[Assessment]:
    return Assessment.objects.filter(
        kind=AssessmentKind.JOINT, status__in=VISIBLE_TO_PARTNERS
    )


# --- shared by both dashboards -------------------------------------------------


@dataclass(frozen=True)
class Trend:
    delta: int | None
    text: str
    label: str
    css: str


def trend_for(delta: int | None) -> Trend:
    """An arrow with the signed change in score points, and words for it."""
    if delta is None:
        return Trend(None, "–", "no earlier joint assessment to compare", "trend-none")
    if delta > 0:
        return Trend(delta, f"↑ +{delta}", f"up {delta} points", "trend-up")
    if delta < 0:
        return Trend(delta, f"↓ −{-delta}", f"down {-delta} points", "trend-down")
    return Trend(0, "→ 0", "unchanged", "trend-flat")


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    percent: int
    title: str = ""


def bars_from_counts(counts: list[tuple[str, int, str]]) -> list[Bar]:
    largest = max((count for _, count, _ in counts), default=0) or 1
    return [
        Bar(label=label, count=count, percent=round(count * 100 / largest), title=title)
        for label, count, title in counts
    ]


def short_date(day: date | datetime | None) -> str:
    """'7 Dec 2026', the month's name in the active language (as |date:"j M Y"):
    the register tables' `|day`, remembered per value and language."""
    return day_text(day)


# --- cache invalidation --------------------------------------------------------
# Rows the dashboards show change the data version (relationships/caching.py; the
# app configs connect the models, and the catalogue's to
# dashboard_catalogue_invalidate, which also drops the per-process copy).
