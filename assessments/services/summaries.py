"""Keep each relationship's portfolio summary (RelationshipSummary) up to date.

The portfolio dashboard shows, per relationship, the latest joint levels, score
and trend, the assessment state and counts of overdue items: figures that need
every rating and register entry of the relationship. They are worked out here
when the relationship changes (`relationship_summaries_refresh`, connected in
assessments/apps.py to the same saves that move the relationship's cache
version) and each night for the new day (`relationship_summaries_refresh_stale`),
so that the dashboard reads one row per relationship, from one index.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db.models import F, OuterRef, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from assessments.choices import VISIBLE_TO_PARTNERS, AssessmentKind
from assessments.models import Assessment, PrincipleRating, RelationshipSummary
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
    Objective,
    Partnership,
    PlanDecision,
    PlanVersion,
    Relationship,
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
    """Per partnership: how many of some records it may see, and the earliest
    date among them (None when it sees none, or none of them has the date)."""

    counts: dict[int, int]
    earliest: dict[int, date]


def _tally_per_partner(
    queryset: QuerySet, partnerships: dict[int, list[int]], *, date_field: str
) -> _PartnerTally:
    """How many of the queryset's records each partnership may see, and the
    earliest `date_field` among them."""
    model = queryset.model
    owner = f"{model.owner_partnership_field}_id"
    rows = list(
        queryset.order_by().values_list(
            "pk", "relationship_id", "visibility", owner, date_field
        )
    )
    dates = {row[0]: row[4] for row in rows}
    counts: dict[int, int] = defaultdict(int)
    earliest: dict[int, date] = {}
    audiences = record_audiences((row[:4] for row in rows), model)
    for pk, (relationship_id, audience) in audiences.items():
        for partnership_id in partnerships.get(relationship_id, []):
            if audience is None or partnership_id in audience:
                counts[partnership_id] += 1
                when = dates[pk]
                if when is not None and (
                    partnership_id not in earliest or when < earliest[partnership_id]
                ):
                    earliest[partnership_id] = when
    return _PartnerTally(counts=counts, earliest=earliest)


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
    actions = _tally_per_partner(
        overdue_actions(today).filter(**in_these), partners, date_field="due_date"
    )
    risks = _tally_per_partner(
        risks_past_review(today).filter(**in_these), partners, date_field="review_date"
    )
    objectives = _tally_per_partner(
        Objective.objects.filter(status=ObjectiveStatus.OFF_TRACK, **in_these),
        partners,
        date_field="milestone_date",
    )
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
                    first_overdue_action=actions.earliest.get(partnership_id),
                    first_risk_past_review=risks.earliest.get(partnership_id),
                    first_off_track_milestone=objectives.earliest.get(partnership_id),
                    has_overdue_items=bool(counts[0] or counts[1])
                    or state == AssessmentState.OVERDUE,
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


def relationship_summaries_refresh(
    *, relationship_ids: Iterable[int], today: date | None = None
) -> int:
    """Work the summaries of these relationships out again, for each of their
    partners; returns how many rows were written. A few set-based queries per
    batch, whatever the number of relationships."""
    today = today or timezone.localdate()
    ids = sorted(set(relationship_ids))
    written = 0
    for start in range(0, len(ids), REFRESH_BATCH):
        batch = ids[start : start + REFRESH_BATCH]
        # One statement: a partner's summary goes with its partnership (CASCADE).
        summaries = _summaries(batch, today)
        RelationshipSummary.objects.bulk_create(
            summaries,
            update_conflicts=True,
            unique_fields=["partnership"],
            update_fields=_UPDATED_FIELDS,
        )
        written += len(summaries)
    return written


def relationship_summaries_refresh_stale(*, today: date | None = None) -> int:
    """Refresh the summaries computed for another day than `today` (their overdue
    counts and assessment state depend on the day) and those of relationships
    without one: the nightly job."""
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
    return relationship_summaries_refresh(relationship_ids=stale, today=today)


def relationship_summaries_backfill(schema_editor) -> int:
    """For migrations: work every relationship's summaries out, when the table
    already has every column of the live model; else a later migration, which
    adds the rest, does it. Each migration that changes what a summary holds
    calls it, so the last one applied fills them, however many run at once."""
    connection = schema_editor.connection
    table = RelationshipSummary._meta.db_table
    with connection.cursor() as cursor:
        columns = {
            column.name
            for column in connection.introspection.get_table_description(cursor, table)
        }
    if any(
        field.column not in columns
        for field in RelationshipSummary._meta.concrete_fields
    ):
        return 0
    return relationship_summaries_refresh(
        relationship_ids=Partnership.objects.values_list(
            "relationship_id", flat=True
        ).distinct()
    )
