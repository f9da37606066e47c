"""Reads for the rating workflow: periods, visibility, assessment pages, gaps.

Tenancy stays in relationships.access: every function here either takes a
relationship the caller obtained through relationship_get_for_user, or fetches
it that way itself. On top of that, a partner's self-assessment is private to
that partner's organisation until it is submitted: any other user gets a 404,
exactly as if it did not exist.
"""

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from assessments.choices import (
    CADENCE_MONTHS,
    AssessmentKind,
    AssessmentStatus,
    Cadence,
)
from assessments.models import Assessment, AssessmentSchedule, PrincipleRating
from assessments.selectors.ratings import (
    PerceptionGap,
    relationship_perception_gaps_by_period,
)
from principles.choices import PrincipleSetKey
from principles.models import MaturityLevel, Principle
from relationships.access import (
    AnyUser,
    assessments_visible_to,
    partnerships_assessable_by,
    relationship_get_for_user,
    user_can_edit_assessment,
    user_can_edit_relationship,
    user_can_finalise_assessment,
    viewer_audience,
    visible_records,
)
from relationships.choices import (
    RelationshipKind,
)
from relationships.concurrency import FieldValues, StaleField, stale_fields
from relationships.models import (
    OPEN_ACTION_STATUSES,
    Action,
    DocumentRevision,
    Objective,
    Partnership,
    Relationship,
    RelationshipDocument,
    Risk,
)
from relationships.models.privacy import PartnerPrivateRecord
from relationships.selectors.lifecycle import plan_section_url

# Levels at or below this one ask for an improvement action.
LOW_RATING_LEVEL = 2

if TYPE_CHECKING:
    from assessments.services.assessments import RatingInput


# --- periods ---------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentPeriod:
    """A calendar period of a relationship's assessment cadence."""

    start: datetime.date
    end: datetime.date
    cadence: str

    @property
    def label(self) -> str:
        months = CADENCE_MONTHS[Cadence(self.cadence)]
        if months == 3:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if months == 6:
            return f"{self.start.year}-H{(self.start.month - 1) // 6 + 1}"
        if months == 12:
            return str(self.start.year)
        return f"{self.start:%Y-%m}"

    @property
    def cadence_label(self) -> str:
        return Cadence(self.cadence).label


def relationship_assessment_cadence(*, relationship: Relationship) -> str:
    """The relationship's cadence; quarterly when it has no schedule."""
    cadence = (
        AssessmentSchedule.objects.filter(relationship=relationship)
        .values_list("cadence", flat=True)
        .first()
    )
    return cadence or Cadence.QUARTERLY


def assessment_period_containing(
    *, cadence: str, day: datetime.date
) -> AssessmentPeriod:
    """The calendar period (month, quarter, half-year or year) holding the day."""
    months = CADENCE_MONTHS[Cadence(cadence)]
    start_month = (day.month - 1) // months * months + 1
    end_month = start_month + months - 1
    return AssessmentPeriod(
        start=datetime.date(day.year, start_month, 1),
        end=datetime.date(
            day.year, end_month, calendar.monthrange(day.year, end_month)[1]
        ),
        cadence=cadence,
    )


def relationship_current_period(
    *, relationship: Relationship, today: datetime.date | None = None
) -> AssessmentPeriod:
    return assessment_period_containing(
        cadence=relationship_assessment_cadence(relationship=relationship),
        day=today or timezone.localdate(),
    )


# --- getting one assessment ------------------------------------------------


def assessment_get_for_user(*, user: AnyUser, reference: str, pk: int) -> Assessment:
    """An assessment the user may read; a hidden draft is a 404 like a missing one."""
    relationship = relationship_get_for_user(user=user, reference=reference)
    try:
        assessment = (
            assessments_visible_to(user=user, relationship=relationship)
            .select_related(
                "partnership__organisation",
                "partnership__relationship_manager",
                "created_by",
                "based_on",
            )
            .get(pk=pk)
        )
    except Assessment.DoesNotExist as error:
        raise Http404("No such assessment.") from error
    assessment.relationship = relationship
    return assessment


def assessment_get_for_editing(*, user: AnyUser, reference: str, pk: int) -> Assessment:
    """404 if unseen, 403 if the user may read but not change it."""
    assessment = assessment_get_for_user(user=user, reference=reference, pk=pk)
    if not user_can_edit_assessment(user=user, assessment=assessment):
        if assessment.kind == AssessmentKind.SELF:
            raise PermissionDenied(
                "Only members of "
                f"{assessment.partnership.organisation.name} with a write role may "
                "change its self-assessment."
            )
        raise PermissionDenied("Your role in this relationship is read-only.")
    return assessment


def assessment_get_for_finalising(
    *, user: AnyUser, reference: str, pk: int
) -> Assessment:
    """A self-assessment its own partner may finalise. A joint one passes, so that
    its finalise page can point to the partners' confirmation instead."""
    assessment = assessment_get_for_editing(user=user, reference=reference, pk=pk)
    if assessment.kind == AssessmentKind.SELF and not user_can_finalise_assessment(
        user=user, assessment=assessment
    ):
        raise PermissionDenied(
            f"Only {assessment.partnership.organisation.name}'s relationship manager "
            "or organisation admin may finalise its self-assessment."
        )
    return assessment


def assessment_get_joint_for_editing(
    *, user: AnyUser, reference: str, pk: int
) -> Assessment:
    """A joint assessment the user may work on; a self-assessment is a 404 here,
    since only the joint one is confirmed by the partners."""
    assessment = assessment_get_for_editing(user=user, reference=reference, pk=pk)
    if assessment.kind != AssessmentKind.JOINT:
        raise Http404("Only the joint assessment is confirmed by the partners.")
    return assessment


def assessment_previous_of(
    *,
    relationship: Relationship,
    kind: str,
    partnership: Partnership | None,
    before: datetime.date,
) -> Assessment | None:
    return (
        Assessment.objects.filter(
            relationship=relationship,
            kind=kind,
            partnership=partnership,
            period_start__lt=before,
        )
        .order_by("-period_start")
        .first()
    )


def assessment_subject(assessment: Assessment, *, in_sentence: bool = False) -> str:
    """'Joint assessment' or 'Self-assessment of <partner>', lower-case in_sentence."""
    if assessment.kind == AssessmentKind.JOINT:
        subject = "Joint assessment"
    else:
        subject = f"Self-assessment of {assessment.partnership.organisation.name}"
    return subject[0].lower() + subject[1:] if in_sentence else subject


# --- principles and guidance -----------------------------------------------


def guidance_set_key(*, assessment: Assessment) -> str:
    """The principle set whose wording an assessor reads.

    In a large organisation's relationship with MSMEs, an MSME partner rates
    itself with the MSME guidance; everything else uses the relationship's set.
    """
    relationship = assessment.relationship
    if (
        relationship.kind == RelationshipKind.LARGE_MSME
        and assessment.kind == AssessmentKind.SELF
        and assessment.partnership.organisation.is_msme
    ):
        return PrincipleSetKey.MSME
    return relationship.principle_set_key


@dataclass(frozen=True)
class GuidedPrinciple:
    """A principle of the relationship's set, worded by the assessor's guidance."""

    principle: Principle
    guidance: Principle

    @property
    def key(self) -> str:
        return self.principle.key

    @property
    def label(self) -> str:
        return f"{self.principle.number}. {self.guidance.name}"


def assessment_guided_principles(*, assessment: Assessment) -> list[GuidedPrinciple]:
    """The relationship's 12 principles, matched by key to the guidance set."""
    set_key = assessment.relationship.principle_set_key
    principles = list(
        Principle.objects.filter(principle_set__key=set_key)
        .select_related("principle_set")
        .order_by("number")
    )
    guidance_key = guidance_set_key(assessment=assessment)
    guidance = {principle.key: principle for principle in principles}
    if guidance_key != set_key:
        guidance.update(
            (principle.key, principle)
            for principle in Principle.objects.filter(principle_set__key=guidance_key)
        )
    return [
        GuidedPrinciple(principle=principle, guidance=guidance[principle.key])
        for principle in principles
    ]


def maturity_levels_by_number() -> dict[int, MaturityLevel]:
    return {level.level: level for level in MaturityLevel.objects.order_by("level")}


# --- evidence choices ------------------------------------------------------


@dataclass(frozen=True)
class EvidenceChoices:
    """What a rating may cite: only this relationship's own records."""

    plan_sections: list[tuple[str, str]]
    objectives: list[Objective]
    risks: list[Risk]
    documents: list[RelationshipDocument]


def evidence_choices_for_relationship(
    *, user: AnyUser, relationship: Relationship, principles: list[Principle]
) -> EvidenceChoices:
    """What the user may cite: the relationship's records the user may see."""

    def choices(model: type[PartnerPrivateRecord]) -> list:
        return list(
            model.objects.filter(
                visible_records(user, model), relationship=relationship
            ).order_by("title", "pk")
        )

    return EvidenceChoices(
        plan_sections=[
            (principle.key, f"{principle.number}. {principle.name}")
            for principle in principles
        ],
        objectives=choices(Objective),
        risks=choices(Risk),
        documents=choices(RelationshipDocument),
    )


# --- ratings of one assessment ---------------------------------------------


def assessment_ratings(
    *, user: AnyUser, assessment: Assessment
) -> dict[str, PrincipleRating]:
    """The assessment's ratings by principle key, with the evidence links the user
    may see (a link to another partner's private record is left out) and
    `shown_action`: the improvement action, unless it is private from the user."""

    def visible(model: type[PartnerPrivateRecord]) -> QuerySet:
        return model.objects.filter(visible_records(user, model)).order_by("title")

    ratings = list(
        PrincipleRating.objects.filter(assessment=assessment)
        .select_related("principle", "improvement_action")
        .prefetch_related(
            Prefetch("objectives", queryset=visible(Objective)),
            Prefetch("risks", queryset=visible(Risk)),
            Prefetch("documents", queryset=visible(RelationshipDocument)),
            Prefetch(
                "document_revisions",
                queryset=DocumentRevision.objects.filter(
                    visible_records(user, RelationshipDocument, via="document__")
                ),
            ),
        )
    )
    for rating in ratings:
        # Each linked document with the revision the link names ("Rev 2 (sha
        # …)"); None for a link made before the document had revisions.
        revisions = {
            revision.document_id: revision
            for revision in rating.document_revisions.all()
        }
        rating.linked_documents = [
            (document, revisions.get(document.pk))
            for document in rating.documents.all()
        ]
    private_actions = {
        rating.improvement_action_id
        for rating in ratings
        if rating.improvement_action is not None
        and rating.improvement_action.is_private
    }
    hidden_actions = private_actions - set(
        visible(Action).filter(pk__in=private_actions).values_list("pk", flat=True)
        if private_actions
        else ()
    )
    for rating in ratings:
        rating.shown_action = (
            None
            if rating.improvement_action_id in hidden_actions
            else rating.improvement_action
        )
    return {rating.principle.key: rating for rating in ratings}


def assessment_stale_fields(
    *, ratings: dict[str, PrincipleRating], inputs: list["RatingInput"]
) -> list[StaleField]:
    """After a refused ratings save: each principle the user changed, its level,
    evidence and comment as saved now beside the user's input."""
    values = []
    for entry in inputs:
        rating = ratings.get(entry.principle.key)
        label = f"{entry.principle.number}. {entry.principle.name}"
        for name, theirs, yours in (
            ("level", rating.level if rating else None, entry.level),
            ("evidence", rating.evidence if rating else "", entry.evidence),
            ("comment", rating.comment if rating else "", entry.comment),
        ):
            values.append(
                FieldValues(
                    label=f"{label}: {name}",
                    theirs=theirs or "",
                    yours=yours or "",
                    theirs_shown=str(theirs or ""),
                    yours_shown=str(yours or ""),
                )
            )
    return stale_fields(values, has_before=False)


def assessment_previous_levels(*, assessment: Assessment) -> dict[str, int]:
    """Principle key -> level in the assessment this one was copied from."""
    if assessment.based_on_id is None:
        return {}
    return dict(
        PrincipleRating.objects.filter(
            assessment_id=assessment.based_on_id
        ).values_list("principle__key", "level")
    )


@dataclass
class RatingView:
    """One principle's row on an assessment page."""

    guided: GuidedPrinciple
    rating: PrincipleRating | None
    level: MaturityLevel | None
    previous_level: int | None
    plan_sections: list[tuple[str, str]] = field(default_factory=list)
    prompts_and_answers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def is_low(self) -> bool:
        return self.rating is not None and self.rating.level <= LOW_RATING_LEVEL

    @property
    def needs_action(self) -> bool:
        return self.is_low and self.rating.improvement_action_id is None

    @property
    def change(self) -> str:
        return self.rating.change if self.rating else ""

    @property
    def has_answers(self) -> bool:
        return any(answer.strip() for _prompt, answer in self.prompts_and_answers)

    @property
    def has_links(self) -> bool:
        rating = self.rating
        return bool(
            rating
            and (
                rating.plan_section_keys
                or rating.objectives.all()
                or rating.risks.all()
                or rating.documents.all()
            )
        )


def assessment_rating_views(
    *,
    assessment: Assessment,
    guided_principles: list[GuidedPrinciple],
    ratings: dict[str, PrincipleRating],
) -> list[RatingView]:
    levels = maturity_levels_by_number()
    previous = assessment_previous_levels(assessment=assessment)
    section_names = {guided.key: guided.principle.name for guided in guided_principles}
    rows = []
    for guided in guided_principles:
        rating = ratings.get(guided.key)
        answers = list(rating.prompt_answers) if rating else []
        prompts = list(guided.guidance.prompts)
        prompts_and_answers = [
            (prompt, answers[index] if index < len(answers) else "")
            for index, prompt in enumerate(prompts)
        ]
        prompts_and_answers += [
            ("Earlier question", answer) for answer in answers[len(prompts) :] if answer
        ]
        rows.append(
            RatingView(
                guided=guided,
                rating=rating,
                level=levels.get(rating.level) if rating else None,
                previous_level=previous.get(guided.key),
                plan_sections=[
                    (
                        section_names.get(key, key),
                        plan_section_url(
                            relationship=assessment.relationship, principle_key=key
                        ),
                    )
                    for key in (rating.plan_section_keys if rating else [])
                ],
                prompts_and_answers=prompts_and_answers,
            )
        )
    return rows


def assessment_missing_principles(*, assessment: Assessment) -> list[Principle]:
    """Principles of the relationship's set that have no level yet."""
    return list(
        Principle.objects.filter(
            principle_set__key=assessment.relationship.principle_set_key
        )
        .exclude(ratings__assessment=assessment)
        .order_by("number")
    )


def assessment_low_ratings_without_action(
    *, assessment: Assessment
) -> list[PrincipleRating]:
    return list(
        PrincipleRating.objects.filter(
            assessment=assessment,
            level__lte=LOW_RATING_LEVEL,
            improvement_action__isnull=True,
        )
        .select_related("principle")
        .order_by("principle__number")
    )


def assessment_rating_for_action(
    *, assessment: Assessment, principle_key: str
) -> PrincipleRating:
    """The rating of one principle, for raising its improvement action; else 404."""
    try:
        return PrincipleRating.objects.select_related(
            "principle", "improvement_action"
        ).get(assessment=assessment, principle__key=principle_key)
    except PrincipleRating.DoesNotExist as error:
        raise Http404("This principle has no rating in the assessment.") from error


def improvement_action_is_open(rating: PrincipleRating) -> bool:
    action = rating.improvement_action
    return action is not None and action.status in OPEN_ACTION_STATUSES


# --- the list page ---------------------------------------------------------


@dataclass
class PartnerSlot:
    """A partner's self-assessment in one period, or None when not shared."""

    partnership: Partnership
    assessment: Assessment | None


@dataclass
class PeriodGroup:
    """One period's joint assessment and partners' self-assessments."""

    period_start: datetime.date
    period_end: datetime.date
    label: str
    joint: Assessment | None
    partner_slots: list[PartnerSlot]
    gaps: list[PerceptionGap]
    is_current: bool = False

    @property
    def gaps_comparable(self) -> bool:
        """Whether two partners' shared self-assessments exist to compare: only
        then does "no perception gaps" mean something."""
        shared = (AssessmentStatus.SUBMITTED, AssessmentStatus.FINAL)
        return (
            sum(
                slot.assessment is not None and slot.assessment.status in shared
                for slot in self.partner_slots
            )
            >= 2
        )


@dataclass
class AssessmentOverview:
    relationship: Relationship
    current_period: AssessmentPeriod
    periods: list[PeriodGroup]
    partnerships: list[Partnership]
    member_partnership_ids: set[int]
    editable_partnership_ids: set[int]
    can_edit_joint: bool
    start_options: list["StartOption"]


def relationship_assessment_overview(
    *, user: AnyUser, relationship: Relationship, today: datetime.date | None = None
) -> AssessmentOverview:
    """The relationship's assessments the user may see, by period, newest first."""
    current_period = relationship_current_period(relationship=relationship, today=today)
    partnerships = list(
        relationship.partnerships.select_related("organisation").order_by(
            "role", "organisation__name"
        )
    )
    assessments = list(
        assessments_visible_to(user=user, relationship=relationship)
        .annotate(rated_count=Count("ratings"))
        .order_by("-period_start", "kind")
    )
    assessable = partnerships_assessable_by(user=user, relationship=relationship)
    editable_partnership_ids = {partnership.pk for partnership in assessable}
    can_edit_joint = user_can_edit_relationship(user=user, relationship=relationship)
    for assessment in assessments:
        assessment.editable_by_user = assessment.status != AssessmentStatus.FINAL and (
            can_edit_joint
            if assessment.kind == AssessmentKind.JOINT
            else assessment.partnership_id in editable_partnership_ids
        )
    gaps_by_period = relationship_perception_gaps_by_period(
        relationship=relationship, viewer=user
    )
    grouped: dict[datetime.date, list[Assessment]] = defaultdict(list)
    for assessment in assessments:
        grouped[assessment.period_start].append(assessment)
    if current_period.start not in grouped:
        grouped[current_period.start] = []
    periods = []
    for period_start in sorted(grouped, reverse=True):
        members = grouped[period_start]
        joint = next(
            (item for item in members if item.kind == AssessmentKind.JOINT), None
        )
        by_partnership = {
            item.partnership_id: item
            for item in members
            if item.kind == AssessmentKind.SELF
        }
        sample = members[0] if members else None
        period_end = sample.period_end if sample else current_period.end
        label = sample.period_label if sample else current_period.label
        periods.append(
            PeriodGroup(
                period_start=period_start,
                period_end=period_end,
                label=label,
                joint=joint,
                partner_slots=[
                    PartnerSlot(
                        partnership=partnership,
                        assessment=by_partnership.get(partnership.pk),
                    )
                    for partnership in partnerships
                ],
                gaps=gaps_by_period.get(period_start, []),
                is_current=period_start == current_period.start,
            )
        )
    return AssessmentOverview(
        relationship=relationship,
        current_period=current_period,
        periods=periods,
        partnerships=partnerships,
        member_partnership_ids=set(
            viewer_audience(user=user, relationship=relationship)
        ),
        editable_partnership_ids=editable_partnership_ids,
        can_edit_joint=can_edit_joint,
        start_options=assessment_start_options(
            user=user,
            relationship=relationship,
            period_start=current_period.start,
            assessable=assessable,
            can_edit_joint=can_edit_joint,
        ),
    )


@dataclass(frozen=True)
class StartOption:
    """An assessment of the current period the user may start."""

    kind: str
    partnership: Partnership | None
    previous: Assessment | None

    @property
    def label(self) -> str:
        if self.partnership is None:
            return "Joint assessment"
        return f"Self-assessment of {self.partnership.organisation.name}"

    @property
    def value(self) -> str:
        return "joint" if self.partnership is None else f"self-{self.partnership.pk}"


def assessment_start_options(
    *,
    user: AnyUser,
    relationship: Relationship,
    period_start: datetime.date,
    assessable: list[Partnership] | None = None,
    can_edit_joint: bool | None = None,
) -> list[StartOption]:
    """Assessments of the period the user may start and that do not exist yet.

    assessable and can_edit_joint save queries when the caller knows them already.
    """
    if assessable is None:
        assessable = partnerships_assessable_by(user=user, relationship=relationship)
    if can_edit_joint is None:
        can_edit_joint = user_can_edit_relationship(
            user=user, relationship=relationship
        )
    existing = Assessment.objects.filter(
        relationship=relationship, period_start=period_start
    ).values_list("kind", "partnership_id")
    taken = set(existing)
    previous_by_subject: dict[tuple[str, int | None], Assessment] = {}
    for assessment in Assessment.objects.filter(
        relationship=relationship, period_start__lt=period_start
    ).order_by("period_start"):
        previous_by_subject[(assessment.kind, assessment.partnership_id)] = assessment
    options = []
    for partnership in assessable:
        subject = (AssessmentKind.SELF.value, partnership.pk)
        if subject not in taken:
            options.append(
                StartOption(
                    kind=AssessmentKind.SELF,
                    partnership=partnership,
                    previous=previous_by_subject.get(subject),
                )
            )
    joint_subject = (AssessmentKind.JOINT.value, None)
    if joint_subject not in taken and can_edit_joint:
        options.append(
            StartOption(
                kind=AssessmentKind.JOINT,
                partnership=None,
                previous=previous_by_subject.get(joint_subject),
            )
        )
    return options
