"""The dashboard of one relationship: its charts, tables and upcoming dates."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from html import escape

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from assessments.charts import heat_map_cells, radar_chart, risk_heat_map, trend_chart
from assessments.choices import VISIBLE_TO_PARTNERS, AssessmentKind
from assessments.models import Assessment, PrincipleRating
from assessments.selectors.dashboards.common import (
    PRINCIPLE_SHORT_NAMES,
    Bar,
    MaturityScale,
    Trend,
    assessment_period_state,
    bars_from_counts,
    dashboard_catalogue,
    short_date,
    trend_for,
)
from assessments.selectors.ratings import PerceptionGap, perception_gaps_from_levels
from principles.models import Principle
from relationships.access import AnyUser, visible_records
from relationships.choices import ActionStatus, ObjectiveStatus
from relationships.models import (
    OPEN_ACTION_STATUSES,
    OPEN_RISK_STATUSES,
    Action,
    Objective,
    Relationship,
    Risk,
)

UPCOMING_DAYS = 90


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
    *, relationship: Relationship, viewer: AnyUser | None, today: date | None = None
) -> RelationshipDashboard:
    """Charts and tables of one relationship the caller has already authorised,
    of the records the viewer may see (None: the joint records alone). Viewers
    of the same partners (viewer_audience) get the same dashboard."""
    today = today or timezone.localdate()
    scale = dashboard_catalogue().scale
    principles = dashboard_catalogue().principles.get(
        relationship.principle_set_key, []
    )
    assessments = list(
        Assessment.objects.filter(
            visible_records(viewer, Assessment),
            relationship=relationship,
            status__in=VISIBLE_TO_PARTNERS,
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
        relationship.objectives.filter(visible_records(viewer, Objective))
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
    # One query for the heat map and the upcoming reviews: open risks are few.
    open_risks = list(
        relationship.risks.filter(
            visible_records(viewer, Risk), status__in=OPEN_RISK_STATUSES
        )
        .order_by()
        .values_list("likelihood", "impact", "review_date", "title")
    )
    risk_counts = Counter(
        (likelihood, impact) for likelihood, impact, _, _ in open_risks
    )
    action_counts: dict[str, int] = {}
    overdue_actions = 0
    for status, count, overdue in (
        relationship.actions.filter(visible_records(viewer, Action))
        .order_by()
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
            day_label=short_date(objective.milestone_date),
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
            day_label=short_date(review_date),
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
            day_label=short_date(due_date),
            kind="Action due",
            title=title,
            detail=" ".join(filter(None, (first_name, last_name))) or "no owner",
        )
        for due_date, title, first_name, last_name in relationship.actions.filter(
            visible_records(viewer, Action),
            status__in=OPEN_ACTION_STATUSES,
            due_date__range=(today, horizon),
        )
        .order_by()
        .values_list("due_date", "title", "owner__first_name", "owner__last_name")
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
        action_bars=bars_from_counts(
            [
                (label, action_counts.get(status, 0), label)
                for status, label in ActionStatus.choices
            ]
        ),
        overdue_action_count=overdue_actions,
        upcoming=upcoming,
        scale=scale,
    )
