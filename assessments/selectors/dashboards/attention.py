"""The portfolio's attention counters, each with its first few items."""

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, F, QuerySet, Window
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
    granting_organisation_ids_of,
    member_organisation_ids_of,
    partnership_summaries_visible_to,
    records_visible_to_audience,
    summaries_represented_by_q,
)
from relationships.choices import ObjectiveStatus
from relationships.models import (
    Action,
    Objective,
    Risk,
)

if TYPE_CHECKING:
    from assessments.selectors.dashboards.portfolio import PortfolioCounts

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
    """The first joint assessments overdue, then those due, each by the end of
    the period it is about. "overdue" sorts after "due", so one walk of the
    summaries' index of both, backwards on the state, gives that order."""
    pending = (
        summaries.filter(
            assessment_state__in=(AssessmentState.DUE, AssessmentState.OVERDUE)
        )
        .order_by("-assessment_state", "expected_end", "title")
        .values_list("title", "reference", "assessment_state", "expected_end")
    )
    return [
        AttentionItem(
            title=title,
            url=_dashboard_url(reference),
            detail=(
                f"{'Overdue' if state == AssessmentState.OVERDUE else 'Due'}"
                f": period ended {short_date(expected_end)}"
            ),
        )
        for title, reference, state, expected_end in _first(pending, total)
    ]


def _gap_items(
    summaries: QuerySet[RelationshipSummary], total: int
) -> list[AttentionItem]:
    with_gaps = (
        summaries.exclude(gap_principles=[])
        .order_by("title", "relationship_id")
        .values_list("title", "reference", "gap_principles")
    )
    return [
        AttentionItem(
            title=title,
            url=_dashboard_url(reference),
            detail="gaps in "
            + ", ".join(PRINCIPLE_SHORT_NAMES[number] for number in gap_principles),
        )
        for title, reference, gap_principles in _first(with_gaps, total)
    ]


def entry_order(day: date | None, *ids: int) -> tuple:
    """Where an entry comes in an attention list: by its date, those without
    one last, then by the ids given (relationship, entry). The summaries keep
    each partner's first entries in this order (services/summaries.py) and the
    lists merge them in it, as `_RegisterList.entries` reads them."""
    return (day is None, day or date.min, *ids)


@dataclass(frozen=True)
class _RegisterList:
    """One of the attention lists of register entries: which entries it lists,
    in what order, and how the summaries count and date them."""

    model: type[Action | Risk | Objective]
    count_field: str
    date_field: str
    url_name: str

    def entries(self, today: date) -> QuerySet:
        """The entries this list counts, in its order: by date (no date last),
        then by relationship, as `_leading_relationships` ranks them."""
        if self.model is Action:
            return overdue_actions(today).order_by("due_date", "relationship_id", "pk")
        if self.model is Risk:
            return risks_past_review(today).order_by(
                "review_date", "relationship_id", "pk"
            )
        return Objective.objects.filter(status=ObjectiveStatus.OFF_TRACK).order_by(
            F("milestone_date").asc(nulls_last=True), "relationship_id", "pk"
        )

    @property
    def entry_date_field(self) -> str:
        """The entry's own date that the list shows and orders by."""
        if self.model is Action:
            return "due_date"
        if self.model is Risk:
            return "review_date"
        return "milestone_date"

    def detail(self, day: date | None) -> str:
        """What the list says of an entry, from its `entry_date_field`."""
        if self.model is Action:
            return f"due {short_date(day)}"
        if self.model is Risk:
            return f"review was due {short_date(day)}"
        if day:
            return f"milestone {short_date(day)}"
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


def _leading_summaries(
    summaries: QuerySet[RelationshipSummary], key: str, kind: _RegisterList
) -> list[tuple[int, int, str, str, list | None]]:
    """The user's summaries (partnerships) in the ATTENTION_LIST_LENGTH
    relationships whose entries of this kind come first, ranked by the earliest
    date of the entries each summary counts (as its partner sees them), then by
    relationship: (relationship id, partnership id, title, reference, the
    summary's first entries of the kind). The list orders its entries the same
    way (date, relationship, entry), so its first few are theirs: each of these
    relationships has an entry before any entry of a relationship ranked lower.
    One index walk that stops after a few rows, however many relationships tie
    on a date."""
    ranked = (
        summaries.filter(**{f"{kind.count_field}__gt": 0})
        .order_by(
            F(kind.date_field).asc(nulls_last=True), "relationship_id", "partnership_id"
        )
        .values_list(
            "relationship_id",
            "partnership_id",
            "title",
            "reference",
            f"attention_entries__{key}",
        )
    )
    leading: list[tuple[int, int, str, str, list | None]] = []
    relationships: set[int] = set()
    # A relationship has a summary per partner of the user's in it: read more
    # rows while those leave fewer than ATTENTION_LIST_LENGTH relationships.
    window = ATTENTION_LIST_LENGTH * 2
    start = 0
    while True:
        rows = list(ranked[start : start + window])
        for row in rows:
            if (
                row[0] not in relationships
                and len(relationships) == ATTENTION_LIST_LENGTH
            ):
                return leading
            relationships.add(row[0])
            leading.append(row)
        if len(rows) < window:
            return leading
        start += window


def _entries_kept(
    leading: list[tuple[int, int, str, str, list | None]],
) -> list[tuple[int, int, str, date | None]]:
    """The first entries of the leading summaries, as each summary keeps them for
    its partner (`attention_entries`): exactly what a member of those partners
    sees, merged in the list's order. (id, relationship id, title, date)"""
    entries = {}
    for relationship_id, _, _, _, kept in leading:
        for pk, title, day in kept or []:
            entries[pk] = (
                pk,
                relationship_id,
                title,
                None if day is None else date.fromisoformat(day),
            )
    return sorted(
        entries.values(),
        key=lambda entry: entry_order(entry[3], entry[1], entry[0]),
    )[:ATTENTION_LIST_LENGTH]


def _entries_read(
    leading: list[tuple[int, int, str, str, list | None]],
    kind: _RegisterList,
    *,
    user: AbstractBaseUser,
    today: date,
) -> list[tuple[int, int, str, date | None]]:
    """The first entries of the leading relationships read from the register, as
    the user's partnerships there see them through a grant (a grantee sees less
    of a granting partner's records than the partner: never what another partner
    only shares with it). (id, relationship id, title, date)"""
    audience = audience_through_summaries(user, [row[1] for row in leading])
    # Four columns, not the entries' models: building whole rows of three
    # registers cost the portfolio more than their queries did.
    return list(
        kind.entries(today)
        .filter(
            records_visible_to_audience(kind.model, audience),
            relationship_id__in=sorted({row[0] for row in leading}),
        )
        .values_list("pk", "relationship_id", "title", kind.entry_date_field)[
            :ATTENTION_LIST_LENGTH
        ]
    )


def _register_items(
    summaries: QuerySet[RelationshipSummary],
    *,
    user: AbstractBaseUser,
    today: date,
    counts: "PortfolioCounts",
) -> dict[str, list[AttentionItem]]:
    """The first few overdue actions, risks past review and objectives off track
    (their numbers are in the summaries), of the few relationships whose
    entries come first, as the user's partnerships there see them: kept in
    their summaries for a member, read from the registers for a grantee."""
    kept = not granting_organisation_ids_of(user)
    lists = {}
    for key, kind in REGISTER_LISTS.items():
        if not getattr(counts, kind.count_field):
            lists[key] = []
            continue
        leading = _leading_summaries(summaries, key, kind)
        relationships = {row[0]: (row[2], row[3]) for row in leading}
        entries = (
            _entries_kept(leading)
            if kept
            else _entries_read(leading, kind, user=user, today=today)
        )
        lists[key] = [
            AttentionItem(
                title=title,
                url=_register_url(
                    f"relationships:{kind.url_name}",
                    reference=relationships[relationship_id][1],
                    pk=pk,
                ),
                detail=kind.detail(day),
                relationship_title=relationships[relationship_id][0],
            )
            for pk, relationship_id, title, day in entries
        ]
    return lists


def _plan_attention(
    *,
    user: AbstractBaseUser,
    summaries: QuerySet[RelationshipSummary],
    awaiting: int,
) -> tuple[int, list[AttentionItem]]:
    """Plan versions out for sign-off where the user may sign for a partner (the
    rule of `summaries_represented_by_q`) that has not decided in the current
    round: each such partner's summary names the version (`awaiting` of them),
    and the user's right to sign is tested on those partners alone. One query:
    the first few and, beside each, how many there are."""
    if len(member_organisation_ids_of(user)) > 1:
        # The portfolio shows one summary per relationship (the first of the
        # user's partners there); the partner the user signs for may be another.
        summaries = partnership_summaries_visible_to(user).filter(
            relationship_id__in=summaries.values("relationship_id")
        )
    elif not awaiting:
        return 0, []
    rows = list(
        summaries.filter(summaries_represented_by_q(user))
        .filter(plan_awaiting_since__isnull=False)
        .annotate(total=Window(Count("pk")))
        .order_by("plan_awaiting_since", "relationship_id")
        .values_list(
            "reference",
            "title",
            "plan_awaiting_version",
            "plan_awaiting_since",
            "total",
        )[:ATTENTION_LIST_LENGTH]
    )
    return (rows[0][-1] if rows else 0), [
        AttentionItem(
            title=f"Plan version {number}",
            url=_register_url("relationships:plan_overview", reference=reference),
            detail=f"submitted {short_date(submitted_at)}",
            relationship_title=title,
        )
        for reference, title, number, submitted_at, _ in rows
    ]


def portfolio_attention(
    *,
    user: AbstractBaseUser,
    summaries: QuerySet[RelationshipSummary],
    counts: "PortfolioCounts",
    today: date,
) -> Attention:
    """Counters over the whole filtered portfolio (`counts`, kept or counted
    from its summaries), each with its first few items."""
    registers = _register_items(summaries, user=user, today=today, counts=counts)
    plan_total, plan_items = _plan_attention(
        user=user, summaries=summaries, awaiting=counts.plans_awaiting
    )
    return Attention(
        assessments_due=counts.assessments_due,
        assessments_overdue=counts.assessments_overdue,
        assessment_items=_assessment_items(
            summaries, counts.assessments_due + counts.assessments_overdue
        ),
        relationships_with_gaps=counts.with_gaps,
        gap_items=_gap_items(summaries, counts.with_gaps),
        overdue_actions=counts.overdue_actions,
        action_items=registers["actions"],
        risks_past_review=counts.risks_past_review,
        risk_items=registers["risks"],
        objectives_off_track=counts.objectives_off_track,
        objective_items=registers["objectives"],
        plans_awaiting_signoff=plan_total,
        plan_items=plan_items,
    )
