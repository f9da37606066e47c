"""The dashboard of one relationship: a summary, the latest ratings beside each
partner's own, the joint levels over time, perception gaps, objectives, open
risks, actions and the next 90 days.

`relationship_dashboard_context` gives the page its context. The dashboard is
built (`relationship_dashboard_build`) only when the template finds no cached
copy, from the records the viewer's audience sees (`viewer_audience`,
`records_visible_to_audience`): viewers of the same partners share one copy,
kept under the relationship's version, the day and that audience.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from django.db.models import F
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from assessments.charts import radar_chart, risk_heat_map, trend_chart
from assessments.choices import VISIBLE_TO_PARTNERS, AssessmentKind, AssessmentStatus
from assessments.models import Assessment, PrincipleRating, assessment_period_label
from assessments.selectors.dashboards.common import (
    PRINCIPLE_SHORT_NAMES,
    Bar,
    MaturityScale,
    Trend,
    assessment_period_state,
    bars_from_counts,
    dashboard_catalogue,
    trend_for,
)
from assessments.selectors.ratings import PerceptionGap, perception_gaps_from_levels
from principles.models import Principle
from relationships.access import AnyUser, records_visible_to_audience, viewer_audience
from relationships.caching import cache_seconds, relationship_key
from relationships.choices import ActionStatus, ObjectiveStatus
from relationships.models import (
    OPEN_ACTION_STATUSES,
    OPEN_RISK_STATUSES,
    Action,
    Objective,
    Relationship,
    Risk,
)
from relationships.risks import HeatMapCell, heat_map_cells

UPCOMING_DAYS = 90


# Rendering a chart costs 5-12 ms; the same data always gives the same SVG, so
# each worker keeps the most recent ones. They pay when a dashboard is built
# again after a save that left a chart's data as it was (an objective or an
# action changed: the radar and the trend are the same), and on every request
# when the cache is off.
@lru_cache(maxsize=256)
def _radar_svg(
    title: str, labels: tuple[str, ...], series: tuple[tuple[str, tuple], ...]
) -> str:
    return radar_chart(title=title, labels=labels, series=series, inline_css=False)


@lru_cache(maxsize=256)
def _trend_svg(
    title: str, periods: tuple[str, ...], series: tuple[tuple[str, tuple], ...]
) -> str:
    return trend_chart(title=title, periods=periods, series=series, inline_css=False)


@lru_cache(maxsize=256)
def _heat_map_svg(title: str, counts: tuple[tuple[tuple[int, int], int], ...]) -> str:
    return risk_heat_map(counts=dict(counts), title=title)


# --- what the dashboard shows ---------------------------------------------------------


@dataclass(frozen=True)
class LevelRow:
    """A principle and its level in each column of a table (None: not rated)."""

    principle: Principle
    levels: list[int | None]


@dataclass(frozen=True)
class LevelTable:
    """Maturity levels, principles by columns: the data behind a chart."""

    columns: list[str]
    rows: list[LevelRow]


@dataclass(frozen=True)
class Summary:
    """The tiles at the top: the latest joint score, its trend and whether the
    next joint assessment is due."""

    period_label: str
    joint_status: str
    score: int | None
    score_band: int
    trend: Trend
    assessment_state: str
    expected_end: date | None


@dataclass(frozen=True)
class Radar:
    """The latest joint levels beside each partner's own view of that period."""

    svg: str
    table: LevelTable


@dataclass(frozen=True)
class PeriodScore:
    label: str
    mean_level: float | None
    score: int | None


@dataclass(frozen=True)
class History:
    """The joint levels of every assessed period: one line of the mean level on
    the chart (twelve lines would be unreadable), every level in the table."""

    svg: str
    periods: list[PeriodScore]
    table: LevelTable


@dataclass(frozen=True)
class Gaps:
    """Principles the partners' own ratings of the latest period differ on."""

    gaps: list[PerceptionGap]
    table: LevelTable


@dataclass(frozen=True)
class ObjectiveProgress:
    objective: Objective
    progress: int | None


@dataclass(frozen=True)
class OpenRisks:
    """Open risks counted per heat map cell."""

    heat_map_svg: str
    heat_map: list[list[HeatMapCell]]
    count: int


@dataclass(frozen=True)
class Actions:
    bars: list[Bar]
    overdue: int


@dataclass(frozen=True)
class UpcomingItem:
    day: date
    kind: str
    title: str
    detail: str


@dataclass(frozen=True)
class RelationshipDashboard:
    relationship: Relationship
    summary: Summary
    radar: Radar | None
    history: History
    gaps: Gaps
    objectives: list[ObjectiveProgress]
    risks: OpenRisks
    actions: Actions
    upcoming: list[UpcomingItem]


# --- the page -------------------------------------------------------------------------


def relationship_dashboard_context(
    *,
    user: AnyUser,
    relationship: Relationship,
    today: date | None = None,
    audience: Sequence[int] | None = None,
) -> dict[str, object]:
    """The context of the dashboard page of a relationship the user may see
    (relationship_get_for_user, or relationship_get_with_audience, which reads the
    user's `audience` with it). The dashboard is built only if the template
    finds no cached copy; the key changes whenever the relationship's data is
    saved, every day (overdue, next 90 days) and with the viewer's audience."""
    today = today or timezone.localdate()
    if audience is None:
        audience = viewer_audience(user=user, relationship=relationship)
    seconds = cache_seconds()
    return {
        "relationship": relationship,
        "dashboard": SimpleLazyObject(
            lambda: relationship_dashboard_build(
                relationship=relationship, audience=audience, today=today
            )
        ),
        "cache_seconds": seconds,
        "cache_key": relationship_key(relationship.pk, today, *audience)
        if seconds
        else "",
    }


def relationship_dashboard_build(
    *, relationship: Relationship, audience: Sequence[int], today: date
) -> RelationshipDashboard:
    """The dashboard of one relationship the caller has already authorised, of
    the records that partnerships of `audience` see (none: the joint records)."""
    catalogue = dashboard_catalogue()
    principles = catalogue.principles.get(relationship.principle_set_key, [])
    assessments = _shared_assessments(relationship=relationship, audience=audience)
    history = _history(assessments, principles=principles, scale=catalogue.scale)
    objectives = _objectives(relationship=relationship, audience=audience)
    open_risks = _open_risks(relationship=relationship, audience=audience)
    action_rows = _action_rows(relationship=relationship, audience=audience)
    return RelationshipDashboard(
        relationship=relationship,
        summary=_summary(
            relationship,
            assessments,
            history=history,
            scale=catalogue.scale,
            today=today,
        ),
        radar=_radar(assessments, principles=principles),
        history=history,
        gaps=_gaps(assessments, principles=principles),
        objectives=[
            ObjectiveProgress(objective=objective, progress=objective.progress_percent)
            for objective in objectives
        ],
        risks=_risk_heat_map(open_risks),
        actions=_actions(action_rows, today=today),
        upcoming=_upcoming(
            today=today,
            objectives=objectives,
            open_risks=open_risks,
            action_rows=action_rows,
        ),
    )


# --- ratings: the radar, the history and the gaps -------------------------------------


@dataclass(frozen=True)
class SharedAssessment:
    """A submitted or final assessment, as the dashboard names it."""

    pk: int
    kind: str
    period_start: date
    period_label: str
    status_label: str
    partner: str  # the partner's name; "" for the joint assessment


@dataclass(frozen=True)
class SharedAssessments:
    """The shared assessments the audience sees: the joint ones of every period,
    the self-assessments of the latest joint period, and the levels of both."""

    joints: list[SharedAssessment]
    latest_selves: list[SharedAssessment]
    levels: dict[int, dict[int, int]]  # assessment id: {principle id: level}

    @property
    def latest(self) -> SharedAssessment | None:
        return self.joints[-1] if self.joints else None

    def level_rows(
        self, principles: list[Principle], assessments: list[SharedAssessment]
    ) -> list[LevelRow]:
        return [
            LevelRow(
                principle=principle,
                levels=[
                    self.levels.get(assessment.pk, {}).get(principle.pk)
                    for assessment in assessments
                ],
            )
            for principle in principles
        ]


def _shared_assessments(
    *, relationship: Relationship, audience: Sequence[int]
) -> SharedAssessments:
    """One query: every rating of the shared assessments the audience sees, with
    its assessment (a shared assessment has all its ratings: submitting needs
    them). Oldest period first, the partners' own by name."""
    assessments: dict[int, SharedAssessment] = {}
    levels: dict[int, dict[int, int]] = {}
    for pk, kind, start, end, status, partner, principle_id, level in (
        PrincipleRating.objects.filter(
            assessment__in=Assessment.objects.filter(
                records_visible_to_audience(Assessment, audience),
                relationship=relationship,
                status__in=VISIBLE_TO_PARTNERS,
            )
        )
        .order_by(
            "assessment__period_start",
            "assessment__kind",
            "assessment__partnership__organisation__name",
        )
        .values_list(
            "assessment_id",
            "assessment__kind",
            "assessment__period_start",
            "assessment__period_end",
            "assessment__status",
            "assessment__partnership__organisation__name",
            "principle_id",
            "level",
        )
    ):
        if pk not in assessments:
            assessments[pk] = SharedAssessment(
                pk=pk,
                kind=kind,
                period_start=start,
                period_label=assessment_period_label(start, end),
                status_label=AssessmentStatus(status).label,
                partner=partner or "",
            )
        levels.setdefault(pk, {})[principle_id] = level
    joints = [a for a in assessments.values() if a.kind == AssessmentKind.JOINT]
    latest_start = joints[-1].period_start if joints else None
    return SharedAssessments(
        joints=joints,
        latest_selves=[
            a
            for a in assessments.values()
            if a.kind == AssessmentKind.SELF and a.period_start == latest_start
        ],
        levels=levels,
    )


def _radar(
    assessments: SharedAssessments, *, principles: list[Principle]
) -> Radar | None:
    latest = assessments.latest
    if latest is None:
        return None
    sources = [latest, *assessments.latest_selves]
    table = LevelTable(
        columns=["Joint"] + [a.partner for a in assessments.latest_selves],
        rows=assessments.level_rows(principles, sources),
    )
    svg = _radar_svg(
        f"Latest ratings ({latest.period_label})",
        tuple(f"{p.number} {PRINCIPLE_SHORT_NAMES[p.number]}" for p in principles),
        tuple(
            (column, tuple(row.levels[index] for row in table.rows))
            for index, column in enumerate(table.columns)
        ),
    )
    return Radar(svg=svg, table=table)


def _mean(values: Iterable[int]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def _mean_score(levels: dict[int, int], scale: MaturityScale) -> float | None:
    """The mean of the levels' 0-100 scores."""
    return _mean(scale.scores.get(level, 0) for level in levels.values())


def _history(
    assessments: SharedAssessments, *, principles: list[Principle], scale: MaturityScale
) -> History:
    periods = []
    for joint in assessments.joints:
        levels = assessments.levels.get(joint.pk, {})
        mean_level = _mean(levels.values())
        mean_score = _mean_score(levels, scale)
        periods.append(
            PeriodScore(
                label=joint.period_label,
                mean_level=None if mean_level is None else round(mean_level, 2),
                score=None if mean_score is None else round(mean_score),
            )
        )
    svg = (
        _trend_svg(
            "Overall joint maturity (mean level)",
            tuple(period.label for period in periods),
            (("Mean level", tuple(period.mean_level for period in periods)),),
        )
        if len(periods) > 1
        else ""
    )
    return History(
        svg=svg,
        periods=periods,
        table=LevelTable(
            columns=[period.label for period in periods],
            rows=assessments.level_rows(principles, assessments.joints),
        ),
    )


def _gaps(assessments: SharedAssessments, *, principles: list[Principle]) -> Gaps:
    selves = assessments.latest_selves
    gaps = perception_gaps_from_levels(
        principles=principles,
        levels_by_partner={a.partner: assessments.levels.get(a.pk, {}) for a in selves},
    )
    return Gaps(
        gaps=gaps,
        table=LevelTable(
            columns=[a.partner for a in selves],
            rows=assessments.level_rows([gap.principle for gap in gaps], selves),
        ),
    )


def _summary(
    relationship: Relationship,
    assessments: SharedAssessments,
    *,
    history: History,
    scale: MaturityScale,
    today: date,
) -> Summary:
    """The latest score and its change since the period before, in whole points
    of the unrounded scores (so 47.6 after 24.4 is up 23, not 48 - 24)."""
    latest = assessments.latest
    exact_scores = [
        _mean_score(assessments.levels.get(joint.pk, {}), scale)
        for joint in assessments.joints[-2:]
    ]
    delta = (
        round(exact_scores[-1] - exact_scores[-2])
        if len(exact_scores) == 2 and None not in exact_scores
        else None
    )
    score = history.periods[-1].score if history.periods else None
    state, expected_end = assessment_period_state(
        relationship,
        latest_joint_start=latest.period_start if latest else None,
        today=today,
    )
    return Summary(
        period_label=latest.period_label if latest else "",
        joint_status=latest.status_label if latest else "",
        score=score,
        score_band=scale.band(score),
        trend=trend_for(delta),
        assessment_state=state,
        expected_end=expected_end,
    )


# --- registers: objectives, risks, actions --------------------------------------------


def _objectives(
    *, relationship: Relationship, audience: Sequence[int]
) -> list[Objective]:
    return list(
        relationship.objectives.filter(records_visible_to_audience(Objective, audience))
        .select_related("owner__organisation")
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


type OpenRisk = tuple[int, int, date | None, str]  # likelihood, impact, review, title


def _open_risks(
    *, relationship: Relationship, audience: Sequence[int]
) -> list[OpenRisk]:
    """One query for the heat map and the upcoming reviews: open risks are few."""
    return list(
        relationship.risks.filter(
            records_visible_to_audience(Risk, audience),
            status__in=OPEN_RISK_STATUSES,
        )
        .order_by()
        .values_list("likelihood", "impact", "review_date", "title")
    )


def _risk_heat_map(open_risks: list[OpenRisk]) -> OpenRisks:
    counts = Counter((likelihood, impact) for likelihood, impact, _, _ in open_risks)
    return OpenRisks(
        heat_map_svg=_heat_map_svg(
            "Open risks: likelihood by impact", tuple(sorted(counts.items()))
        ),
        heat_map=heat_map_cells(counts),
        count=len(open_risks),
    )


# status, due date, title, owner's first and last names
type ActionRow = tuple[str, date | None, str, str | None, str | None]


def _action_rows(
    *, relationship: Relationship, audience: Sequence[int]
) -> list[ActionRow]:
    """One query for the bars, the overdue count and the actions due soon: a
    relationship's actions are tens, not thousands."""
    return list(
        relationship.actions.filter(records_visible_to_audience(Action, audience))
        .order_by()
        .values_list(
            "status", "due_date", "title", "owner__first_name", "owner__last_name"
        )
    )


def _actions(action_rows: list[ActionRow], *, today: date) -> Actions:
    """Actions per status, and how many open ones are past their due date."""
    counts = Counter(status for status, *_ in action_rows)
    return Actions(
        bars=bars_from_counts(
            [(label, counts[status], label) for status, label in ActionStatus.choices]
        ),
        overdue=sum(
            1
            for status, due_date, *_ in action_rows
            if status in OPEN_ACTION_STATUSES and due_date and due_date < today
        ),
    )


# --- the next 90 days -----------------------------------------------------------------


def _upcoming(
    *,
    today: date,
    objectives: list[Objective],
    open_risks: list[OpenRisk],
    action_rows: list[ActionRow],
) -> list[UpcomingItem]:
    """Milestones, risk reviews and actions due from today to UPCOMING_DAYS on,
    earliest first."""
    horizon = today + timedelta(days=UPCOMING_DAYS)
    upcoming = [
        UpcomingItem(
            day=objective.milestone_date,
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
            kind="Risk review",
            title=title,
            detail=f"score {likelihood * impact}",
        )
        for likelihood, impact, review_date, title in open_risks
        if review_date is not None and today <= review_date <= horizon
    ]
    upcoming += [
        UpcomingItem(
            day=due_date,
            kind="Action due",
            title=title,
            detail=" ".join(filter(None, (first_name, last_name))) or "no owner",
        )
        for status, due_date, title, first_name, last_name in action_rows
        if status in OPEN_ACTION_STATUSES
        and due_date is not None
        and today <= due_date <= horizon
    ]
    upcoming.sort(key=lambda item: (item.day, item.kind, item.title))
    return upcoming
