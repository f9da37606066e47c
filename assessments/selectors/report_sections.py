"""The report's audit sections: how the assessment was done and by whom, the
evidence behind each joint rating, the approved plan's content, and how the
previous period's improvement actions worked out. Joint records only, as in the
rest of the report."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Prefetch

from assessments.choices import VISIBLE_TO_PARTNERS, AssessmentKind, AssessmentStatus
from assessments.models import Assessment, PrincipleRating
from assessments.selectors.report_as_at import actions_as_at
from principles.models import Principle
from relationships.access import visible_records
from relationships.choices import PlanDepth
from relationships.models import (
    Action,
    Objective,
    PlanVersion,
    Relationship,
    RelationshipDocument,
    Risk,
)
from relationships.plan_schema import is_filled
from relationships.selectors.lifecycle import plan_section_names
from relationships.selectors.plans import (
    person_name,
    plan_section_rows,
    plan_version_depth,
)

# --- method and participants ---


@dataclass
class AssessmentSteps:
    """Who did what to one assessment of the period, and when (from its history)."""

    assessment: Assessment
    label: str
    started_by: str = ""
    started_at: datetime.datetime | None = None  # None: not known
    submitted_by: str = ""
    submitted_at: datetime.datetime | None = None
    finalised_by: str = ""
    finalised_at: datetime.datetime | None = None
    contributors: list[str] = field(default_factory=list)


def _steps_from_history(steps: AssessmentSteps, records: list) -> None:
    """Who from the history; when from the row's own dates, which say when each
    step happened even for rows made by an import (history then has the import's
    time), falling back on the history's dates."""
    for record in records:  # oldest first
        who = person_name(record.history_user) if record.history_user else ""
        if record.history_type == "+":
            steps.started_by, steps.started_at = who, record.history_date
        if record.status == AssessmentStatus.SUBMITTED and not steps.submitted_by:
            steps.submitted_by, steps.submitted_at = who, record.history_date
        if record.status == AssessmentStatus.FINAL and not steps.finalised_by:
            steps.finalised_by, steps.finalised_at = who, record.history_date
    assessment = steps.assessment
    steps.started_at = assessment.created_at or steps.started_at
    steps.submitted_at = assessment.submitted_at or steps.submitted_at
    steps.finalised_at = assessment.finalised_at or steps.finalised_at
    later_step = steps.submitted_at or steps.finalised_at
    if steps.started_at and later_step and steps.started_at > later_step:
        steps.started_at = None  # an import's time, not when it was started


def assessment_steps(*, assessments: list[Assessment]) -> list[AssessmentSteps]:
    """For each assessment the report shows (the joint one first): who started,
    submitted and finalised it, when, and who rated its principles."""
    ordered = sorted(assessments, key=lambda a: a.kind != AssessmentKind.JOINT)
    ids = [assessment.pk for assessment in ordered]
    records = defaultdict(list)
    for record in (
        Assessment.history.filter(id__in=ids)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    ):
        records[record.id].append(record)
    contributors = defaultdict(set)
    for assessment_id, user in (
        PrincipleRating.history.filter(
            assessment_id__in=ids, history_user__isnull=False
        )
        .values_list("assessment_id", "history_user")
        .distinct()
    ):
        contributors[assessment_id].add(user)
    names = _user_names({user for users in contributors.values() for user in users})
    steps_list = []
    for assessment in ordered:
        steps = AssessmentSteps(
            assessment=assessment,
            label=(
                "Joint assessment"
                if assessment.kind == AssessmentKind.JOINT
                else f"{assessment.partnership.organisation.name}'s self-assessment"
            ),
        )
        _steps_from_history(steps, records[assessment.pk])
        steps.contributors = sorted(names[user] for user in contributors[assessment.pk])
        steps_list.append(steps)
    return steps_list


def _user_names(user_ids: set[int]) -> dict[int, str]:
    return {
        user.pk: person_name(user)
        for user in get_user_model().objects.filter(pk__in=user_ids)
    }


# --- evidence index ---


@dataclass(frozen=True)
class EvidenceEntry:
    """What a joint rating cites as evidence."""

    principle: Principle
    level: int
    plan_sections: list[str]
    documents: list[RelationshipDocument]
    objectives: list[Objective]
    risks: list[Risk]
    private_links_left_out: int

    @property
    def is_empty(self) -> bool:
        return not (
            self.plan_sections or self.documents or self.objectives or self.risks
        )


def _joint(model: type) -> Prefetch:
    return Prefetch(
        {RelationshipDocument: "documents", Objective: "objectives", Risk: "risks"}[
            model
        ],
        queryset=model.objects.filter(visible_records(None, model)).order_by("title"),
        to_attr=f"joint_{model.__name__.lower()}s",
    )


def evidence_index(
    *, relationship: Relationship, joint: Assessment | None
) -> list[EvidenceEntry]:
    """Each joint rating's linked plan sections, documents, objectives and risks
    (joint ones; private links are counted, not named)."""
    if joint is None:
        return []
    ratings = list(
        PrincipleRating.objects.filter(assessment=joint)
        .select_related("principle")
        .prefetch_related(_joint(RelationshipDocument), _joint(Objective), _joint(Risk))
        .order_by("principle__number")
    )
    through_counts = _link_counts([rating.pk for rating in ratings])
    section_names = plan_section_names(relationship=relationship)
    entries = []
    for rating in ratings:
        named = (
            len(rating.joint_relationshipdocuments)
            + len(rating.joint_objectives)
            + len(rating.joint_risks)
        )
        entries.append(
            EvidenceEntry(
                principle=rating.principle,
                level=rating.level,
                plan_sections=[
                    section_names.get(key, key) for key in rating.plan_section_keys
                ],
                documents=rating.joint_relationshipdocuments,
                objectives=rating.joint_objectives,
                risks=rating.joint_risks,
                private_links_left_out=through_counts[rating.pk] - named,
            )
        )
    return entries


def _link_counts(rating_ids: list[int]) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for relation in ("documents", "objectives", "risks"):
        through = getattr(PrincipleRating, relation).through
        for rating_id in through.objects.filter(
            principlerating_id__in=rating_ids
        ).values_list("principlerating_id", flat=True):
            counts[rating_id] += 1
    return counts


# --- the approved plan's content ---


@dataclass(frozen=True)
class PlanContentSection:
    number: int
    name: str
    values: list[tuple[str, str]]  # (label, value) of the fields shown
    missing: list[str]  # labels of required fields left empty


def plan_content(
    *, plan_version: PlanVersion | None, relationship: Relationship
) -> tuple[str, list[PlanContentSection]]:
    """The version's sections at the depth it was approved at: every filled
    field at the full depth, the essential fields at the essentials depth."""
    if plan_version is None:
        return "", []
    depth = plan_version_depth(plan_version)
    sections = []
    for row in plan_section_rows(
        plan_version=plan_version, relationship=relationship, depth=depth
    ):
        shown = [
            (label, value)
            for plan_field, label, value in row.values
            if is_filled(row.content.get(plan_field.key))
            and (depth != PlanDepth.ESSENTIALS or plan_field.essential)
        ]
        sections.append(
            PlanContentSection(
                number=row.principle.number,
                name=row.principle.name,
                values=shown,
                missing=[
                    plan_field.label_at(depth)
                    for plan_field in row.completeness.missing
                ],
            )
        )
    return depth, sections


# --- the previous period's improvement actions ---


@dataclass(frozen=True)
class PreviousAction:
    """An improvement action raised from the previous period's assessments."""

    principle: Principle
    raised_from: str  # "joint assessment" or "<partner>'s self-assessment"
    level: int
    action: Action | None  # as it stood at this period's end; None if not known


def previous_improvement_actions(
    *,
    relationship: Relationship,
    previous_start: datetime.date | None,
    moment: datetime.datetime,
) -> tuple[list[PreviousAction], int]:
    """Actions raised for low ratings in the previous period's joint and shared
    self-assessments, each with its status at `moment`; and how many of them
    cannot be shown (private, or not yet made by then)."""
    if previous_start is None:
        return [], 0
    ratings = list(
        PrincipleRating.objects.filter(
            visible_records(None, Assessment, via="assessment__"),
            assessment__relationship=relationship,
            assessment__period_start=previous_start,
            assessment__status__in=VISIBLE_TO_PARTNERS,
            improvement_action__isnull=False,
        )
        .select_related("principle", "assessment__partnership__organisation")
        .order_by("assessment__kind", "principle__number")
    )
    actions, unknown = actions_as_at(
        action_ids={rating.improvement_action_id for rating in ratings},
        relationship=relationship,
        moment=moment,
    )
    rows = [
        PreviousAction(
            principle=rating.principle,
            raised_from=(
                "joint assessment"
                if rating.assessment.kind == AssessmentKind.JOINT
                else f"{rating.assessment.partnership.organisation.name}'s "
                "self-assessment"
            ),
            level=rating.level,
            action=actions.get(rating.improvement_action_id),
        )
        for rating in ratings
        if rating.improvement_action_id in actions
    ]
    return rows, len(unknown)
