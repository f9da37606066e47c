"""The portfolio's attention counters, each with its first few items."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import (
    Case,
    F,
    QuerySet,
    Value,
    When,
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
from relationships.access import (
    audience_through_summaries,
    partnership_represented_by_q,
    records_visible_to_audience,
)
from relationships.choices import ObjectiveStatus
from relationships.models import (
    Action,
    Objective,
    Partnership,
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


@dataclass(frozen=True)
class _RegisterList:
    """One of the attention lists of register entries: which entries it lists,
    in what order, and how the summaries count and date them."""

    model: type[Action | Risk | Objective]
    count_field: str
    date_field: str
    url_name: str

    def entries(self, today: date) -> QuerySet:
        if self.model is Action:
            return overdue_actions(today).order_by("due_date", "pk")
        if self.model is Risk:
            return risks_past_review(today).order_by("review_date", "pk")
        return Objective.objects.filter(status=ObjectiveStatus.OFF_TRACK).order_by(
            F("milestone_date").asc(nulls_last=True), "pk"
        )

    def detail(self, entry: Action | Risk | Objective) -> str:
        if isinstance(entry, Action):
            return f"due {short_date(entry.due_date)}"
        if isinstance(entry, Risk):
            return f"review was due {short_date(entry.review_date)}"
        if entry.milestone_date:
            return f"milestone {short_date(entry.milestone_date)}"
        return "no milestone date"


REGISTER_LISTS = {
    "actions": _RegisterList(
        Action, "overdue_actions", "first_overdue_action", "action_detail"
    ),
    "risks": _RegisterList(
        Risk, "risks_past_review", "first_risk_past_review", "risk_detail"
    ),
    "objectives": _RegisterList(
        Objective,
        "objectives_off_track",
        "first_off_track_milestone",
        "objective_detail",
    ),
}


def _leading_relationships(
    summaries: QuerySet[RelationshipSummary], kind: _RegisterList
) -> tuple[dict[int, tuple[str, str]], set[int]]:
    """The relationships whose entries of this kind come first (id -> title and
    reference, as the summaries copy them), and the user's
    partnerships (summaries) that see an entry there dated no later than the
    others: the first ATTENTION_LIST_LENGTH relationships by the earliest date of
    the entries they count (each summary keeps it, as its partner sees them),
    and those tied with the last of them. The list's first few entries are
    theirs: these relationships hold that many entries dated no later than the
    tie, and a relationship left out has none."""
    counting = summaries.filter(**{f"{kind.count_field}__gt": 0}).order_by()
    window = ATTENTION_LIST_LENGTH * 4
    ranked = list(
        counting.order_by(
            F(kind.date_field).asc(nulls_last=True), "relationship_id"
        ).values_list(
            "relationship_id", kind.date_field, "partnership_id", "title", "reference"
        )[:window]
    )
    relationships: dict[int, tuple[str, str]] = {}
    audience: set[int] = set()
    tie = None
    for relationship_id, earliest, partnership_id, title, reference in ranked:
        if len(relationships) >= ATTENTION_LIST_LENGTH and earliest != tie:
            return relationships, audience
        relationships[relationship_id] = (title, reference)
        audience.add(partnership_id)
        tie = earliest
    if len(ranked) == window:
        # The tie runs past the window: take every relationship dated so.
        tied = counting.filter(
            **(
                {f"{kind.date_field}__isnull": True}
                if tie is None
                else {kind.date_field: tie}
            )
        )
        for relationship_id, partnership_id, title, reference in tied.values_list(
            "relationship_id", "partnership_id", "title", "reference"
        ):
            relationships[relationship_id] = (title, reference)
            audience.add(partnership_id)
    return relationships, audience


def _register_items(
    summaries: QuerySet[RelationshipSummary],
    *,
    user: AbstractBaseUser,
    today: date,
    totals: dict[str, int],
) -> dict[str, list[AttentionItem]]:
    """The first few overdue actions, risks past review and objectives off track
    (their numbers are in the summaries), read from the few relationships whose
    entries come first, as the user's partnerships there see them."""
    lists = {}
    for key, kind in REGISTER_LISTS.items():
        if not totals[kind.count_field]:
            lists[key] = []
            continue
        relationships, audience = _leading_relationships(summaries, kind)
        entries = kind.entries(today).filter(
            records_visible_to_audience(
                kind.model, audience_through_summaries(user, audience)
            ),
            relationship_id__in=list(relationships),
        )[:ATTENTION_LIST_LENGTH]
        lists[key] = [
            AttentionItem(
                title=entry.title,
                url=_register_url(
                    f"relationships:{kind.url_name}",
                    reference=relationships[entry.relationship_id][1],
                    pk=entry.pk,
                ),
                detail=kind.detail(entry),
                relationship_title=relationships[entry.relationship_id][0],
            )
            for entry in entries
        ]
    return lists


def _plan_attention(
    *, user: AbstractBaseUser, summaries: QuerySet[RelationshipSummary]
) -> tuple[int, list[AttentionItem]]:
    """Plan versions out for sign-off where the user may sign for a partner (the
    rule of `partnership_represented_by_q`) that has not decided in the current
    round: each such partner's summary names the version, and the user's right
    to sign is tested on those partners alone."""
    # The summaries out for sign-off first (a partial index holds them), then
    # which of their partners the user signs for: with the rule beside them in
    # one query, the planner started from every partner the user signs for
    # (10,000 for a portfolio viewer: 70-100 ms).
    awaiting = list(
        summaries.filter(plan_awaiting_since__isnull=False)
        .order_by("plan_awaiting_since", "relationship_id")
        .values_list(
            "partnership_id",
            "reference",
            "title",
            "plan_awaiting_version",
            "plan_awaiting_since",
        )
    )
    represented = (
        set(
            Partnership.objects.filter(pk__in=[row[0] for row in awaiting])
            .filter(partnership_represented_by_q(user))
            .values_list("pk", flat=True)
        )
        if awaiting
        else set()
    )
    rows = [row[1:] for row in awaiting if row[0] in represented]
    total = len(rows)
    rows = rows[:ATTENTION_LIST_LENGTH]
    return total, [
        AttentionItem(
            title=f"Plan version {number}",
            url=_register_url("relationships:plan_overview", reference=reference),
            detail=f"submitted {short_date(submitted_at)}",
            relationship_title=title,
        )
        for reference, title, number, submitted_at in rows
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
    registers = _register_items(summaries, user=user, today=today, totals=totals)
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
