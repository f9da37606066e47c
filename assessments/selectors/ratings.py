"""Ratings read across a relationship's assessments: the latest rating table
and the perception gaps between partners' shared self-assessments."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from assessments.choices import VISIBLE_TO_PARTNERS, AssessmentKind
from assessments.models import Assessment, PrincipleRating
from principles.models import Principle, rag_for_level
from relationships.access import AnyUser, visible_records
from relationships.models import Relationship


@dataclass(frozen=True)
class RatingCell:
    level: int | None

    @property
    def rag(self) -> str:
        return rag_for_level(self.level) if self.level else "none"


@dataclass(frozen=True)
class RatingRow:
    principle: Principle
    cells: list[RatingCell]


@dataclass(frozen=True)
class RatingTable:
    """One period's ratings: a joint column, then one column per partner's self-view."""

    period_label: str
    joint_status: str
    columns: list[str]
    rows: list[RatingRow]


def assessments_shared_for_relationship(
    *, relationship: Relationship, viewer: AnyUser | None
) -> QuerySet[Assessment]:
    """Assessments shared with the partners (submitted or final ones), of those
    the viewer may see: a self-assessment private to another partner is left
    out (None: the joint records alone)."""
    return Assessment.objects.filter(
        visible_records(viewer, Assessment),
        relationship=relationship,
        status__in=VISIBLE_TO_PARTNERS,
    ).select_related("partnership__organisation")


def relationship_latest_rating_table(
    *, relationship: Relationship, viewer: AnyUser | None
) -> RatingTable | None:
    """The latest shared joint assessment beside the partners' shared self-views
    that the viewer may see."""
    shared = assessments_shared_for_relationship(
        relationship=relationship, viewer=viewer
    )
    joint = shared.filter(kind=AssessmentKind.JOINT).order_by("-period_start").first()
    if joint is None:
        return None
    period_assessments = list(
        shared.filter(period_start=joint.period_start)
        .order_by("kind", "partnership__organisation__name")
        .prefetch_related(
            Prefetch(
                "ratings",
                queryset=PrincipleRating.objects.only(
                    "assessment_id", "principle_id", "level"
                ),
            )
        )
    )
    period_assessments.sort(
        key=lambda assessment: assessment.kind != AssessmentKind.JOINT
    )
    principles = Principle.objects.filter(
        principle_set__key=relationship.principle_set_key
    ).order_by("number")
    levels = [
        {rating.principle_id: rating.level for rating in assessment.ratings.all()}
        for assessment in period_assessments
    ]
    columns = [
        "Joint"
        if assessment.kind == AssessmentKind.JOINT
        else f"{assessment.partnership.organisation.name} (self)"
        for assessment in period_assessments
    ]
    rows = [
        RatingRow(
            principle=principle,
            cells=[
                RatingCell(level=by_principle.get(principle.pk))
                for by_principle in levels
            ],
        )
        for principle in principles
    ]
    return RatingTable(
        period_label=joint.period_label,
        joint_status=joint.get_status_display(),
        columns=columns,
        rows=rows,
    )


# Partners whose self-assessments of one principle differ by this many levels or
# more see a perception gap flagged: the most useful thing to talk about.
PERCEPTION_GAP_LEVELS = 2


@dataclass(frozen=True)
class PerceptionGap:
    """Partners' self-assessed levels of one principle that differ by 2 or more."""

    principle: Principle
    levels: dict[str, int]

    @property
    def spread(self) -> int:
        return max(self.levels.values()) - min(self.levels.values())


def perception_gaps_from_levels(
    *, principles: list[Principle], levels_by_partner: dict[str, dict[int, int]]
) -> list[PerceptionGap]:
    """Gaps between partners, from {partner name: {principle id: level}}."""
    gaps = []
    for principle in principles:
        levels = {
            partner: by_principle[principle.pk]
            for partner, by_principle in levels_by_partner.items()
            if principle.pk in by_principle
        }
        if len(levels) >= 2:
            gap = PerceptionGap(principle=principle, levels=levels)
            if gap.spread >= PERCEPTION_GAP_LEVELS:
                gaps.append(gap)
    return gaps


def relationship_perception_gaps(
    *, relationship: Relationship, period_start, viewer: AnyUser | None
) -> list[PerceptionGap]:
    """Gaps between the partners' shared self-assessments of one period that the
    viewer may see."""
    self_assessments = (
        assessments_shared_for_relationship(relationship=relationship, viewer=viewer)
        .filter(kind=AssessmentKind.SELF, period_start=period_start)
        .prefetch_related("ratings")
    )
    levels_by_partner = {
        assessment.partnership.organisation.name: {
            rating.principle_id: rating.level for rating in assessment.ratings.all()
        }
        for assessment in self_assessments
    }
    principles = list(
        Principle.objects.filter(
            principle_set__key=relationship.principle_set_key
        ).order_by("number")
    )
    return perception_gaps_from_levels(
        principles=principles, levels_by_partner=levels_by_partner
    )


def assessment_perception_gaps(
    *, assessment: Assessment, viewer: AnyUser | None
) -> list[PerceptionGap]:
    """Gaps between the partners' shared self-assessments of this period that the
    viewer may see."""
    return relationship_perception_gaps(
        relationship=assessment.relationship,
        period_start=assessment.period_start,
        viewer=viewer,
    )


def relationship_perception_gaps_by_period(
    *, relationship: Relationship, viewer: AnyUser | None
) -> dict[datetime.date, list[PerceptionGap]]:
    """Every period's perception gaps, from the shared self-assessments the viewer
    may see, in two queries: {period start: gaps}, periods without gaps left out.
    """
    rows = PrincipleRating.objects.filter(
        visible_records(viewer, Assessment, via="assessment__"),
        assessment__relationship=relationship,
        assessment__kind=AssessmentKind.SELF,
        assessment__status__in=VISIBLE_TO_PARTNERS,
    ).values_list(
        "assessment__period_start",
        "assessment__partnership__organisation__name",
        "principle_id",
        "level",
    )
    levels_by_period: dict[datetime.date, dict[str, dict[int, int]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for period_start, partner_name, principle_id, level in rows:
        levels_by_period[period_start][partner_name][principle_id] = level
    if not levels_by_period:
        return {}
    principles = list(
        Principle.objects.filter(
            principle_set__key=relationship.principle_set_key
        ).order_by("number")
    )
    gaps_by_period = {}
    for period_start, levels_by_partner in levels_by_period.items():
        gaps = perception_gaps_from_levels(
            principles=principles, levels_by_partner=levels_by_partner
        )
        if gaps:
            gaps_by_period[period_start] = gaps
    return gaps_by_period
