"""Reads for management reviews: the inputs gathered from the app's own data,
the reviews a person sees, and each page's context.

`management_review_inputs` returns the named sections a review considers, each
built by one entry of `INPUT_SECTIONS`: a section the app holds no data for
says so ("no data held"). Findings and corrective actions come from
`assurance.selectors.findings`, audit results from `assurance.selectors.audits`.
"""

import datetime
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format

from assessments.choices import VISIBLE_TO_PARTNERS, AssessmentKind
from assessments.models import Assessment, PrincipleRating
from assessments.selectors.dashboards.common import maturity_scale, trend_for
from assurance.models import (
    OPEN_REVIEW_ACTION_STATUSES,
    Finding,
    ManagementReview,
    ManagementReviewAction,
)
from assurance.models.findings import FindingStatus
from assurance.selectors.audits import internal_audits_for_organisation
from assurance.selectors.findings import (
    findings_for_organisation,
    findings_for_relationship,
)
from relationships.access import (
    AnyUser,
    management_reviews_visible_to,
    records_for_review,
    relationship_reviews_visible_to,
    user_can_edit_management_review,
    visible_records,
)
from relationships.choices import ObjectiveStatus, RelationshipStatus
from relationships.models import (
    OPEN_ACTION_STATUSES,
    OPEN_RISK_STATUSES,
    Action,
    DocumentRevision,
    Objective,
    Organisation,
    Partnership,
    PlanVersion,
    Relationship,
    RelationshipDocument,
    Risk,
    StageTransition,
)

# An organisation-wide review lists each of its relationships; past this many
# it names the first and counts the rest.
RELATIONSHIPS_DETAILED = 20
# With no earlier review, context changes are looked for over the last year.
CONTEXT_LOOKBACK_DAYS = 365
# Principles rated at or below this level in the latest joint assessment are
# offered as opportunities for improvement.
LOW_LEVEL = 2


def _day(value: datetime.date | datetime.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    return date_format(value, "j M Y")


# --- what a section holds ------------------------------------------------------


@dataclass(frozen=True)
class InputItem:
    """One line of gathered data; `flag` marks what needs attention."""

    text: str
    detail: str = ""
    flag: str = ""


@dataclass(frozen=True)
class InputGroup:
    heading: str
    items: list[InputItem]


@dataclass(frozen=True)
class InputSection:
    """One input of a management review: what the app holds for it, shown beside
    the text the people write (`input_field` of ManagementReview)."""

    key: str
    title: str
    input_field: str
    groups: list[InputGroup] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(group.items for group in self.groups)


def sections_snapshot(sections: list[InputSection]) -> list[dict[str, Any]]:
    """The sections as JSON, to be kept with the review."""
    return [asdict(section) for section in sections]


def sections_from_snapshot(snapshot: list[dict[str, Any]]) -> list[InputSection]:
    """The sections a review kept, as they were gathered (unknown keys of a
    future shape are ignored, so old snapshots stay readable)."""
    return [
        InputSection(
            key=section.get("key", ""),
            title=section.get("title", ""),
            input_field=section.get("input_field", ""),
            groups=[
                InputGroup(
                    heading=group.get("heading", ""),
                    items=[
                        InputItem(
                            text=item.get("text", ""),
                            detail=item.get("detail", ""),
                            flag=item.get("flag", ""),
                        )
                        for item in group.get("items", [])
                    ],
                )
                for group in section.get("groups", [])
            ],
        )
        for section in snapshot or []
    ]


# --- what a review covers ------------------------------------------------------


@dataclass(frozen=True)
class ReviewScope:
    """Whose review, of what, held when: decides which data is gathered."""

    organisation: Organisation | None
    relationship: Relationship | None
    is_joint: bool
    held_on: datetime.date
    # The review itself, once recorded: never its own "previous review".
    review_id: int | None = None

    def relationships(self) -> QuerySet[Relationship]:
        if self.relationship is not None:
            return Relationship.objects.filter(pk=self.relationship.pk)
        return (
            Relationship.objects.filter(partnerships__organisation=self.organisation)
            .exclude(status=RelationshipStatus.CLOSED)
            .distinct()
            .order_by("title", "pk")
        )

    def own_partnership_ids(self) -> dict[int, list[int]]:
        """Relationship id -> the reviewing organisation's partnerships in it,
        whose private records it gathers (none for a joint review)."""
        if self.is_joint or self.organisation is None:
            return {}
        by_relationship: dict[int, list[int]] = {}
        for pk, relationship_id in Partnership.objects.filter(
            organisation=self.organisation
        ).values_list("pk", "relationship_id"):
            by_relationship.setdefault(relationship_id, []).append(pk)
        return by_relationship


def review_scope_of(review: ManagementReview) -> ReviewScope:
    return ReviewScope(
        organisation=review.organisation,
        relationship=review.relationship,
        is_joint=review.is_joint,
        held_on=review.held_on,
        review_id=review.pk,
    )


def reviews_in_series(scope: ReviewScope) -> QuerySet[ManagementReview]:
    """Earlier reviews of the same kind: a relationship's joint reviews, or the
    organisation's own of the same relationship (or of its whole system)."""
    if scope.is_joint:
        reviews = ManagementReview.objects.filter(
            is_joint=True, relationship=scope.relationship
        )
    else:
        reviews = ManagementReview.objects.filter(
            is_joint=False,
            organisation=scope.organisation,
            relationship=scope.relationship,
        )
    if scope.review_id is None:
        reviews = reviews.filter(held_on__lte=scope.held_on)
    else:
        # Held earlier, or the same day and recorded before it.
        reviews = reviews.filter(
            Q(held_on__lt=scope.held_on)
            | Q(held_on=scope.held_on, pk__lt=scope.review_id)
        )
    return reviews.order_by("-held_on", "-pk")


def previous_review(scope: ReviewScope) -> ManagementReview | None:
    return reviews_in_series(scope).first()


# --- the sections --------------------------------------------------------------


@dataclass
class _Gathered:
    """What several sections read, read once."""

    scope: ReviewScope
    relationships: list[Relationship]
    more_relationships: int
    own_partnerships: dict[int, list[int]]
    previous: ManagementReview | None
    since: datetime.date
    today: datetime.date

    def own(self, relationship: Relationship) -> list[int]:
        return self.own_partnerships.get(relationship.pk, [])

    joints: dict[int, list[Assessment]] = field(default_factory=dict)

    def heading(self, relationship: Relationship) -> str:
        return relationship.title if len(self.relationships) > 1 else ""

    def joint_assessments(self, relationship: Relationship) -> list[Assessment]:
        """Read once for the sections that show them."""
        if relationship.pk not in self.joints:
            self.joints[relationship.pk] = _joint_assessments(relationship)
        return self.joints[relationship.pk]


def _action_item(action: ManagementReviewAction) -> InputItem:
    owner = (
        action.owner.get_full_name() or action.owner.username if action.owner else ""
    )
    parts = [action.get_status_display()]
    if owner:
        parts.append(f"owner {owner}")
    if action.due_date:
        parts.append(f"due {_day(action.due_date)}")
    if action.status_note:
        parts.append(action.status_note)
    overdue = action.is_open and action.due_date and action.due_date < action_today()
    return InputItem(
        text=str(action),
        detail="; ".join(parts),
        flag="overdue" if overdue else ("open" if action.is_open else ""),
    )


def action_today() -> datetime.date:
    return timezone.localdate()


def _previous_actions(gathered: _Gathered) -> list[InputGroup]:
    previous = gathered.previous
    if previous is None:
        return []
    groups = [
        InputGroup(
            heading=f"Actions of the review of {_day(previous.held_on)}",
            items=[
                _action_item(action)
                for action in previous.actions.select_related("owner")
            ],
        )
    ]
    earlier_open = ManagementReviewAction.objects.filter(
        review__in=reviews_in_series(gathered.scope).exclude(pk=previous.pk),
        status__in=OPEN_REVIEW_ACTION_STATUSES,
    ).select_related("owner", "review")
    groups.append(
        InputGroup(
            heading="Still open from earlier reviews",
            items=[_action_item(action) for action in earlier_open],
        )
    )
    return [group for group in groups if group.items]


def _context_changes(gathered: _Gathered) -> list[InputGroup]:
    groups = []
    since = gathered.since
    for relationship in gathered.relationships:
        items = [
            InputItem(
                text=f"Moved from {move.from_stage.name} to {move.to_stage.name}",
                detail=f"{_day(move.moved_at)}: {move.reason}",
            )
            for move in StageTransition.objects.filter(
                relationship=relationship, moved_at__date__gt=since
            ).select_related("from_stage", "to_stage")
        ]
        items += [
            InputItem(
                text=f"Plan version {version.number} approved",
                detail=_day(version.approved_at)
                + (f": {version.summary}" if version.summary else ""),
            )
            for version in PlanVersion.objects.filter(
                plan__relationship=relationship, approved_at__date__gt=since
            ).order_by("approved_at")
        ]
        for partnership in relationship.partnerships.select_related("organisation"):
            if (
                partnership.exited_at
                and timezone.localdate(partnership.exited_at) > since
            ):
                items.append(
                    InputItem(
                        text=f"{partnership.organisation.name} left the relationship",
                        detail=_day(partnership.exited_at),
                    )
                )
        if relationship.status != RelationshipStatus.ACTIVE:
            items.append(
                InputItem(
                    text=f"Relationship status: {relationship.get_status_display()}"
                )
            )
        groups.append(InputGroup(heading=gathered.heading(relationship), items=items))
    return [group for group in groups if group.items]


def _joint_assessments(relationship: Relationship) -> list[Assessment]:
    """The two latest joint assessments shared with the partners."""
    return list(
        Assessment.objects.filter(
            relationship=relationship,
            kind=AssessmentKind.JOINT,
            status__in=VISIBLE_TO_PARTNERS,
        )
        .order_by("-period_start")
        .prefetch_related(
            Prefetch(
                "ratings",
                queryset=PrincipleRating.objects.select_related("principle").order_by(
                    "principle__number"
                ),
            )
        )[:2]
    )


def _mean_score(assessment: Assessment, scores: dict[int, int]) -> int | None:
    levels = [rating.level for rating in assessment.ratings.all()]
    if not levels:
        return None
    return round(sum(scores.get(level, 0) for level in levels) / len(levels))


def _assessment_items(joints: list[Assessment], scores: dict[int, int]) -> list:
    if not joints:
        return []
    latest = joints[0]
    score = _mean_score(latest, scores)
    earlier = _mean_score(joints[1], scores) if len(joints) > 1 else None
    trend = trend_for(None if score is None or earlier is None else score - earlier)
    items = [
        InputItem(
            text=f"Joint assessment {latest.period_label} "
            f"({latest.get_status_display().lower()}): score {score}",
            detail=f"Trend: {trend.label}.",
        )
    ]
    items += [
        InputItem(
            text=f"{rating.principle.number}. {rating.principle.name}: "
            f"level {rating.level}",
            flag="low" if rating.level <= LOW_LEVEL else "",
        )
        for rating in latest.ratings.all()
    ]
    return items


def _objective_items(relationship: Relationship, own: list[int]) -> list[InputItem]:
    items = []
    for objective in Objective.objects.filter(
        records_for_review(Objective, partnership_ids=own), relationship=relationship
    ).exclude(status=ObjectiveStatus.DROPPED):
        detail = objective.get_status_display()
        if objective.kpi_name:
            actual = (
                "–"
                if objective.kpi_actual is None
                else f"{objective.kpi_actual.normalize():f}"
            )
            target = (
                "–"
                if objective.kpi_target is None
                else f"{objective.kpi_target.normalize():f}"
            )
            detail += (
                f"; {objective.kpi_name}: {actual} of {target} {objective.kpi_unit}"
            )
        items.append(
            InputItem(
                text=objective.title,
                detail=detail.strip(),
                flag="at risk"
                if objective.status
                in (ObjectiveStatus.AT_RISK, ObjectiveStatus.OFF_TRACK)
                else "",
            )
        )
    return items


def _risk_items(relationship: Relationship, own: list[int]) -> list[InputItem]:
    risks = list(
        Risk.objects.filter(
            records_for_review(Risk, partnership_ids=own),
            relationship=relationship,
            status__in=OPEN_RISK_STATUSES,
        )
    )
    risks.sort(key=lambda risk: -risk.score)
    return [
        InputItem(
            text=risk.title,
            detail=f"score {risk.score} ({risk.get_status_display().lower()})",
            flag="review overdue" if risk.review_overdue else "",
        )
        for risk in risks
    ]


def _overdue_action_items(
    relationship: Relationship, own: list[int], today: datetime.date
) -> list[InputItem]:
    return [
        InputItem(
            text=action.title, detail=f"due {_day(action.due_date)}", flag="overdue"
        )
        for action in Action.objects.filter(
            records_for_review(Action, partnership_ids=own),
            relationship=relationship,
            status__in=OPEN_ACTION_STATUSES,
            due_date__lt=today,
        ).order_by("due_date")
    ]


def _performance(gathered: _Gathered) -> list[InputGroup]:
    scores = maturity_scale().scores
    groups = []
    for relationship in gathered.relationships:
        own = gathered.own(relationship)
        prefix = gathered.heading(relationship)
        for heading, items in (
            (
                "Latest joint assessment",
                _assessment_items(gathered.joint_assessments(relationship), scores),
            ),
            ("Objectives and KPIs", _objective_items(relationship, own)),
            ("Open risks", _risk_items(relationship, own)),
            (
                "Overdue actions",
                _overdue_action_items(relationship, own, gathered.today),
            ),
        ):
            groups.append(
                InputGroup(
                    heading=f"{prefix}: {heading}" if prefix else heading,
                    items=items,
                )
            )
    if gathered.more_relationships:
        groups.append(
            InputGroup(
                heading="Other relationships",
                items=[
                    InputItem(
                        text=f"{gathered.more_relationships} more relationships are "
                        "not listed here; their dashboards show them."
                    )
                ],
            )
        )
    return [group for group in groups if group.items]


def _opportunities(gathered: _Gathered) -> list[InputGroup]:
    groups = []
    low = {}
    for relationship in gathered.relationships:
        joints = gathered.joint_assessments(relationship)
        if not joints:
            continue
        low[relationship.pk] = [
            InputItem(
                text=f"{rating.principle.number}. {rating.principle.name}",
                detail=f"level {rating.level} in {joints[0].period_label}",
            )
            for rating in joints[0].ratings.all()
            if rating.level <= LOW_LEVEL
        ]
        groups.append(
            InputGroup(
                heading="Principles rated low in the latest joint assessment"
                + (
                    f" ({relationship.title})"
                    if len(gathered.relationships) > 1
                    else ""
                ),
                items=low[relationship.pk],
            )
        )
    return [group for group in groups if group.items]


def _count(number: int, singular: str, plural: str = "") -> str:
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def _finding_item(finding: Finding) -> InputItem:
    parts = [f"raised {_day(finding.raised_on)}"]
    if finding.status == FindingStatus.CLOSED:
        parts.append(f"closed {_day(finding.closed_at)}")
    elif finding.actions_total:
        parts.append(
            f"{finding.actions_open} of {finding.actions_total} corrective actions open"
        )
        if finding.actions_overdue:
            parts.append(f"{finding.actions_overdue} overdue")
    return InputItem(
        text=f"{finding.get_kind_display()}: {finding.title}",
        detail="; ".join(parts),
        flag="overdue" if finding.actions_overdue else "",
    )


def _findings_groups(
    heading: str, findings: QuerySet[Finding], since: datetime.date
) -> list[InputGroup]:
    """The findings still open, and those closed since the previous review."""
    open_findings = [
        _finding_item(finding) for finding in findings.filter(status=FindingStatus.OPEN)
    ]
    closed = [
        _finding_item(finding)
        for finding in findings.filter(
            status=FindingStatus.CLOSED, closed_at__date__gte=since
        )
    ]
    return [
        InputGroup(heading=f"{heading}: open findings", items=open_findings),
        InputGroup(heading=f"{heading}: closed since the last review", items=closed),
    ]


def _nonconformities(gathered: _Gathered) -> list[InputGroup]:
    """Findings (nonconformities first among them) and where their corrective
    actions stand: the organisation's own, for its own review, and those of
    each relationship reviewed."""
    groups = []
    organisation = gathered.scope.organisation
    if organisation is not None and not gathered.scope.is_joint:
        groups += _findings_groups(
            "Own management system",
            findings_for_organisation(organisation=organisation),
            gathered.since,
        )
    for relationship in gathered.relationships:
        groups += _findings_groups(
            relationship.title,
            findings_for_relationship(relationship=relationship),
            gathered.since,
        )
    return [group for group in groups if group.items]


def _audit_results(gathered: _Gathered) -> list[InputGroup]:
    """The organisation's internal audits performed since the previous review,
    with the findings each raised (an organisation's own records: none for a
    joint review)."""
    organisation = gathered.scope.organisation
    if organisation is None or gathered.scope.is_joint:
        return []
    items = [
        InputItem(
            text=f"{audit.title}, {_day(audit.performed_on)}",
            detail=(
                f"{_count(audit.findings_total, 'finding')} raised, of them "
                f"{_count(audit.nonconformities, 'nonconformity', 'nonconformities')}"
                f"; {audit.findings_open} still open"
            ),
            flag="open" if audit.findings_open else "",
        )
        for audit in internal_audits_for_organisation(
            organisation=organisation, performed_from=gathered.since
        )
    ]
    return [InputGroup(heading="Internal audits since the last review", items=items)]


@dataclass(frozen=True)
class SectionBuilder:
    key: str
    title: str
    input_field: str
    build: Callable[[_Gathered], list[InputGroup]]


# The inputs a management review considers, in the order a review takes them.
# Add a section (or replace a builder) here: the form, the snapshot and the
# detail page follow this list.
INPUT_SECTIONS: list[SectionBuilder] = [
    SectionBuilder(
        "previous_actions",
        "Status of actions from previous reviews",
        "previous_actions_input",
        _previous_actions,
    ),
    SectionBuilder(
        "context_changes",
        "Changes in external and internal context",
        "context_changes_input",
        _context_changes,
    ),
    SectionBuilder(
        "performance",
        "Performance: objectives, KPIs, value and assessment results",
        "performance_input",
        _performance,
    ),
    SectionBuilder(
        "nonconformities",
        "Nonconformities and corrective actions",
        "nonconformities_input",
        _nonconformities,
    ),
    SectionBuilder(
        "audit_results", "Results of audits", "audit_results_input", _audit_results
    ),
    SectionBuilder(
        "opportunities",
        "Opportunities for improvement",
        "opportunities_input",
        _opportunities,
    ),
]


def management_review_inputs(
    scope: ReviewScope, *, today: datetime.date | None = None
) -> list[InputSection]:
    """What the app holds for each input of a review of `scope`: joint records,
    plus the reviewing organisation's own where the review is its own."""
    today = today or timezone.localdate()
    relationships = list(scope.relationships()[: RELATIONSHIPS_DETAILED + 1])
    more = 0
    if len(relationships) > RELATIONSHIPS_DETAILED:
        more = scope.relationships().count() - RELATIONSHIPS_DETAILED
        relationships = relationships[:RELATIONSHIPS_DETAILED]
    previous = previous_review(scope)
    gathered = _Gathered(
        scope=scope,
        relationships=relationships,
        more_relationships=more,
        own_partnerships=scope.own_partnership_ids(),
        previous=previous,
        since=previous.held_on
        if previous
        else scope.held_on - datetime.timedelta(days=CONTEXT_LOOKBACK_DAYS),
        today=today,
    )
    return [
        InputSection(
            key=builder.key,
            title=builder.title,
            input_field=builder.input_field,
            groups=builder.build(gathered),
        )
        for builder in INPUT_SECTIONS
    ]


# --- pages ----------------------------------------------------------------------


def organisation_review_rows(
    *, user: AnyUser, organisation: Organisation
) -> list[ManagementReview]:
    """The organisation's own reviews and the joint reviews of its relationships,
    of those the user sees (the caller checked the user is a member)."""
    its_relationships = Partnership.objects.filter(organisation=organisation).values(
        "relationship_id"
    )
    return list(
        management_reviews_visible_to(user)
        .filter(
            Q(organisation=organisation)
            | Q(is_joint=True, relationship_id__in=its_relationships)
        )
        .select_related("organisation", "relationship", "chair")
        .prefetch_related("actions")
        .order_by("-held_on", "-pk")
    )


def relationship_review_rows(
    *, user: AnyUser, relationship: Relationship
) -> list[ManagementReview]:
    return list(
        relationship_reviews_visible_to(user=user, relationship=relationship)
        .select_related("organisation", "relationship", "chair")
        .prefetch_related("actions")
        .order_by("-held_on", "-pk")
    )


@dataclass(frozen=True)
class ReviewDetail:
    review: ManagementReview
    sections: list[InputSection]
    inputs: list[tuple[InputSection, str]]
    actions: list[ManagementReviewAction]
    attendees: list[Any]
    previous: ManagementReview | None
    can_edit: bool
    # The cited revisions the viewer may read, and how many others there are.
    evidence_revisions: list[DocumentRevision] = field(default_factory=list)
    evidence_hidden: int = 0


def management_review_detail_context(
    *, user: AnyUser, review: ManagementReview
) -> ReviewDetail:
    sections = sections_from_snapshot(review.inputs_snapshot)
    cited = review.evidence_revisions.select_related("document").order_by(
        "document__title", "document_id", "number"
    )
    readable = list(
        cited.filter(visible_records(user, RelationshipDocument, via="document__"))
    )
    return ReviewDetail(
        review=review,
        sections=sections,
        inputs=[
            (section, getattr(review, section.input_field, "") or "")
            for section in sections
        ],
        actions=list(review.actions.select_related("owner")),
        attendees=list(review.attendees.order_by("first_name", "last_name")),
        previous=previous_review(review_scope_of(review)),
        can_edit=user_can_edit_management_review(user=user, review=review),
        evidence_revisions=readable,
        evidence_hidden=cited.count() - len(readable),
    )
