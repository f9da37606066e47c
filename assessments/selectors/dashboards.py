"""Reads for the portfolio and relationship dashboards.

Everything starts from relationships_visible_to(user), so no count, cell or chart
ever includes another tenant's relationship. The number of queries is fixed: it
does not grow with the number of relationships, rows or assessment periods.

Speed, as the portfolio grows:
- the portfolio's counters, distributions and sorted order are computed with
  aggregate queries over the whole filtered portfolio, then kept in the cache per
  user and filter until any source row is saved (relationships/caching.py);
  the page's ids are re-checked against access on every request, and its rendered
  grid rows cached per page of ids, data version and day;
- table rows with many cells are built as HTML here (GridRow.html,
  PrincipleLevels.html): the template engine costs far more per cell;
- charts are memoised by their data, and catalogue data is kept per process.
"""

import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property, lru_cache
from html import escape

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    FloatField,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from assessments.charts import heat_map_cells, radar_chart, risk_heat_map, trend_chart
from assessments.choices import CADENCE_MONTHS, AssessmentKind, Cadence
from assessments.models import Assessment, AssessmentSchedule, PrincipleRating
from assessments.selectors import (
    PERCEPTION_GAP_LEVELS,
    VISIBLE_TO_PARTNERS,
    PerceptionGap,
    perception_gaps_from_levels,
)
from principles.choices import PrincipleKey
from principles.models import LifecycleStage, MaturityLevel, Principle
from relationships.caching import cache_seconds, data_changed, versioned_key
from relationships.choices import (
    ActionStatus,
    ObjectiveStatus,
    PlanVersionStatus,
    RelationshipKind,
    RelationshipStatus,
)
from relationships.models import (
    OPEN_ACTION_STATUSES,
    OPEN_RISK_STATUSES,
    Action,
    Objective,
    Partnership,
    PlanDecision,
    PlanVersion,
    Relationship,
    Risk,
)
from relationships.pagination import LazyRows
from relationships.selectors import ids_visible_to, rows_visible_to

# A screenful for a meeting; every further row costs time on every view.
PORTFOLIO_PAGE_SIZE = 25
ATTENTION_LIST_LENGTH = 5
UPCOMING_DAYS = 90

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


KIND_SHORT_NAMES = {
    RelationshipKind.GENERAL: "General",
    RelationshipKind.LARGE_MSME: "Large organisation–MSMEs",
    RelationshipKind.UNIVERSITY_BUSINESS: "University–business",
}


@dataclass(frozen=True)
class PrincipleColumn:
    number: int
    short_name: str
    name: str


PRINCIPLE_COLUMNS = tuple(
    PrincipleColumn(number=number, short_name=PRINCIPLE_SHORT_NAMES[number], name=name)
    for number, name in enumerate(PrincipleKey.labels, start=1)
)


class AssessmentState:
    """Where a relationship stands against its assessment schedule."""

    NOT_EXPECTED = "none"
    DONE = "done"
    DUE = "due"
    OVERDUE = "overdue"


SORTS = {
    "title": ("title", "pk"),
    "-title": ("-title", "-pk"),
    "score": (F("overall_score").asc(nulls_first=True), "title", "pk"),
    "-score": (F("overall_score").desc(nulls_last=True), "title", "pk"),
    "trend": (F("score_trend").asc(nulls_last=True), "title", "pk"),
    "-trend": (F("score_trend").desc(nulls_last=True), "title", "pk"),
    "stage": ("stage__number", "title", "pk"),
    "-stage": ("-stage__number", "title", "pk"),
}


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
    data_changed()  # cached dashboards show stage and principle names


def _level_score(scale: MaturityScale) -> Case:
    return Case(
        *(
            When(level=level, then=Value(float(score)))
            for level, score in scale.scores.items()
        ),
        output_field=FloatField(),
    )


# --- assessment periods --------------------------------------------------------


def last_ended_period(*, today: date, months: int) -> tuple[date, date]:
    """The most recent complete period of `months` months, periods counted from
    1 January (so quarters are calendar quarters)."""
    current_start = date(today.year, (today.month - 1) // months * months + 1, 1)
    end = current_start - timedelta(days=1)
    start = date(end.year, (end.month - 1) // months * months + 1, 1)
    return start, end


def _periods(today: date) -> dict[str, tuple[date, date]]:
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
    """The rule of with_assessment_state for one loaded relationship and the start
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
    start, end = (periods or _periods(today))[cadence]
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


def _shared_joint() -> QuerySet[Assessment]:
    return Assessment.objects.filter(
        kind=AssessmentKind.JOINT, status__in=VISIBLE_TO_PARTNERS
    )


# --- portfolio annotations -----------------------------------------------------


def with_scores(
    relationships: QuerySet[Relationship], *, scale: MaturityScale
) -> QuerySet[Relationship]:
    """Latest and previous shared joint assessment and their mean 0-100 score."""
    if "overall_score" in relationships.query.annotations:
        return relationships
    joint = (
        _shared_joint().filter(relationship=OuterRef("pk")).order_by("-period_start")
    )
    level_score = _level_score(scale)

    def mean_score(assessment_field: str) -> Subquery:
        return Subquery(
            PrincipleRating.objects.filter(assessment_id=OuterRef(assessment_field))
            .order_by()
            .values("assessment_id")
            .annotate(mean=Avg(level_score))
            .values("mean"),
            output_field=FloatField(),
        )

    return relationships.annotate(
        latest_joint_id=Subquery(joint.values("pk")[:1]),
        previous_joint_id=Subquery(joint.values("pk")[1:2]),
        overall_score=mean_score("latest_joint_id"),
        previous_score=mean_score("previous_joint_id"),
    )


def with_score_trend(
    relationships: QuerySet[Relationship], *, scale: MaturityScale
) -> QuerySet[Relationship]:
    """The change of score since the previous joint assessment (only for sorting:
    the expression repeats the score subqueries)."""
    if "score_trend" in relationships.query.annotations:
        return relationships
    return with_scores(relationships, scale=scale).annotate(
        score_trend=F("overall_score") - F("previous_score")
    )


def with_assessment_state(
    relationships: QuerySet[Relationship], *, today: date
) -> QuerySet[Relationship]:
    """Whether the last complete period of the relationship's cadence (quarterly
    without a schedule) has a shared joint assessment; overdue after grace_days."""
    if "assessment_state" in relationships.query.annotations:
        return relationships
    periods = _periods(today)
    default_grace = AssessmentSchedule._meta.get_field("grace_days").default

    def per_cadence(values: dict[str, object], output_field) -> Case:
        return Case(
            *(
                When(schedule_cadence=cadence, then=Value(value))
                for cadence, value in values.items()
            ),
            output_field=output_field,
        )

    relationships = relationships.annotate(
        schedule_cadence=Coalesce(
            "assessment_schedule__cadence",
            Value(Cadence.QUARTERLY),
            output_field=CharField(),
        ),
        schedule_grace=Coalesce(
            "assessment_schedule__grace_days", Value(default_grace)
        ),
        schedule_active=Coalesce(
            "assessment_schedule__active", Value(True), output_field=BooleanField()
        ),
    )
    relationships = relationships.annotate(
        expected_start=per_cadence(
            {cadence: start for cadence, (start, _) in periods.items()}, DateField()
        ),
        expected_end=per_cadence(
            {cadence: end for cadence, (_, end) in periods.items()}, DateField()
        ),
        days_since_period_end=per_cadence(
            {cadence: (today - end).days for cadence, (_, end) in periods.items()},
            IntegerField(),
        ),
    )
    return relationships.annotate(
        assessment_state=Case(
            When(
                Q(schedule_active=False)
                | ~Q(status__in=ASSESSED_STATUSES)
                | Q(start_date__gt=F("expected_end")),
                then=Value(AssessmentState.NOT_EXPECTED),
            ),
            When(
                Exists(
                    _shared_joint().filter(
                        relationship=OuterRef("pk"),
                        period_start__gte=OuterRef("expected_start"),
                    )
                ),
                then=Value(AssessmentState.DONE),
            ),
            When(
                days_since_period_end__gt=F("schedule_grace"),
                then=Value(AssessmentState.OVERDUE),
            ),
            default=Value(AssessmentState.DUE),
            output_field=CharField(),
        )
    )


def _overdue_actions(today: date) -> QuerySet[Action]:
    return Action.objects.filter(status__in=OPEN_ACTION_STATUSES, due_date__lt=today)


def _risks_past_review(today: date) -> QuerySet[Risk]:
    return Risk.objects.filter(status__in=OPEN_RISK_STATUSES, review_date__lt=today)


def with_overdue_items(
    relationships: QuerySet[Relationship], *, today: date
) -> QuerySet[Relationship]:
    """Flag relationships with an overdue action, a risk past its review date or
    an overdue joint assessment."""
    relationships = with_assessment_state(relationships, today=today)
    return relationships.annotate(
        has_overdue_items=Case(
            When(
                Exists(_overdue_actions(today).filter(relationship=OuterRef("pk")))
                | Exists(_risks_past_review(today).filter(relationship=OuterRef("pk")))
                | Q(assessment_state=AssessmentState.OVERDUE),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def portfolio_sort(
    relationships: QuerySet[Relationship], *, sort: str, scale: MaturityScale
) -> QuerySet[Relationship]:
    if sort in ("trend", "-trend"):
        relationships = with_score_trend(relationships, scale=scale)
    elif sort in ("score", "-score"):
        relationships = with_scores(relationships, scale=scale)
    return relationships.order_by(*SORTS.get(sort, SORTS["title"]))


# --- portfolio grid ------------------------------------------------------------


@dataclass(frozen=True)
class GridRow:
    reference: str
    title: str
    url: str
    stage_number: int
    stage_name: str
    kind: str
    cells: SafeString
    score: int | None
    score_text: str
    score_band: int
    trend: int | None
    trend_text: str
    trend_label: str
    trend_css: str
    assessment_state: str

    @property
    def html(self) -> SafeString:
        """The whole table row. Built here rather than in the template: a page
        of 50 rows costs ~0.5 ms this way and ~15 ms through template lookups."""
        return mark_safe(
            _ROW.format(
                url=escape(self.url),
                title=escape(self.title),
                state=_STATE_NOTES.get(self.assessment_state, ""),
                reference=escape(self.reference),
                kind=escape(self.kind),
                stage_name=escape(self.stage_name),
                stage_number=self.stage_number,
                cells=self.cells,
                score_band=self.score_band,
                score_text=self.score_text,
                trend_css=self.trend_css,
                trend_label=escape(self.trend_label),
                trend_text=self.trend_text,
            )
        )


_ROW = (
    '<tr><th scope="row" class="rel-title ps-3 fw-normal">'
    '<a href="{url}" title="{title}">{title}</a>'
    '<small class="d-block text-muted">{state}{reference} · {kind}</small></th>'
    '<td class="stage" title="{stage_name}">{stage_number}</td>{cells}'
    '<td class="score l{score_band}">{score_text}</td>'
    '<td class="trend {trend_css}" title="{trend_label}">{trend_text}'
    '<span class="visually-hidden"> ({trend_label})</span></td></tr>\n'
)
_STATE_NOTES = {
    "overdue": '<span class="text-danger fw-semibold">assessment overdue</span> · ',
    "due": '<span class="text-warning-emphasis fw-semibold">assessment due</span> · ',
}


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


# The cells are plain numbers in fixed markup: escaping is not needed for ints,
# and building them here avoids ~600 template-variable lookups per page.
_CELL = '<td class="hg l{0}">{0}</td>'
_EMPTY_CELL = '<td class="hg l0"><span class="visually-hidden">not rated</span></td>'


def _cells_html(levels: dict[int, int]) -> SafeString:
    return mark_safe(
        "".join(
            _CELL.format(levels[column.number])
            if column.number in levels
            else _EMPTY_CELL
            for column in PRINCIPLE_COLUMNS
        )
    )


def _mean_of_scores(levels: dict[int, int], scale: MaturityScale) -> float | None:
    if not levels:
        return None
    return sum(scale.scores.get(level, 0) for level in levels.values()) / len(levels)


def _grid_rows(
    relationships: Sequence[Relationship], *, scale: MaturityScale, today: date
) -> list[GridRow]:
    """Rows of the grid, with two more queries: each relationship's latest two
    shared joint assessments (a window function), then their ratings."""
    recent: dict[int, list[tuple[date, int]]] = {}
    for relationship_id, assessment_id, period_start in (
        _shared_joint()
        .filter(relationship_id__in=[relationship.pk for relationship in relationships])
        .annotate(
            recency=Window(
                RowNumber(),
                partition_by=[F("relationship_id")],
                order_by=F("period_start").desc(),
            )
        )
        .filter(recency__lte=2)
        .order_by("relationship_id", "recency")
        .values_list("relationship_id", "pk", "period_start")
    ):
        recent.setdefault(relationship_id, []).append((period_start, assessment_id))
    numbers = dashboard_catalogue().principle_numbers
    levels_by_assessment: dict[int, dict[int, int]] = {}
    # No joins: principle numbers come from the catalogue, and order_by() drops
    # the default ordering, which would join assessments and relationships.
    for assessment_id, principle_id, level in (
        PrincipleRating.objects.filter(
            assessment_id__in=[pk for pairs in recent.values() for _, pk in pairs]
        )
        .order_by()
        .values_list("assessment_id", "principle_id", "level")
    ):
        levels_by_assessment.setdefault(assessment_id, {})[numbers[principle_id]] = (
            level
        )
    periods = _periods(today)
    dashboard_url = reverse(
        "assessments:relationship_dashboard", kwargs={"reference": "__ref__"}
    )
    rows = []
    for relationship in relationships:
        # Latest first: (period start, levels by principle number).
        joints = [
            (start, levels_by_assessment.get(assessment_id, {}))
            for start, assessment_id in recent.get(relationship.pk, [])
        ]
        latest_levels = joints[0][1] if joints else {}
        score = _mean_of_scores(latest_levels, scale)
        previous = _mean_of_scores(joints[1][1], scale) if len(joints) > 1 else None
        delta = (
            round(score - previous)
            if score is not None and previous is not None
            else None
        )
        trend = trend_for(delta)
        rows.append(
            GridRow(
                reference=relationship.reference,
                title=relationship.title,
                url=dashboard_url.replace("__ref__", relationship.reference),
                stage_number=relationship.stage.number,
                stage_name=relationship.stage.name,
                kind=KIND_SHORT_NAMES.get(relationship.kind, relationship.kind),
                cells=_cells_html(latest_levels),
                score=None if score is None else round(score),
                score_text="–" if score is None else str(round(score)),
                score_band=scale.band(score),
                trend=delta,
                trend_text=trend.text,
                trend_label=trend.label,
                trend_css=trend.css,
                assessment_state=assessment_period_state(
                    relationship,
                    latest_joint_start=joints[0][0] if joints else None,
                    today=today,
                    periods=periods,
                )[0],
            )
        )
    return rows


# --- attention counters --------------------------------------------------------


@dataclass(frozen=True)
class AttentionItem:
    title: str
    url: str
    detail: str
    relationship_title: str = ""


@dataclass(frozen=True)
class Attention:
    assessments_due: int
    assessments_overdue: int
    assessment_items: list[AttentionItem]
    relationships_with_gaps: int
    gap_items: list[AttentionItem]
    overdue_actions: int
    action_items: list[AttentionItem]
    risks_past_review: int
    risk_items: list[AttentionItem]
    objectives_off_track: int
    objective_items: list[AttentionItem]
    plans_awaiting_signoff: int
    plan_items: list[AttentionItem]

    @property
    def total(self) -> int:
        return (
            self.assessments_due
            + self.assessments_overdue
            + self.relationships_with_gaps
            + self.overdue_actions
            + self.risks_past_review
            + self.objectives_off_track
            + self.plans_awaiting_signoff
        )


def _dashboard_url(reference: str) -> str:
    return reverse(
        "assessments:relationship_dashboard", kwargs={"reference": reference}
    )


def _register_url(url_name: str, *, reference: str, **kwargs: object) -> str:
    """A register page of the relationships app; the relationship dashboard if
    that page does not exist (the registers are built alongside)."""
    try:
        return reverse(url_name, kwargs={"reference": reference, **kwargs})
    except NoReverseMatch:
        return _dashboard_url(reference)


def register_list_urls() -> dict[str, str]:
    """Portfolio-wide register lists, filtered to what a counter counts."""
    lists = {
        "actions": ("relationships:action_list", "?overdue=true"),
        "risks": ("relationships:risk_list", "?overdue=true"),
        "objectives": ("relationships:objective_list", "?status=off_track"),
    }
    urls = {}
    for key, (url_name, query) in lists.items():
        try:
            urls[key] = reverse(url_name) + query
        except NoReverseMatch:
            continue
    return urls


def _first_with_total(queryset: QuerySet) -> tuple[list, int]:
    """The first rows of an ordered queryset and the number of all its rows, in
    one query (a window count over the whole result)."""
    rows = list(
        queryset.annotate(total_rows=Window(Count("pk")))[:ATTENTION_LIST_LENGTH]
    )
    return rows, rows[0].total_rows if rows else 0


def _short_date(day: date | datetime | None) -> str:
    if isinstance(day, datetime):
        day = timezone.localdate(day)
    return f"{day.day} {day:%b %Y}" if day else ""


def _assessment_attention(
    relationships: QuerySet[Relationship], *, today: date
) -> tuple[int, int, list[AttentionItem]]:
    pending = with_assessment_state(relationships, today=today).filter(
        assessment_state__in=(AssessmentState.DUE, AssessmentState.OVERDUE)
    )
    counts = dict(
        pending.order_by()
        .values_list("assessment_state")
        .annotate(count=Count("pk"))
        .values_list("assessment_state", "count")
    )
    items = [
        AttentionItem(
            title=relationship.title,
            url=_dashboard_url(relationship.reference),
            detail=(
                f"{'Overdue' if relationship.assessment_state == 'overdue' else 'Due'}"
                f": period ended {_short_date(relationship.expected_end)}"
            ),
        )
        for relationship in pending.order_by(
            Case(
                When(assessment_state=AssessmentState.OVERDUE, then=Value(0)),
                default=Value(1),
            ),
            "-days_since_period_end",
            "title",
        ).only("title", "reference")[:ATTENTION_LIST_LENGTH]
    ]
    return (
        counts.get(AssessmentState.DUE, 0),
        counts.get(AssessmentState.OVERDUE, 0),
        items,
    )


def _latest_self_assessments(
    relationships: QuerySet[Relationship],
) -> QuerySet[Assessment]:
    """Shared self-assessments of the period of each relationship's latest shared
    joint assessment (the period the grid shows)."""
    latest_period = Subquery(
        _shared_joint()
        .filter(relationship=OuterRef("relationship_id"))
        .order_by("-period_start")
        .values("period_start")[:1]
    )
    return Assessment.objects.filter(
        kind=AssessmentKind.SELF,
        status__in=VISIBLE_TO_PARTNERS,
        relationship__in=relationships.order_by().values("pk"),
        period_start=latest_period,
    )


def _relationship_ids_with_gaps(relationships: QuerySet[Relationship]) -> list[int]:
    """Relationships where, in the latest period, the partners' own ratings of a
    principle differ by PERCEPTION_GAP_LEVELS or more: one aggregate query."""
    latest_period = Subquery(
        _shared_joint()
        .filter(relationship=OuterRef("pk"))
        .order_by("-period_start")
        .values("period_start")[:1]
    )
    return list(
        relationships.order_by()
        .annotate(latest_period=latest_period)
        .filter(
            assessments__kind=AssessmentKind.SELF,
            assessments__status__in=VISIBLE_TO_PARTNERS,
            assessments__period_start=F("latest_period"),
        )
        .values("pk", "assessments__ratings__principle_id")
        .annotate(
            raters=Count("assessments__ratings"),
            spread=Max("assessments__ratings__level")
            - Min("assessments__ratings__level"),
        )
        .filter(raters__gte=2, spread__gte=PERCEPTION_GAP_LEVELS)
        .values_list("pk", flat=True)
        .distinct()
    )


def _gap_attention(
    relationships: QuerySet[Relationship],
) -> tuple[int, list[AttentionItem]]:
    ids = _relationship_ids_with_gaps(relationships)
    if not ids:
        return 0, []
    first = list(
        Relationship.objects.filter(pk__in=ids)
        .order_by("title", "pk")
        .only("title", "reference", "kind")[:ATTENTION_LIST_LENGTH]
    )
    gaps_by_relationship = relationship_perception_gaps_for_many(first)
    items = [
        AttentionItem(
            title=relationship.title,
            url=_dashboard_url(relationship.reference),
            detail="gaps in "
            + ", ".join(
                PRINCIPLE_SHORT_NAMES[gap.principle.number]
                for gap in gaps_by_relationship.get(relationship.pk, [])
            ),
        )
        for relationship in first
    ]
    return len(ids), items


def relationship_perception_gaps_for_many(
    relationships: Iterable[Relationship],
) -> dict[int, list[PerceptionGap]]:
    """Perception gaps of the latest period of many relationships, in one query,
    through the shared perception_gaps_from_levels."""
    relationships = list(relationships)
    if not relationships:
        return {}
    ids = [relationship.pk for relationship in relationships]
    levels: dict[int, dict[str, dict[int, int]]] = {}
    for relationship_id, partner, principle_id, level in (
        PrincipleRating.objects.filter(
            assessment__in=_latest_self_assessments(
                Relationship.objects.filter(pk__in=ids)
            )
        )
        .order_by()
        .values_list(
            "assessment__relationship_id",
            "assessment__partnership__organisation__name",
            "principle_id",
            "level",
        )
    ):
        levels.setdefault(relationship_id, {}).setdefault(partner, {})[principle_id] = (
            level
        )
    principles_by_set = dashboard_catalogue().principles
    return {
        relationship.pk: perception_gaps_from_levels(
            principles=principles_by_set.get(relationship.principle_set_key, []),
            levels_by_partner=levels.get(relationship.pk, {}),
        )
        for relationship in relationships
    }


def _register_attention(
    relationships: QuerySet[Relationship], *, today: date
) -> dict[str, tuple[int, list[AttentionItem]]]:
    in_portfolio = relationships.order_by().values("pk")
    actions, action_total = _first_with_total(
        _overdue_actions(today)
        .filter(relationship__in=in_portfolio)
        .select_related("relationship")
        .order_by("due_date", "pk")
    )
    risks, risk_total = _first_with_total(
        _risks_past_review(today)
        .filter(relationship__in=in_portfolio)
        .select_related("relationship")
        .order_by("review_date", "pk")
    )
    objectives, objective_total = _first_with_total(
        Objective.objects.filter(
            relationship__in=in_portfolio, status=ObjectiveStatus.OFF_TRACK
        )
        .select_related("relationship")
        .order_by(F("milestone_date").asc(nulls_last=True), "pk")
    )
    return {
        "actions": (
            action_total,
            [
                AttentionItem(
                    title=action.title,
                    url=_register_url(
                        "relationships:action_detail",
                        reference=action.relationship.reference,
                        pk=action.pk,
                    ),
                    detail=f"due {_short_date(action.due_date)}",
                    relationship_title=action.relationship.title,
                )
                for action in actions
            ],
        ),
        "risks": (
            risk_total,
            [
                AttentionItem(
                    title=risk.title,
                    url=_register_url(
                        "relationships:risk_detail",
                        reference=risk.relationship.reference,
                        pk=risk.pk,
                    ),
                    detail=f"review was due {_short_date(risk.review_date)}",
                    relationship_title=risk.relationship.title,
                )
                for risk in risks
            ],
        ),
        "objectives": (
            objective_total,
            [
                AttentionItem(
                    title=objective.title,
                    url=_register_url(
                        "relationships:objective_detail",
                        reference=objective.relationship.reference,
                        pk=objective.pk,
                    ),
                    detail=(
                        f"milestone {_short_date(objective.milestone_date)}"
                        if objective.milestone_date
                        else "no milestone date"
                    ),
                    relationship_title=objective.relationship.title,
                )
                for objective in objectives
            ],
        ),
    }


def plan_versions_awaiting_signoff(
    *, user: AbstractBaseUser, relationships: QuerySet[Relationship]
) -> QuerySet[PlanVersion]:
    """Submitted plan versions where the user represents a partner (its
    relationship manager, or a leadership member of the joint management team)
    that has not decided in the current submission round."""
    undecided_seat = (
        Partnership.objects.filter(relationship_id=OuterRef("plan__relationship_id"))
        .filter(
            Q(relationship_manager=user)
            | Q(jmt_members__user=user, jmt_members__is_leadership=True)
        )
        .exclude(
            Exists(
                PlanDecision.objects.filter(
                    partnership=OuterRef("pk"),
                    plan_version=OuterRef(OuterRef("pk")),
                    submission_round=OuterRef(OuterRef("submission_round")),
                )
            )
        )
    )
    return PlanVersion.objects.filter(
        status=PlanVersionStatus.SUBMITTED,
        plan__relationship__in=relationships.order_by().values("pk"),
    ).filter(Exists(undecided_seat))


def _plan_attention(
    *, user: AbstractBaseUser, relationships: QuerySet[Relationship]
) -> tuple[int, list[AttentionItem]]:
    versions, total = _first_with_total(
        plan_versions_awaiting_signoff(user=user, relationships=relationships)
        .select_related("plan__relationship")
        .order_by("submitted_at", "pk")
    )
    return total, [
        AttentionItem(
            title=f"Plan version {version.number}",
            url=_register_url(
                "relationships:plan_overview",
                reference=version.plan.relationship.reference,
            ),
            detail=f"submitted {_short_date(version.submitted_at)}",
            relationship_title=version.plan.relationship.title,
        )
        for version in versions
    ]


def portfolio_attention(
    *, user: AbstractBaseUser, relationships: QuerySet[Relationship], today: date
) -> Attention:
    """Counters over the whole filtered portfolio, each with its first few items."""
    due, overdue, assessment_items = _assessment_attention(relationships, today=today)
    gap_total, gap_items = _gap_attention(relationships)
    registers = _register_attention(relationships, today=today)
    plan_total, plan_items = _plan_attention(user=user, relationships=relationships)
    return Attention(
        assessments_due=due,
        assessments_overdue=overdue,
        assessment_items=assessment_items,
        relationships_with_gaps=gap_total,
        gap_items=gap_items,
        overdue_actions=registers["actions"][0],
        action_items=registers["actions"][1],
        risks_past_review=registers["risks"][0],
        risk_items=registers["risks"][1],
        objectives_off_track=registers["objectives"][0],
        objective_items=registers["objectives"][1],
        plans_awaiting_signoff=plan_total,
        plan_items=plan_items,
    )


# --- distributions -------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    percent: int
    title: str = ""


def _bars(counts: list[tuple[str, int, str]]) -> list[Bar]:
    largest = max((count for _, count, _ in counts), default=0) or 1
    return [
        Bar(label=label, count=count, percent=round(count * 100 / largest), title=title)
        for label, count, title in counts
    ]


@dataclass(frozen=True)
class Distributions:
    by_stage: list[Bar]
    by_kind: list[Bar]


def portfolio_distributions(relationships: QuerySet[Relationship]) -> Distributions:
    by_stage: Counter[int] = Counter()
    by_kind: Counter[str] = Counter()
    for stage_number, kind, count in (
        relationships.order_by()
        .values_list("stage__number", "kind")
        .annotate(count=Count("pk"))
    ):
        by_stage[stage_number] += count
        by_kind[kind] += count
    stages = dashboard_catalogue().stages
    return Distributions(
        by_stage=_bars(
            [(f"{number}. {name}", by_stage[number], name) for number, name in stages]
        ),
        by_kind=_bars(
            [(label, by_kind[kind], label) for kind, label in RelationshipKind.choices]
        ),
    )


# --- the portfolio dashboard ---------------------------------------------------

# Counters, distributions and the sorted order of the whole filtered portfolio
# cost tens of milliseconds at a thousand relationships (perception gaps alone
# read every self-rating of the latest period). They are kept per user and filter
# for a short while, under a key that includes the data version, which any save
# of their data changes (relationships/caching.py). The page's ids are checked
# against access on every request (ids_visible_to); its rendered grid rows are
# cached per page of ids, data version and day.


@dataclass(frozen=True)
class PortfolioIndex:
    """What the whole filtered portfolio shows: its sorted ids and counters."""

    relationship_ids: list[int]
    attention: Attention
    distributions: Distributions
    computed_at: datetime


def portfolio_index_build(
    *, user: AbstractBaseUser, relationships: QuerySet[Relationship], today: date
) -> PortfolioIndex:
    return PortfolioIndex(
        relationship_ids=list(relationships.values_list("pk", flat=True)),
        attention=portfolio_attention(
            user=user, relationships=relationships, today=today
        ),
        distributions=portfolio_distributions(relationships),
        computed_at=timezone.now(),
    )


def _index_cache_key(*, user: AbstractBaseUser, filter_key: str, today: date) -> str:
    return f"dashboards:portfolio:{versioned_key(user.pk, filter_key, today)}"


def portfolio_index_for_user(
    *,
    user: AbstractBaseUser,
    relationships: QuerySet[Relationship],
    filter_key: str,
    today: date,
) -> PortfolioIndex:
    """The portfolio index, from the cache when it is fresh enough."""
    seconds = cache_seconds()
    if seconds <= 0:
        return portfolio_index_build(
            user=user, relationships=relationships, today=today
        )
    key = _index_cache_key(user=user, filter_key=filter_key, today=today)
    index = cache.get(key)
    if index is None:
        index = portfolio_index_build(
            user=user, relationships=relationships, today=today
        )
        cache.set(key, index, seconds)
    return index


def portfolio_page_rows(
    *,
    user: AbstractBaseUser,
    relationship_ids: Sequence[int],
    scale: MaturityScale,
    today: date,
) -> list[GridRow]:
    """Grid rows of one page of ids, in their order, read fresh and re-checked
    against the user's access."""
    # Plain queries and Python here: building, compiling and planning the
    # annotated SQL of with_scores/with_assessment_state costs more than the
    # whole page otherwise does.
    return _grid_rows(
        rows_visible_to(
            user,
            Relationship.objects.select_related(
                "stage", "assessment_schedule"
            ).order_by(),
            list(relationship_ids),
            relationship_field="pk",
        ),
        scale=scale,
        today=today,
    )


@dataclass(frozen=True)
class PortfolioDashboard:
    page: Page
    rows: Sequence[GridRow]
    rows_cache_key: str
    attention: Attention
    distributions: Distributions
    computed_at: datetime
    scale: MaturityScale
    columns: tuple[PrincipleColumn, ...] = PRINCIPLE_COLUMNS


def portfolio_dashboard_build(
    *,
    user: AbstractBaseUser,
    relationships: QuerySet[Relationship],
    scale: MaturityScale,
    page_number: str | int | None,
    filter_key: str,
    today: date | None = None,
) -> PortfolioDashboard:
    """The dashboard of a filtered and sorted queryset of visible relationships;
    filter_key identifies the filter and sort for the cache."""
    today = today or timezone.localdate()
    if not relationships.query.order_by:
        relationships = relationships.order_by(*SORTS["title"])
    index = portfolio_index_for_user(
        user=user, relationships=relationships, filter_key=filter_key, today=today
    )
    page = Paginator(index.relationship_ids, PORTFOLIO_PAGE_SIZE).get_page(page_number)
    # The ids may come from the cache: check them against access on every request.
    page_ids = ids_visible_to(
        user, Relationship, list(page.object_list), relationship_field="pk"
    )
    return PortfolioDashboard(
        page=page,
        # Read only when the page's rendered rows are not in the cache: a row shows
        # the same to everyone who may see its relationship, and the ids come from
        # this user's index (read through relationships_visible_to at this version).
        rows=LazyRows(
            page_ids,
            lambda ids: portfolio_page_rows(
                user=user, relationship_ids=ids, scale=scale, today=today
            ),
        ),
        rows_cache_key=versioned_key(page_ids, today),
        attention=index.attention,
        distributions=index.distributions,
        computed_at=index.computed_at,
        scale=scale,
    )


# --- the relationship dashboard ------------------------------------------------


# Rendering a chart costs 5-12 ms; the same data always gives the same SVG, so
# each worker keeps the most recent ones.
@lru_cache(maxsize=256)
def _radar_svg(
    title: str, labels: tuple[str, ...], series: tuple[tuple[str, tuple], ...]
) -> str:
    return radar_chart(title=title, labels=labels, series=series)


@lru_cache(maxsize=256)
def _trend_svg(
    title: str, periods: tuple[str, ...], series: tuple[tuple[str, tuple], ...]
) -> str:
    return trend_chart(title=title, periods=periods, series=series)


@lru_cache(maxsize=256)
def _heat_map_svg(title: str, counts: tuple[tuple[tuple[int, int], int], ...]) -> str:
    return risk_heat_map(counts=dict(counts), title=title)


@dataclass(frozen=True)
class LevelCell:
    level: int | None

    @property
    def css(self) -> str:
        return f"l{self.level or 0}"

    @property
    def text(self) -> str:
        # A string, so that the template does not localise a number per cell.
        return str(self.level) if self.level else "–"


@dataclass(frozen=True)
class PrincipleLevels:
    principle: Principle
    short_name: str
    cells: list[LevelCell]

    @property
    def html(self) -> SafeString:
        """The table row, built here for the same reason as GridRow.html."""
        name = escape(f"{self.principle.number}. {self.principle.name}")
        return mark_safe(
            f'<tr><th scope="row" class="fw-normal" title="{name}">{name}</th>'
            + "".join(
                f'<td class="lv l{cell.level or 0}">{cell.text}</td>'
                for cell in self.cells
            )
            + "</tr>"
        )


@dataclass(frozen=True)
class PeriodScore:
    label: str
    mean_level: float | None
    score: int | None


@dataclass(frozen=True)
class ObjectiveProgress:
    objective: Objective
    progress: int | None


@dataclass(frozen=True)
class UpcomingItem:
    day: date
    day_label: str
    kind: str
    title: str
    detail: str


@dataclass(frozen=True)
class RelationshipDashboard:
    relationship: Relationship
    period_label: str
    joint_status: str
    score: int | None
    score_band: int
    trend: Trend
    assessment_state: str
    expected_end: date | None
    radar_svg: str
    radar_columns: list[str]
    radar_rows: list[PrincipleLevels]
    trend_svg: str
    period_scores: list[PeriodScore]
    period_labels: list[str]
    history_rows: list[PrincipleLevels]
    gaps: list[PerceptionGap]
    gap_columns: list[str]
    gap_rows: list[PrincipleLevels]
    objectives: list[ObjectiveProgress]
    heat_map_svg: str
    heat_map_rows: list[tuple[str, list[str]]]
    open_risk_count: int
    action_bars: list[Bar]
    overdue_action_count: int
    upcoming: list[UpcomingItem]
    scale: MaturityScale


def _mean(values: Iterable[int]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def _mean_score(levels: dict[int, int], scale: MaturityScale) -> float | None:
    return _mean(scale.scores.get(level, 0) for level in levels.values())


def relationship_dashboard_build(
    *, relationship: Relationship, today: date | None = None
) -> RelationshipDashboard:
    """Charts and tables of one relationship the caller has already authorised."""
    today = today or timezone.localdate()
    scale = dashboard_catalogue().scale
    principles = dashboard_catalogue().principles.get(
        relationship.principle_set_key, []
    )
    assessments = list(
        Assessment.objects.filter(
            relationship=relationship, status__in=VISIBLE_TO_PARTNERS
        )
        .select_related("partnership__organisation")
        .only(
            "relationship_id",
            "period_start",
            "period_end",
            "kind",
            "status",
            "partnership__organisation__name",
        )
        .order_by("period_start", "kind", "partnership__organisation__name")
    )
    joints = [a for a in assessments if a.kind == AssessmentKind.JOINT]
    latest = joints[-1] if joints else None
    latest_selves = [
        a
        for a in assessments
        if latest
        and a.kind == AssessmentKind.SELF
        and a.period_start == latest.period_start
    ]
    levels: dict[int, dict[int, int]] = {}
    wanted = [a.pk for a in joints] + [a.pk for a in latest_selves]
    for assessment_id, principle_id, level in (
        PrincipleRating.objects.filter(assessment_id__in=wanted)
        .order_by()
        .values_list("assessment_id", "principle_id", "level")
    ):
        levels.setdefault(assessment_id, {})[principle_id] = level

    # Radar and its table: the latest joint view beside each partner's own view.
    radar_sources = ([latest] if latest else []) + latest_selves
    radar_columns = [
        "Joint" if a.kind == AssessmentKind.JOINT else a.partnership.organisation.name
        for a in radar_sources
    ]
    radar_rows = [
        PrincipleLevels(
            principle=principle,
            short_name=PRINCIPLE_SHORT_NAMES[principle.number],
            cells=[
                LevelCell(levels.get(a.pk, {}).get(principle.pk)) for a in radar_sources
            ],
        )
        for principle in principles
    ]
    labels = tuple(f"{p.number} {PRINCIPLE_SHORT_NAMES[p.number]}" for p in principles)
    radar_svg = (
        _radar_svg(
            f"Latest ratings ({latest.period_label})",
            labels,
            tuple(
                (
                    column,
                    tuple(
                        cell.level for cell in (row.cells[index] for row in radar_rows)
                    ),
                )
                for index, column in enumerate(radar_columns)
            ),
        )
        if latest
        else ""
    )

    # Trend: one line of the overall mean level, with the per-principle levels of
    # every period in a table (twelve lines on one chart are unreadable).
    period_scores = []
    for joint in joints:
        joint_levels = levels.get(joint.pk, {})
        mean_level = _mean(joint_levels.values())
        mean_score = _mean_score(joint_levels, scale)
        period_scores.append(
            PeriodScore(
                label=joint.period_label,
                mean_level=None if mean_level is None else round(mean_level, 2),
                score=None if mean_score is None else round(mean_score),
            )
        )
    trend_svg = (
        _trend_svg(
            "Overall joint maturity (mean level)",
            tuple(p.label for p in period_scores),
            (("Mean level", tuple(p.mean_level for p in period_scores)),),
        )
        if len(joints) > 1
        else ""
    )
    history_rows = [
        PrincipleLevels(
            principle=principle,
            short_name=PRINCIPLE_SHORT_NAMES[principle.number],
            cells=[
                LevelCell(levels.get(joint.pk, {}).get(principle.pk))
                for joint in joints
            ],
        )
        for principle in principles
    ]

    gaps = perception_gaps_from_levels(
        principles=principles,
        levels_by_partner={
            a.partnership.organisation.name: levels.get(a.pk, {}) for a in latest_selves
        },
    )

    exact_scores = [_mean_score(levels.get(joint.pk, {}), scale) for joint in joints]
    score = period_scores[-1].score if period_scores else None
    delta = (
        round(exact_scores[-1] - exact_scores[-2])
        if len(exact_scores) > 1 and None not in exact_scores[-2:]
        else None
    )

    assessment_state, expected_end = assessment_period_state(
        relationship,
        latest_joint_start=latest.period_start if latest else None,
        today=today,
    )

    objectives = list(
        relationship.objectives.select_related("owner__organisation")
        .only(
            "relationship_id",
            "title",
            "milestone_date",
            "kpi_name",
            "kpi_unit",
            "kpi_target",
            "kpi_actual",
            "status",
            "owner__organisation__name",
        )
        .order_by(F("milestone_date").asc(nulls_last=True), "title")
    )
    # One query for the heat map and the upcoming reviews: open risks are few.
    open_risks = list(
        relationship.risks.filter(status__in=OPEN_RISK_STATUSES)
        .order_by()
        .values_list("likelihood", "impact", "review_date", "title")
    )
    risk_counts = Counter(
        (likelihood, impact) for likelihood, impact, _, _ in open_risks
    )
    action_counts: dict[str, int] = {}
    overdue_actions = 0
    for status, count, overdue in (
        relationship.actions.order_by()
        .values_list("status")
        .annotate(
            count=Count("pk"),
            overdue=Count(
                "pk",
                filter=Q(status__in=OPEN_ACTION_STATUSES, due_date__lt=today),
            ),
        )
        .values_list("status", "count", "overdue")
    ):
        action_counts[status] = count
        overdue_actions += overdue
    horizon = today + timedelta(days=UPCOMING_DAYS)
    upcoming = [
        UpcomingItem(
            day=objective.milestone_date,
            day_label=_short_date(objective.milestone_date),
            kind="Milestone",
            title=objective.title,
            detail=objective.get_status_display(),
        )
        for objective in objectives
        if objective.milestone_date
        and today <= objective.milestone_date <= horizon
        and objective.status not in (ObjectiveStatus.ACHIEVED, ObjectiveStatus.DROPPED)
    ]
    upcoming += [
        UpcomingItem(
            day=review_date,
            day_label=_short_date(review_date),
            kind="Risk review",
            title=title,
            detail=f"score {likelihood * impact}",
        )
        for likelihood, impact, review_date, title in open_risks
        if review_date is not None and today <= review_date <= horizon
    ]
    upcoming.sort(key=lambda item: (item.day, item.kind, item.title))

    return RelationshipDashboard(
        relationship=relationship,
        period_label=latest.period_label if latest else "",
        joint_status=latest.get_status_display() if latest else "",
        score=score,
        score_band=scale.band(score),
        trend=trend_for(delta),
        assessment_state=assessment_state,
        expected_end=expected_end,
        radar_svg=radar_svg,
        radar_columns=radar_columns,
        radar_rows=radar_rows,
        trend_svg=trend_svg,
        period_scores=period_scores,
        period_labels=[p.label for p in period_scores],
        history_rows=history_rows,
        gaps=gaps,
        gap_columns=[a.partnership.organisation.name for a in latest_selves],
        gap_rows=[
            PrincipleLevels(
                principle=gap.principle,
                short_name=PRINCIPLE_SHORT_NAMES[gap.principle.number],
                cells=[
                    LevelCell(gap.levels.get(a.partnership.organisation.name))
                    for a in latest_selves
                ],
            )
            for gap in gaps
        ],
        objectives=[
            ObjectiveProgress(objective=o, progress=o.progress_percent)
            for o in objectives
        ],
        heat_map_svg=_heat_map_svg(
            "Open risks: likelihood by impact", tuple(sorted(risk_counts.items()))
        ),
        heat_map_rows=[
            (str(row[0].likelihood), [str(cell.count) for cell in row])
            for row in heat_map_cells(risk_counts)
        ],
        open_risk_count=sum(risk_counts.values()),
        action_bars=_bars(
            [
                (label, action_counts.get(status, 0), label)
                for status, label in ActionStatus.choices
            ]
        ),
        overdue_action_count=overdue_actions,
        upcoming=upcoming,
        scale=scale,
    )


# --- cache invalidation --------------------------------------------------------
# Rows the dashboards show change the data version (relationships/caching.py; the
# app configs connect the models, and the catalogue's to
# dashboard_catalogue_invalidate, which also drops the per-process copy).
