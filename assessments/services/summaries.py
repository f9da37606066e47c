"""Keep each relationship's portfolio summary (RelationshipSummary) up to date,
and each organisation's portfolio totals (PortfolioTotals) with them.

The portfolio dashboard shows, per relationship, the latest joint levels, score
and trend, the assessment state and counts of overdue items: figures that need
every rating and register entry of the relationship. They are worked out here
when the relationship changes (`relationship_summaries_refresh`, connected in
assessments/apps.py to the same saves that move the relationship's cache
version) and each night for the new day (`relationship_summaries_refresh_stale`),
so that the dashboard reads one row per relationship, from one index. Beside the
grid, the unfiltered portfolio shows sums over every summary of the user's
organisation: the same transaction that writes summaries adds to their
organisations' totals the difference from the summaries they replace, so that
the page reads one row however large the portfolio.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db import connection, transaction
from django.db.models import F, OuterRef, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from assessments.choices import VISIBLE_TO_PARTNERS, AssessmentKind
from assessments.models import (
    Assessment,
    PortfolioTotals,
    PrincipleRating,
    RelationshipSummary,
)
from assessments.selectors.dashboards.attention import (
    ATTENTION_LIST_LENGTH,
    entry_order,
)
from assessments.selectors.dashboards.common import (
    AssessmentState,
    MaturityScale,
    assessment_period_state,
    dashboard_catalogue,
    last_ended_periods,
    overdue_actions,
    risks_past_review,
    shared_joint_assessments,
)
from assessments.selectors.ratings import perception_gaps_from_levels
from relationships.access import record_audiences
from relationships.choices import ObjectiveStatus, PlanVersionStatus
from relationships.models import (
    Action,
    Objective,
    Organisation,
    Partnership,
    PlanDecision,
    PlanVersion,
    Relationship,
    Risk,
)

# Relationships refreshed per round: bounds the memory of a nightly refresh of a
# large portfolio.
REFRESH_BATCH = 500

type Levels = dict[int, int]  # principle number -> level


def _latest_joint_levels(
    relationship_ids: list[int],
) -> dict[int, list[tuple[date, Levels]]]:
    """Each relationship's latest two shared joint assessments, latest first: their
    period start and levels. Two queries: a window over the assessments, then
    their ratings."""
    recent: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for relationship_id, assessment_id, period_start in (
        shared_joint_assessments()
        .filter(relationship_id__in=relationship_ids)
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
        recent[relationship_id].append((period_start, assessment_id))
    numbers = dashboard_catalogue().principle_numbers
    levels: dict[int, Levels] = defaultdict(dict)
    for assessment_id, principle_id, level in (
        PrincipleRating.objects.filter(
            assessment_id__in=[pk for pairs in recent.values() for _, pk in pairs]
        )
        .order_by()
        .values_list("assessment_id", "principle_id", "level")
    ):
        levels[assessment_id][numbers[principle_id]] = level
    return {
        relationship_id: [(start, levels.get(pk, {})) for start, pk in pairs]
        for relationship_id, pairs in recent.items()
    }


@dataclass(frozen=True)
class _PartnerTally:
    """Per partnership: how many of some records it may see, the earliest date
    among them (None when it sees none, or none of them has the date), and the
    first few of them by that date (none last), then id: (id, title, date)."""

    counts: dict[int, int]
    earliest: dict[int, date]
    first: dict[int, list[tuple[int, str, date | None]]]


def _tally_per_partner(
    queryset: QuerySet,
    partnerships: dict[int, list[int]],
    *,
    date_field: str | None = None,
    first: int = 0,
) -> _PartnerTally:
    """How many of the queryset's records each partnership may see, the
    earliest `date_field` among them (none without one) and the `first` few of
    them in that date's order."""
    model = queryset.model
    owner = f"{model.owner_partnership_field}_id"
    dated = [date_field, "title"] if date_field else []
    rows = list(
        queryset.order_by().values_list(
            "pk", "relationship_id", "visibility", owner, *dated
        )
    )
    entries = {row[0]: (row[0], row[5], row[4]) for row in rows} if dated else {}
    counts: dict[int, int] = defaultdict(int)
    seen: dict[int, list[tuple[int, str, date | None]]] = defaultdict(list)
    audiences = record_audiences((row[:4] for row in rows), model)
    for pk, (relationship_id, audience) in audiences.items():
        for partnership_id in partnerships.get(relationship_id, []):
            if audience is None or partnership_id in audience:
                counts[partnership_id] += 1
                if dated:
                    seen[partnership_id].append(entries[pk])
    earliest: dict[int, date] = {}
    firsts: dict[int, list[tuple[int, str, date | None]]] = {}
    for partnership_id, records in seen.items():
        # Within one relationship: the lists' order (entry_order).
        records.sort(key=lambda entry: entry_order(entry[2], entry[0]))
        if records[0][2] is not None:
            earliest[partnership_id] = records[0][2]
        if first:
            firsts[partnership_id] = records[:first]
    return _PartnerTally(counts=counts, earliest=earliest, first=firsts)


def _attention_entries(
    partnership_id: int, tallies: dict[str, _PartnerTally]
) -> dict[str, list]:
    """A summary's `attention_entries`: its partner's first entries of each
    attention list that has any."""
    return {
        key: [
            [pk, title, None if day is None else day.isoformat()]
            for pk, title, day in tally.first[partnership_id]
        ]
        for key, tally in tallies.items()
        if partnership_id in tally.first
    }


def _gap_principles(
    relationships: dict[int, Relationship],
    partnerships: dict[int, list[int]],
) -> dict[int, list[int]]:
    """Per partnership: the principle numbers where the self-assessments of the
    relationship's latest joint period that this partner may see differ by
    PERCEPTION_GAP_LEVELS or more (perception_gaps_from_levels decides)."""
    latest_period = Subquery(
        shared_joint_assessments()
        .filter(relationship=OuterRef("relationship_id"))
        .order_by("-period_start")
        .values("period_start")[:1]
    )
    selves = Assessment.objects.filter(
        relationship_id__in=list(relationships),
        kind=AssessmentKind.SELF,
        status__in=VISIBLE_TO_PARTNERS,
        period_start=latest_period,
    )
    audiences = record_audiences(
        selves.order_by().values_list(
            "pk", "relationship_id", "visibility", "partnership_id"
        ),
        Assessment,
    )
    owners = dict(selves.order_by().values_list("pk", "partnership_id"))
    levels: dict[int, dict[int, int]] = defaultdict(dict)
    for assessment_id, principle_id, level in (
        PrincipleRating.objects.filter(assessment_id__in=list(audiences))
        .order_by()
        .values_list("assessment_id", "principle_id", "level")
    ):
        levels[assessment_id][principle_id] = level
    principles = dashboard_catalogue().principles
    gaps: dict[int, list[int]] = {}
    for relationship_id, relationship in relationships.items():
        for partnership_id in partnerships.get(relationship_id, []):
            seen = {
                owners[assessment_id]: levels.get(assessment_id, {})
                for assessment_id, (in_relationship, audience) in audiences.items()
                if in_relationship == relationship_id
                and (audience is None or partnership_id in audience)
            }
            if len(seen) < 2:
                continue
            gaps[partnership_id] = [
                gap.principle.number
                for gap in perception_gaps_from_levels(
                    principles=principles.get(relationship.principle_set_key, []),
                    levels_by_partner=seen,
                )
            ]
    return gaps


def _plans_awaiting(
    relationship_ids: list[int], partnerships: dict[int, list[int]]
) -> dict[int, tuple[datetime, int]]:
    """Per partnership: the submitted plan version of its relationship it has not
    decided on in the version's current round (when it was submitted, its
    number). Two queries."""
    versions = list(
        PlanVersion.objects.filter(
            status=PlanVersionStatus.SUBMITTED,
            plan__relationship_id__in=relationship_ids,
        ).values_list(
            "pk", "plan__relationship_id", "submitted_at", "number", "submission_round"
        )
    )
    decided = set(
        PlanDecision.objects.filter(
            plan_version_id__in=[version[0] for version in versions]
        ).values_list("plan_version_id", "partnership_id", "submission_round")
    )
    awaiting: dict[int, tuple[datetime, int]] = {}
    for pk, relationship_id, submitted_at, number, current_round in versions:
        for partnership_id in partnerships.get(relationship_id, []):
            if (pk, partnership_id, current_round) in decided:
                continue
            when = submitted_at or datetime.min.replace(tzinfo=UTC)
            if partnership_id not in awaiting or when < awaiting[partnership_id][0]:
                awaiting[partnership_id] = (when, number)
    return awaiting


def _mean_score(levels: Levels, scale: MaturityScale) -> float | None:
    if not levels:
        return None
    return sum(scale.scores.get(level, 0) for level in levels.values()) / len(levels)


def _summaries(relationship_ids: list[int], today: date) -> list[RelationshipSummary]:
    relationships = {
        relationship.pk: relationship
        for relationship in Relationship.objects.filter(
            pk__in=relationship_ids
        ).select_related("stage", "assessment_schedule")
    }
    partners: dict[int, list[int]] = defaultdict(list)
    organisations: dict[int, int] = {}
    for partnership_id, relationship_id, organisation_id in Partnership.objects.filter(
        relationship_id__in=list(relationships)
    ).values_list("pk", "relationship_id", "organisation_id"):
        partners[relationship_id].append(partnership_id)
        organisations[partnership_id] = organisation_id
    joints = _latest_joint_levels(list(relationships))
    gaps = _gap_principles(relationships, partners)
    in_these = {"relationship_id__in": list(relationships)}
    first = ATTENTION_LIST_LENGTH
    actions = _tally_per_partner(
        overdue_actions(today).filter(**in_these),
        partners,
        date_field="due_date",
        first=first,
    )
    risks = _tally_per_partner(
        risks_past_review(today).filter(**in_these),
        partners,
        date_field="review_date",
        first=first,
    )
    objectives = _tally_per_partner(
        Objective.objects.filter(status=ObjectiveStatus.OFF_TRACK, **in_these),
        partners,
        date_field="milestone_date",
        first=first,
    )
    attention = {"actions": actions, "risks": risks, "objectives": objectives}
    seen = {
        model: _tally_per_partner(model.objects.filter(**in_these), partners).counts
        for model in (Objective, Risk, Action)
    }
    plans = _plans_awaiting(list(relationships), partners)
    scale = dashboard_catalogue().scale
    periods = last_ended_periods(today)
    summaries = []
    for relationship_id, relationship in relationships.items():
        recent = joints.get(relationship_id, [])
        latest_start, latest_levels = recent[0] if recent else (None, {})
        score = _mean_score(latest_levels, scale)
        previous = _mean_score(recent[1][1], scale) if len(recent) > 1 else None
        state, expected_end = assessment_period_state(
            relationship, latest_joint_start=latest_start, today=today, periods=periods
        )
        for partnership_id in partners.get(relationship_id, []):
            counts = (
                actions.counts.get(partnership_id, 0),
                risks.counts.get(partnership_id, 0),
                objectives.counts.get(partnership_id, 0),
            )
            summaries.append(
                RelationshipSummary(
                    partnership_id=partnership_id,
                    relationship_id=relationship_id,
                    organisation_id=organisations[partnership_id],
                    title=relationship.title,
                    reference=relationship.reference,
                    kind=relationship.kind,
                    stage_number=relationship.stage.number,
                    stage_name=relationship.stage.name,
                    latest_joint_start=latest_start,
                    levels={
                        str(number): level for number, level in latest_levels.items()
                    },
                    score=None if score is None else round(score),
                    score_band=scale.band(score),
                    trend=(
                        None
                        if score is None or previous is None
                        else round(score - previous)
                    ),
                    assessment_state=state,
                    expected_end=expected_end,
                    gap_principles=gaps.get(partnership_id, []),
                    overdue_actions=counts[0],
                    risks_past_review=counts[1],
                    objectives_off_track=counts[2],
                    objectives=seen[Objective].get(partnership_id, 0),
                    risks=seen[Risk].get(partnership_id, 0),
                    actions=seen[Action].get(partnership_id, 0),
                    first_overdue_action=actions.earliest.get(partnership_id),
                    first_risk_past_review=risks.earliest.get(partnership_id),
                    first_off_track_milestone=objectives.earliest.get(partnership_id),
                    has_overdue_items=bool(counts[0] or counts[1])
                    or state == AssessmentState.OVERDUE,
                    attention_entries=_attention_entries(partnership_id, attention),
                    plan_awaiting_since=plans.get(partnership_id, (None,))[0],
                    plan_awaiting_version=plans.get(partnership_id, (None, None))[1],
                    as_of=today,
                )
            )
    return summaries


_UPDATED_FIELDS = [
    field.name
    for field in RelationshipSummary._meta.concrete_fields
    if not field.primary_key
]


# --- the organisations' totals -------------------------------------------------

# What a summary adds to its organisation's totals (`_tally`).
_TALLIED = (
    "organisation_id",
    "stage_number",
    "kind",
    "assessment_state",
    "gap_principles",
    "overdue_actions",
    "risks_past_review",
    "objectives_off_track",
    "plan_awaiting_since",
    "as_of",
    "objectives",
    "risks",
    "actions",
)
_TOTALS_COUNTS = (
    "relationships",
    "assessments_due",
    "assessments_overdue",
    "with_gaps",
    "overdue_actions",
    "risks_past_review",
    "objectives_off_track",
    "plans_awaiting",
    "objectives",
    "risks",
    "actions",
)
_TOTALS_BUCKETS = ("by_stage", "by_kind", "by_as_of")

# Per organisation: a count's name, or (bucket field, key), and what to add.
type TotalsChange = dict[int, Counter[str | tuple[str, str]]]


def _tally(rows: Iterable[tuple], *, sign: int, into: TotalsChange) -> None:
    """Add (sign 1) or take away (sign -1) what summaries, as `_TALLIED` values,
    count for in their organisations' totals. The one rule of what the totals
    hold: the increments and the recount both go through it."""
    for (
        organisation_id,
        stage_number,
        kind,
        state,
        gap_principles,
        actions,
        risks,
        objectives,
        plan_awaiting_since,
        as_of,
        objectives_seen,
        risks_seen,
        actions_seen,
    ) in rows:
        change = into[organisation_id]
        change["relationships"] += sign
        change["assessments_due"] += sign * (state == AssessmentState.DUE)
        change["assessments_overdue"] += sign * (state == AssessmentState.OVERDUE)
        change["with_gaps"] += sign * bool(gap_principles)
        change["overdue_actions"] += sign * actions
        change["risks_past_review"] += sign * risks
        change["objectives_off_track"] += sign * objectives
        change["plans_awaiting"] += sign * (plan_awaiting_since is not None)
        change["objectives"] += sign * objectives_seen
        change["risks"] += sign * risks_seen
        change["actions"] += sign * actions_seen
        change["by_stage", str(stage_number)] += sign
        change["by_kind", str(kind)] += sign
        change["by_as_of", as_of.isoformat()] += sign


def _apply(totals: PortfolioTotals, change: Counter) -> None:
    for key, amount in change.items():
        if isinstance(key, tuple):
            field, bucket = key
            buckets = getattr(totals, field)
            buckets[bucket] = buckets.get(bucket, 0) + amount
            if not buckets[bucket]:
                del buckets[bucket]
        else:
            setattr(totals, key, getattr(totals, key) + amount)


def _totals_locked(organisation_ids: list[int] | None) -> list[PortfolioTotals]:
    """The totals rows of these organisations (every row: None), made when
    missing and locked until the transaction ends, in the order of their ids
    (two writers lock the rows they share in the same order)."""
    if organisation_ids is not None:
        PortfolioTotals.objects.bulk_create(
            [PortfolioTotals(organisation_id=pk) for pk in sorted(organisation_ids)],
            ignore_conflicts=True,
        )
    rows = PortfolioTotals.objects.select_for_update().order_by("pk")
    if organisation_ids is not None:
        rows = rows.filter(pk__in=organisation_ids)
    return list(rows)


def _totals_add(change: TotalsChange) -> None:
    """Add the changes to their organisations' totals (inside the transaction
    that wrote the summaries)."""
    change = {
        organisation_id: Counter({key: n for key, n in counts.items() if n})
        for organisation_id, counts in change.items()
    }
    change = {pk: counts for pk, counts in change.items() if counts}
    if not change:
        return
    rows = _totals_locked(list(change))
    for totals in rows:
        _apply(totals, change[totals.pk])
    PortfolioTotals.objects.bulk_update(rows, [*_TOTALS_COUNTS, *_TOTALS_BUCKETS])


def portfolio_totals_recount(*, organisation_ids: Iterable[int] | None = None) -> int:
    """Count the totals of these organisations (of every organisation: None)
    afresh from their summaries; returns how many rows were written. Used where
    summaries go without a refresh seeing them (a partner removed: CASCADE), by
    the nightly job and by `manage.py recount_portfolio_totals`.

    The rows are locked before the summaries are read, so a refresh running
    meanwhile adds its difference after the count, to what it counted."""
    with transaction.atomic():
        if organisation_ids is None:
            organisations = None
            PortfolioTotals.objects.bulk_create(
                [
                    PortfolioTotals(organisation_id=pk)
                    for pk in RelationshipSummary.objects.order_by("organisation_id")
                    .values_list("organisation_id", flat=True)
                    .distinct()
                ],
                ignore_conflicts=True,
            )
            summaries = RelationshipSummary.objects.all()
        else:
            # Organisations deleted meanwhile took their totals with them.
            organisations = list(
                Organisation.objects.filter(pk__in=set(organisation_ids)).values_list(
                    "pk", flat=True
                )
            )
            summaries = RelationshipSummary.objects.filter(
                organisation_id__in=organisations
            )
        rows = _totals_locked(organisations)
        counted: TotalsChange = defaultdict(Counter)
        _tally(summaries.order_by().values_list(*_TALLIED), sign=1, into=counted)
        for totals in rows:
            for field in _TOTALS_COUNTS:
                setattr(totals, field, 0)
            for field in _TOTALS_BUCKETS:
                setattr(totals, field, {})
            _apply(totals, counted.get(totals.pk, Counter()))
        PortfolioTotals.objects.bulk_update(
            rows, [*_TOTALS_COUNTS, *_TOTALS_BUCKETS], batch_size=1000
        )
    return len(rows)


# --- refreshing ----------------------------------------------------------------


def _refreshes_take_turns(relationship_ids: list[int]) -> None:
    """Wait until no other transaction refreshes these relationships, and keep
    them until this one ends (PostgreSQL; SQLite has one writer at a time). So
    each refresh works the summaries out from what is committed when its turn
    comes, and adds to the totals the difference from what the one before it
    wrote, never from the same rows twice. An advisory lock, not a row lock: no
    save, sign-off or deletion waits for a refresh."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, (id %% 2147483647)::integer) "
            "FROM unnest(%s::bigint[]) AS id ORDER BY id",
            [SUMMARY_LOCKS, relationship_ids],
        )


# The first key of the refresh's advisory locks (the second: the relationship).
SUMMARY_LOCKS = 44001


@transaction.atomic
def _refresh_batch(relationship_ids: list[int], today: date) -> int:
    _refreshes_take_turns(relationship_ids)
    summaries = _summaries(relationship_ids, today)
    change: TotalsChange = defaultdict(Counter)
    _tally(
        RelationshipSummary.objects.filter(relationship_id__in=relationship_ids)
        .order_by()
        .values_list(*_TALLIED),
        sign=-1,
        into=change,
    )
    _tally(
        ([getattr(summary, name) for name in _TALLIED] for summary in summaries),
        sign=1,
        into=change,
    )
    # One statement: a partner's summary goes with its partnership (CASCADE).
    RelationshipSummary.objects.bulk_create(
        summaries,
        update_conflicts=True,
        unique_fields=["partnership"],
        update_fields=_UPDATED_FIELDS,
    )
    _totals_add(change)
    return len(summaries)


def relationship_summaries_refresh(
    *, relationship_ids: Iterable[int], today: date | None = None
) -> int:
    """Work the summaries of these relationships out again, for each of their
    partners, and move their organisations' totals with them; returns how many
    rows were written. A few set-based queries per batch, whatever the number of
    relationships, each batch in a transaction of its own."""
    today = today or timezone.localdate()
    ids = sorted(set(relationship_ids))
    written = 0
    for start in range(0, len(ids), REFRESH_BATCH):
        written += _refresh_batch(ids[start : start + REFRESH_BATCH], today)
    return written


def relationship_summaries_refresh_stale(*, today: date | None = None) -> int:
    """Refresh the summaries computed for another day than `today` (their overdue
    counts and assessment state depend on the day) and those of relationships
    without one, then count every organisation's totals afresh (they follow the
    summaries; a recount puts right anything written around the services): the
    nightly job."""
    today = today or timezone.localdate()
    stale = set(
        RelationshipSummary.objects.exclude(as_of=today).values_list(
            "relationship_id", flat=True
        )
    ) | set(
        Partnership.objects.filter(summary__isnull=True).values_list(
            "relationship_id", flat=True
        )
    )
    written = relationship_summaries_refresh(relationship_ids=stale, today=today)
    portfolio_totals_recount()
    return written


def _has_live_columns(connection, model) -> bool:
    table = model._meta.db_table
    if table not in connection.introspection.table_names():
        return False
    with connection.cursor() as cursor:
        columns = {
            column.name
            for column in connection.introspection.get_table_description(cursor, table)
        }
    return all(field.column in columns for field in model._meta.concrete_fields)


def relationship_summaries_backfill(schema_editor) -> int:
    """For migrations: work every relationship's summaries and every
    organisation's totals out, when their tables already have every column of
    the live models; else a later migration, which adds the rest, does it. Each
    migration that changes what a summary or the totals hold calls it, so the
    last one applied fills them, however many run at once."""
    connection = schema_editor.connection
    if not all(
        _has_live_columns(connection, model)
        for model in (RelationshipSummary, PortfolioTotals)
    ):
        return 0
    # Counted first, so that the refresh adds its differences to what is there.
    portfolio_totals_recount()
    return relationship_summaries_refresh(
        relationship_ids=Partnership.objects.values_list(
            "relationship_id", flat=True
        ).distinct()
    )
