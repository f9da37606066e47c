"""The portfolio's attention counters, each with its first few items."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    QuerySet,
    Value,
    When,
    Window,
)
from django.urls import NoReverseMatch, reverse

from assessments.models import RelationshipSummary
from assessments.selectors.dashboards.common import (
    PRINCIPLE_SHORT_NAMES,
    AssessmentState,
    overdue_actions,
    risks_past_review,
    short_date,
)
from relationships.access import AnyUser, partnership_represented_by_q, visible_records
from relationships.choices import ObjectiveStatus, PlanVersionStatus
from relationships.models import (
    Action,
    Objective,
    Partnership,
    PlanDecision,
    PlanVersion,
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


def _first(queryset: QuerySet, total: int) -> list:
    """The first rows of an ordered queryset, read only when there are any."""
    return list(queryset[:ATTENTION_LIST_LENGTH]) if total else []


def _assessment_items(
    summaries: QuerySet[RelationshipSummary], total: int
) -> list[AttentionItem]:
    pending = summaries.filter(
        assessment_state__in=(AssessmentState.DUE, AssessmentState.OVERDUE)
    ).order_by(
        Case(
            When(assessment_state=AssessmentState.OVERDUE, then=Value(0)),
            default=Value(1),
        ),
        "expected_end",
        "title",
    )
    return [
        AttentionItem(
            title=summary.title,
            url=_dashboard_url(summary.reference),
            detail=(
                f"{'Overdue' if summary.assessment_state == 'overdue' else 'Due'}"
                f": period ended {short_date(summary.expected_end)}"
            ),
        )
        for summary in _first(pending, total)
    ]


def _gap_items(
    summaries: QuerySet[RelationshipSummary], total: int
) -> list[AttentionItem]:
    with_gaps = summaries.exclude(gap_principles=[]).order_by(
        "title", "relationship_id"
    )
    return [
        AttentionItem(
            title=summary.title,
            url=_dashboard_url(summary.reference),
            detail="gaps in "
            + ", ".join(
                PRINCIPLE_SHORT_NAMES[number] for number in summary.gap_principles
            ),
        )
        for summary in _first(with_gaps, total)
    ]


def _register_items(
    summaries: QuerySet[RelationshipSummary],
    *,
    viewer: AnyUser,
    today: date,
    totals: dict[str, int],
) -> dict[str, list[AttentionItem]]:
    """The first few overdue actions, risks past review and objectives off track
    (their numbers are in the summaries)."""

    # Only the relationships whose summary counts such items: a few, at most.
    def counting(field: str) -> QuerySet:
        return (
            summaries.filter(**{f"{field}__gt": 0}).order_by().values("relationship_id")
        )

    actions = _first(
        overdue_actions(today)
        .filter(
            visible_records(viewer, Action),
            relationship__in=counting("overdue_actions"),
        )
        .select_related("relationship")
        .order_by("due_date", "pk"),
        totals["overdue_actions"],
    )
    risks = _first(
        risks_past_review(today)
        .filter(
            visible_records(viewer, Risk),
            relationship__in=counting("risks_past_review"),
        )
        .select_related("relationship")
        .order_by("review_date", "pk"),
        totals["risks_past_review"],
    )
    objectives = _first(
        Objective.objects.filter(
            visible_records(viewer, Objective),
            relationship__in=counting("objectives_off_track"),
            status=ObjectiveStatus.OFF_TRACK,
        )
        .select_related("relationship")
        .order_by(F("milestone_date").asc(nulls_last=True), "pk"),
        totals["objectives_off_track"],
    )
    return {
        "actions": [
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
        "risks": [
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
        "objectives": [
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
    }


def plan_versions_awaiting_signoff(
    *, user: AbstractBaseUser, relationships: list[int]
) -> QuerySet[PlanVersion]:
    """Submitted plan versions of these relationships where the user may sign for
    a partner (the rule of `partnership_represented_by_q`) that has not decided in
    the current submission round. The partners the user signs for are read first
    (a few): tested beside each version, the rule's joins made the planner scan
    every plan version of the site."""
    represented = list(
        Partnership.objects.filter(relationship_id__in=relationships)
        .filter(partnership_represented_by_q(user))
        .order_by()
        .values_list("pk", flat=True)
        .distinct()
    )
    undecided_seat = Partnership.objects.filter(
        pk__in=represented, relationship_id=OuterRef("plan__relationship_id")
    ).exclude(
        Exists(
            PlanDecision.objects.filter(
                partnership=OuterRef("pk"),
                plan_version=OuterRef(OuterRef("pk")),
                submission_round=OuterRef(OuterRef("submission_round")),
            )
        )
    )
    return PlanVersion.objects.filter(
        status=PlanVersionStatus.SUBMITTED,
        plan__relationship__in=relationships,
    ).filter(Exists(undecided_seat))


def _plan_attention(
    *, user: AbstractBaseUser, summaries: QuerySet[RelationshipSummary]
) -> tuple[int, list[AttentionItem]]:
    # The few relationships with a plan out for signature first, as plain ids:
    # with the portfolio as a subquery beside the sign-off test, the planner
    # joined every plan version of the site (a second at 10,000 relationships).
    submitted = list(
        PlanVersion.objects.filter(
            status=PlanVersionStatus.SUBMITTED,
            plan__relationship__in=summaries.order_by().values("relationship_id"),
        )
        .order_by()
        .values_list("plan__relationship_id", flat=True)
    )
    versions = list(
        plan_versions_awaiting_signoff(user=user, relationships=submitted)
        .annotate(total_rows=Window(Count("pk")))
        .select_related("plan__relationship")
        .order_by("submitted_at", "pk")[:ATTENTION_LIST_LENGTH]
    )
    total = versions[0].total_rows if versions else 0
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
    *,
    user: AbstractBaseUser,
    summaries: QuerySet[RelationshipSummary],
    totals: dict[str, int],
    today: date,
) -> Attention:
    """Counters over the whole filtered portfolio (`totals`, aggregated from the
    summaries), each with its first few items."""
    registers = _register_items(summaries, viewer=user, today=today, totals=totals)
    plan_total, plan_items = _plan_attention(user=user, summaries=summaries)
    return Attention(
        assessments_due=totals["assessments_due"],
        assessments_overdue=totals["assessments_overdue"],
        assessment_items=_assessment_items(
            summaries, totals["assessments_due"] + totals["assessments_overdue"]
        ),
        relationships_with_gaps=totals["with_gaps"],
        gap_items=_gap_items(summaries, totals["with_gaps"]),
        overdue_actions=totals["overdue_actions"],
        action_items=registers["actions"],
        risks_past_review=totals["risks_past_review"],
        risk_items=registers["risks"],
        objectives_off_track=totals["objectives_off_track"],
        objective_items=registers["objectives"],
        plans_awaiting_signoff=plan_total,
        plan_items=plan_items,
    )
