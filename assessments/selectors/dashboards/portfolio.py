"""The portfolio dashboard: one page of relationships, counters and distributions.

Everything is read from the relationships' summaries (RelationshipSummary, kept
up to date by assessments/services/summaries.py), one row per relationship the
user sees: the grid is paged and sorted in the database. The counters and
distributions of the unfiltered portfolio are the organisation's kept totals
(PortfolioTotals, one row), for a user whose organisation's totals are theirs;
a filtered portfolio's are aggregates over its rows. So the unfiltered first
page costs the same whatever the number of relationships, and a filtered one
grows with the relationships that match, never with the size of the site.

Cached, when caching is on: the counters and distributions per user and filter
under the user's portfolio key (relationships/caching.py: any change in one of
the user's relationships, and only that, gives a new key); the rendered grid rows
per page under the versions of the page's relationships (in the template).
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from assessments.models import PortfolioTotals, RelationshipSummary
from assessments.selectors.dashboards.attention import Attention, portfolio_attention
from assessments.selectors.dashboards.common import (
    PRINCIPLE_SHORT_NAMES,
    AssessmentState,
    Bar,
    MaturityScale,
    bars_from_counts,
    dashboard_catalogue,
)
from principles.choices import PrincipleKey
from relationships.access import (
    organisation_ids_of,
    portfolio_organisation_of,
    relationship_summaries_visible_to,
)
from relationships.caching import cache_seconds, portfolio_key, relationships_key
from relationships.choices import RelationshipKind

# A screenful for a meeting; every further row costs time on every view.
PORTFOLIO_PAGE_SIZE = 25

# Sort orders of the grid, all on the summary's own indexed columns.
PORTFOLIO_SORTS = {
    "title": ("title", "relationship_id"),
    "-title": ("-title", "-relationship_id"),
    "score": (F("score").asc(nulls_first=True), "title", "relationship_id"),
    "-score": (F("score").desc(nulls_last=True), "title", "relationship_id"),
    "trend": (F("trend").asc(nulls_last=True), "title", "relationship_id"),
    "-trend": (F("trend").desc(nulls_last=True), "title", "relationship_id"),
    "stage": ("stage_number", "title", "relationship_id"),
    "-stage": ("-stage_number", "title", "relationship_id"),
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


@dataclass(frozen=True)
class Portfolio:
    """The summaries of the relationships the user sees, fresh for the day, and
    the kept totals of them all when the user's organisation's totals are
    exactly the user's (`portfolio_organisation_of`). `as_of`: the earliest day
    some of the summaries are still for, while today's are worked out in the
    background (None: all are for today)."""

    summaries: QuerySet[RelationshipSummary]
    totals: PortfolioTotals | None
    as_of: date | None = None


# Summaries of another day worked out within a portfolio request, at most: about
# 20 ms each. More (a large portfolio's first view after midnight, before the
# daily run) are queued, and the page shows the day they are for meanwhile.
REFRESH_IN_REQUEST = 100
REFRESH_GUARD = "dashboards:summaries-refresh-queued:"


def _organisation_totals(organisation_id: int) -> PortfolioTotals:
    # No row yet: the organisation has no summary.
    return PortfolioTotals.objects.filter(pk=organisation_id).first() or (
        PortfolioTotals(organisation_id=organisation_id)
    )


def kept_register_count(user: AbstractBaseUser, register: str) -> int | None:
    """How many rows the user's unfiltered objectives, risks or actions list
    (`register`) has, from the kept totals of the user's organisation when they
    are exactly the user's (`portfolio_organisation_of`); None for anyone else,
    whose list counts its rows. One row read, however many the list has."""
    # Imported here, as in portfolio_for_user.
    from assessments.receivers import summaries_refresh_noted

    organisation_id = portfolio_organisation_of(user)
    if organisation_id is None:
        return None
    summaries_refresh_noted()
    return getattr(_organisation_totals(organisation_id), register)


def portfolio_for_user(
    *, user: AbstractBaseUser, today: date | None = None
) -> Portfolio:
    """The user's portfolio for today: summaries of another day (overdue counts
    move with the date; the daily job refreshes them all, and those of
    relationships without one) are worked out first, up to REFRESH_IN_REQUEST
    of them; more are queued (`as_of` says since when the page's figures are).
    Whether there are any, the kept totals tell (they count summaries by day);
    without them, a check that reads two empty ranges of one index."""
    # Imported here: the services import this package's common module.
    from assessments.receivers import summaries_refresh_noted
    from assessments.services.summaries import relationship_summaries_refresh

    today = today or timezone.localdate()
    summaries_refresh_noted()
    summaries = relationship_summaries_visible_to(user)
    organisation_id = portfolio_organisation_of(user)
    totals = _organisation_totals(organisation_id) if organisation_id else None
    as_of = None
    if totals is None or not totals.is_for(today):
        stale = list(
            summaries.filter(Q(as_of__lt=today) | Q(as_of__gt=today))
            .order_by()
            .values_list("relationship_id", "as_of")
        )
        if len(stale) > REFRESH_IN_REQUEST:
            as_of = min(day for _, day in stale)
            _refresh_queued(today)
        elif stale:
            relationship_summaries_refresh(
                relationship_ids=[pk for pk, _ in stale], today=today
            )
            if organisation_id:
                totals = _organisation_totals(organisation_id)
    return Portfolio(summaries=summaries, totals=totals, as_of=as_of)


def _refresh_queued(today: date) -> None:
    """Queue the refresh of every summary of another day, once a day while it
    runs (its guard lasts 15 minutes, then a later view queues it again)."""
    from assessments.tasks import summaries_refresh_stale_task

    if cache.add(f"{REFRESH_GUARD}{today.isoformat()}", True, 15 * 60):
        summaries_refresh_stale_task.delay()


def portfolio_summaries(
    *, user: AbstractBaseUser, today: date | None = None
) -> QuerySet[RelationshipSummary]:
    """The summaries of the relationships the user sees, one per relationship,
    for today (`portfolio_for_user`)."""
    return portfolio_for_user(user=user, today=today).summaries


# --- counters and distributions ------------------------------------------------


@dataclass(frozen=True)
class PortfolioCounts:
    """What the counters and distributions count over a set of summaries."""

    count: int
    assessments_due: int
    assessments_overdue: int
    with_gaps: int
    overdue_actions: int
    risks_past_review: int
    objectives_off_track: int
    plans_awaiting: int
    by_stage: dict[int, int]
    by_kind: dict[str, int]


def _counts_kept(totals: PortfolioTotals) -> PortfolioCounts:
    return PortfolioCounts(
        count=totals.relationships,
        assessments_due=totals.assessments_due,
        assessments_overdue=totals.assessments_overdue,
        with_gaps=totals.with_gaps,
        overdue_actions=totals.overdue_actions,
        risks_past_review=totals.risks_past_review,
        objectives_off_track=totals.objectives_off_track,
        plans_awaiting=totals.plans_awaiting,
        by_stage={int(number): count for number, count in totals.by_stage.items()},
        by_kind=dict(totals.by_kind),
    )


def _counts_of_rows(summaries: QuerySet[RelationshipSummary]) -> PortfolioCounts:
    """Counted from the rows (a filtered portfolio, or a user whose organisation's
    totals are not theirs): one aggregate per stage and kind."""
    sums: Counter[str] = Counter()
    by_stage: Counter[int] = Counter()
    by_kind: Counter[str] = Counter()
    for row in (
        summaries.order_by()
        .values("stage_number", "kind")
        .annotate(
            count=Count("pk"),
            assessments_due=Count("pk", filter=Q(assessment_state=AssessmentState.DUE)),
            assessments_overdue=Count(
                "pk", filter=Q(assessment_state=AssessmentState.OVERDUE)
            ),
            with_gaps=Count("pk", filter=~Q(gap_principles=[])),
            overdue_actions=Sum("overdue_actions", default=0),
            risks_past_review=Sum("risks_past_review", default=0),
            objectives_off_track=Sum("objectives_off_track", default=0),
            plans_awaiting=Count("pk", filter=Q(plan_awaiting_since__isnull=False)),
        )
    ):
        stage_number, kind = row.pop("stage_number"), row.pop("kind")
        by_stage[stage_number] += row["count"]
        by_kind[kind] += row["count"]
        sums.update(row)
    return PortfolioCounts(
        **{field: sums[field] for field in _SUMMED}, by_stage=by_stage, by_kind=by_kind
    )


_SUMMED = (
    "count",
    "assessments_due",
    "assessments_overdue",
    "with_gaps",
    "overdue_actions",
    "risks_past_review",
    "objectives_off_track",
    "plans_awaiting",
)


@dataclass(frozen=True)
class Distributions:
    by_stage: list[Bar]
    by_kind: list[Bar]


def portfolio_distributions(counts: PortfolioCounts) -> Distributions:
    stages = dashboard_catalogue().stages
    return Distributions(
        by_stage=bars_from_counts(
            [
                (f"{number}. {name}", counts.by_stage.get(number, 0), name)
                for number, name in stages
            ]
        ),
        by_kind=bars_from_counts(
            [
                (label, counts.by_kind.get(kind, 0), label)
                for kind, label in RelationshipKind.choices
            ]
        ),
    )


# --- counters over the whole filtered portfolio --------------------------------


@dataclass(frozen=True)
class PortfolioIndex:
    """What the whole filtered portfolio shows beside the grid."""

    count: int
    attention: Attention
    distributions: Distributions
    computed_at: datetime


def portfolio_index_build(
    *,
    user: AbstractBaseUser,
    summaries: QuerySet[RelationshipSummary],
    today: date,
    totals: PortfolioTotals | None = None,
) -> PortfolioIndex:
    """The counters, their first items and the distributions of the summaries;
    `totals`, when given, are the kept totals of exactly these summaries (the
    unfiltered portfolio of `Portfolio.totals`), read instead of the rows."""
    summaries = summaries.order_by()
    counts = _counts_of_rows(summaries) if totals is None else _counts_kept(totals)
    return PortfolioIndex(
        count=counts.count,
        attention=portfolio_attention(
            user=user, summaries=summaries, counts=counts, today=today
        ),
        distributions=portfolio_distributions(counts),
        computed_at=timezone.now(),
    )


def portfolio_index_for_user(
    *,
    user: AbstractBaseUser,
    summaries: QuerySet[RelationshipSummary],
    filter_key: str,
    today: date,
    totals: PortfolioTotals | None = None,
) -> PortfolioIndex:
    """The index, from the cache while none of the user's relationships changed."""

    def build() -> PortfolioIndex:
        return portfolio_index_build(
            user=user, summaries=summaries, today=today, totals=totals
        )

    seconds = cache_seconds()
    if seconds <= 0:
        return build()
    key = portfolio_key(organisation_ids_of(user), user.pk, filter_key, today)
    index = cache.get(f"dashboards:portfolio:{key}")
    if index is None:
        index = build()
        cache.set(f"dashboards:portfolio:{key}", index, seconds)
    return index


# --- the portfolio dashboard ---------------------------------------------------


class _CountedPaginator(Paginator):
    """Pages a queryset whose count is already known (it is in the index)."""

    def __init__(self, object_list: QuerySet, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


@dataclass(frozen=True)
class PortfolioDashboard:
    page: Page
    rows: list[RelationshipSummary]
    rows_cache_key: str
    attention: Attention
    distributions: Distributions
    computed_at: datetime
    scale: MaturityScale
    columns: tuple[PrincipleColumn, ...] = PRINCIPLE_COLUMNS


def portfolio_dashboard_build(
    *,
    user: AbstractBaseUser,
    summaries: QuerySet[RelationshipSummary],
    scale: MaturityScale,
    page_number: str | int | None,
    filter_key: str,
    totals: PortfolioTotals | None = None,
    today: date | None = None,
) -> PortfolioDashboard:
    """The dashboard of a filtered and sorted queryset of the user's summaries
    (portfolio_for_user); filter_key identifies the filter and sort for the
    cache, and `totals` are the kept totals when the queryset is the whole
    portfolio they count (`Portfolio.totals`, no filter). The page's rows are
    read on every request: one indexed query."""
    today = today or timezone.localdate()
    if not summaries.query.order_by:
        summaries = summaries.order_by(*PORTFOLIO_SORTS["title"])
    index = portfolio_index_for_user(
        user=user,
        summaries=summaries,
        filter_key=filter_key,
        today=today,
        totals=totals,
    )
    # The grid shows no attention entries: their JSON stays in the database.
    page = _CountedPaginator(
        summaries.defer("attention_entries"), PORTFOLIO_PAGE_SIZE, index.count
    ).get_page(page_number)
    rows = list(page.object_list)
    return PortfolioDashboard(
        page=page,
        rows=rows,
        # A row shows the same to every partner: keyed by its relationship's
        # version (and the day: the assessment state moves with it).
        rows_cache_key=relationships_key(
            [row.relationship_id for row in rows],
            [row.relationship_id for row in rows],
            today,
        ),
        attention=index.attention,
        distributions=index.distributions,
        computed_at=index.computed_at,
        scale=scale,
    )
