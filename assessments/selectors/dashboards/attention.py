"""The portfolio's attention counters, each with its first few items."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.urls import NoReverseMatch, reverse

from assessments.choices import VISIBLE_TO_PARTNERS, AssessmentKind
from assessments.models import Assessment, PrincipleRating
from assessments.selectors.dashboards.annotations import (
    overdue_actions,
    risks_past_review,
    with_assessment_state,
)
from assessments.selectors.dashboards.common import (
    PRINCIPLE_SHORT_NAMES,
    AssessmentState,
    dashboard_catalogue,
    shared_joint_assessments,
    short_date,
)
from assessments.selectors.ratings import (
    PERCEPTION_GAP_LEVELS,
    PerceptionGap,
    perception_gaps_from_levels,
)
from relationships.access import AnyUser, partnership_represented_by_q, visible_records
from relationships.choices import ObjectiveStatus, PlanVersionStatus
from relationships.models import (
    Action,
    Objective,
    Partnership,
    PlanDecision,
    PlanVersion,
    Relationship,
    Risk,
)

# --- attention counters --------------------------------------------------------


ATTENTION_LIST_LENGTH = 5


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
                f": period ended {short_date(relationship.expected_end)}"
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
    relationships: QuerySet[Relationship], *, viewer: AnyUser
) -> QuerySet[Assessment]:
    """Shared self-assessments of the period of each relationship's latest shared
    joint assessment (the period the grid shows)."""
    latest_period = Subquery(
        shared_joint_assessments()
        .filter(relationship=OuterRef("relationship_id"))
        .order_by("-period_start")
        .values("period_start")[:1]
    )
    return Assessment.objects.filter(
        visible_records(viewer, Assessment),
        kind=AssessmentKind.SELF,
        status__in=VISIBLE_TO_PARTNERS,
        relationship__in=relationships.order_by().values("pk"),
        period_start=latest_period,
    )


def _relationship_ids_with_gaps(
    relationships: QuerySet[Relationship], *, viewer: AnyUser
) -> list[int]:
    """Relationships where, in the latest period, the partners' own ratings of a
    principle differ by PERCEPTION_GAP_LEVELS or more: one aggregate query."""
    latest_period = Subquery(
        shared_joint_assessments()
        .filter(relationship=OuterRef("pk"))
        .order_by("-period_start")
        .values("period_start")[:1]
    )
    return list(
        relationships.order_by()
        .annotate(latest_period=latest_period)
        .filter(
            visible_records(viewer, Assessment, via="assessments__"),
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
    relationships: QuerySet[Relationship], *, viewer: AnyUser
) -> tuple[int, list[AttentionItem]]:
    ids = _relationship_ids_with_gaps(relationships, viewer=viewer)
    if not ids:
        return 0, []
    first = list(
        Relationship.objects.filter(pk__in=ids)
        .order_by("title", "pk")
        .only("title", "reference", "kind")[:ATTENTION_LIST_LENGTH]
    )
    gaps_by_relationship = relationship_perception_gaps_for_many(first, viewer=viewer)
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
    relationships: Iterable[Relationship], *, viewer: AnyUser
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
                Relationship.objects.filter(pk__in=ids), viewer=viewer
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
    relationships: QuerySet[Relationship], *, viewer: AnyUser, today: date
) -> dict[str, tuple[int, list[AttentionItem]]]:
    in_portfolio = relationships.order_by().values("pk")
    actions, action_total = _first_with_total(
        overdue_actions(today)
        .filter(visible_records(viewer, Action), relationship__in=in_portfolio)
        .select_related("relationship")
        .order_by("due_date", "pk")
    )
    risks, risk_total = _first_with_total(
        risks_past_review(today)
        .filter(visible_records(viewer, Risk), relationship__in=in_portfolio)
        .select_related("relationship")
        .order_by("review_date", "pk")
    )
    objectives, objective_total = _first_with_total(
        Objective.objects.filter(
            visible_records(viewer, Objective),
            relationship__in=in_portfolio,
            status=ObjectiveStatus.OFF_TRACK,
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
                    detail=f"due {short_date(action.due_date)}",
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
                    detail=f"review was due {short_date(risk.review_date)}",
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
                        f"milestone {short_date(objective.milestone_date)}"
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
    """Submitted plan versions where the user may sign for a partner (the rule of
    `partnership_represented_by_q`) that has not decided in the current
    submission round."""
    undecided_seat = (
        Partnership.objects.filter(relationship_id=OuterRef("plan__relationship_id"))
        .filter(partnership_represented_by_q(user))
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
            detail=f"submitted {short_date(version.submitted_at)}",
            relationship_title=version.plan.relationship.title,
        )
        for version in versions
    ]


def portfolio_attention(
    *, user: AbstractBaseUser, relationships: QuerySet[Relationship], today: date
) -> Attention:
    """Counters over the whole filtered portfolio, each with its first few items."""
    due, overdue, assessment_items = _assessment_attention(relationships, today=today)
    gap_total, gap_items = _gap_attention(relationships, viewer=user)
    registers = _register_attention(relationships, viewer=user, today=today)
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
