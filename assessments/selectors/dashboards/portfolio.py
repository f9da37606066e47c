"""The portfolio dashboard: its grid rows, distributions and cached index."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from html import escape

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from assessments.models import PrincipleRating
from assessments.selectors.dashboards.annotations import SORTS
from assessments.selectors.dashboards.attention import Attention, portfolio_attention
from assessments.selectors.dashboards.common import (
    PRINCIPLE_SHORT_NAMES,
    Bar,
    MaturityScale,
    assessment_period_state,
    bars_from_counts,
    dashboard_catalogue,
    last_ended_periods,
    shared_joint_assessments,
    trend_for,
)
from principles.choices import PrincipleKey
from relationships.access import ids_visible_to, organisation_ids_of, rows_visible_to
from relationships.caching import cache_seconds, portfolio_key, relationships_key
from relationships.choices import RelationshipKind
from relationships.models import Relationship
from relationships.pagination import LazyRows

# A screenful for a meeting; every further row costs time on every view.
PORTFOLIO_PAGE_SIZE = 25


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
        shared_joint_assessments()
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
    periods = last_ended_periods(today)
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


# --- distributions -------------------------------------------------------------


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
        by_stage=bars_from_counts(
            [(f"{number}. {name}", by_stage[number], name) for number, name in stages]
        ),
        by_kind=bars_from_counts(
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
    key = portfolio_key(organisation_ids_of(user), user.pk, filter_key, today)
    return f"dashboards:portfolio:{key}"


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
        rows_cache_key=relationships_key(page_ids, today),
        attention=index.attention,
        distributions=index.distributions,
        computed_at=index.computed_at,
        scale=scale,
    )
