"""Writes of the rating workflow: start, save ratings, submit, finalise, actions.

Callers authorise first (assessments.selectors.assessments); these functions
check the workflow rules themselves so that no path can, for example, change a
final assessment or link another relationship's records as evidence.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.choices import AssessmentKind, AssessmentStatus, RatingChange
from assessments.models import (
    PRINCIPLE_RATING_HISTORY,
    Assessment,
    PrincipleRating,
)
from assessments.selectors.assessments import (
    LOW_RATING_LEVEL,
    AssessmentPeriod,
    assessment_missing_principles,
    assessment_previous_of,
    improvement_action_is_open,
)
from assessments.services.confirmations import (
    assessment_confirmations_clear_changed,
)
from principles.choices import PrincipleKey
from principles.models import Principle
from relationships.access import AnyUser, visible_records
from relationships.choices import ActionSource
from relationships.concurrency import revision_claim
from relationships.models import (
    Action,
    DocumentRevision,
    Objective,
    Partnership,
    Relationship,
    RelationshipDocument,
    Risk,
)
from relationships.selectors.documents import revisions_current_for

EVIDENCE_MAX_LENGTH = 5000
COMMENT_MAX_LENGTH = 5000
PROMPT_ANSWER_MAX_LENGTH = 2000
ACTION_TITLE_MAX_LENGTH = 200
ACTION_DESCRIPTION_MAX_LENGTH = 5000
LEVELS = range(1, 6)


@dataclass(frozen=True)
class RatingInput:
    """What an assessor entered for one principle; level None means not rated yet."""

    principle: Principle
    level: int | None
    evidence: str = ""
    comment: str = ""
    prompt_answers: list[str] = field(default_factory=list)
    plan_section_keys: list[str] = field(default_factory=list)
    objectives: list[Objective] = field(default_factory=list)
    risks: list[Risk] = field(default_factory=list)
    documents: list[RelationshipDocument] = field(default_factory=list)

    @property
    def has_content(self) -> bool:
        return bool(
            self.evidence.strip()
            or self.comment.strip()
            or any(answer.strip() for answer in self.prompt_answers)
            or self.plan_section_keys
            or self.objectives
            or self.risks
            or self.documents
        )


def _locked(assessment: Assessment) -> Assessment:
    """Re-read the assessment under a row lock, so workflow steps serialise."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    locked.relationship = assessment.relationship
    return locked


def _refuse_if_final(assessment: Assessment) -> None:
    if assessment.status == AssessmentStatus.FINAL:
        raise ValidationError(
            "This assessment is final and can no longer be changed.", code="final"
        )


def _subject_label(*, kind: str, partnership: Partnership | None) -> str:
    if kind == AssessmentKind.JOINT:
        return "joint assessment"
    return f"self-assessment of {partnership.organisation.name}"


# --- start -----------------------------------------------------------------


@transaction.atomic
def assessment_start(
    *,
    relationship: Relationship,
    kind: str,
    partnership: Partnership | None,
    period: AssessmentPeriod,
    user: AbstractBaseUser | None,
    from_previous: bool = False,
) -> Assessment:
    """Open a draft for the period, optionally copied from the latest earlier one."""
    if kind == AssessmentKind.SELF and (
        partnership is None or partnership.relationship_id != relationship.pk
    ):
        raise ValidationError("Choose a partner of this relationship.")
    if kind == AssessmentKind.JOINT:
        partnership = None
    label = _subject_label(kind=kind, partnership=partnership)
    if Assessment.objects.filter(
        relationship=relationship,
        kind=kind,
        partnership=partnership,
        period_start=period.start,
    ).exists():
        raise ValidationError(
            f"The {period.label} {label} has already been started.", code="exists"
        )
    previous = None
    if from_previous:
        previous = assessment_previous_of(
            relationship=relationship,
            kind=kind,
            partnership=partnership,
            before=period.start,
        )
        if previous is None:
            raise ValidationError(
                f"There is no earlier {label} to start from.", code="no_previous"
            )
    assessment = Assessment(
        relationship=relationship,
        kind=kind,
        partnership=partnership,
        period_start=period.start,
        period_end=period.end,
        created_by=user,
        based_on=previous,
    )
    assessment.full_clean()
    assessment._history_user = user
    try:
        with transaction.atomic():
            assessment.save()
    except IntegrityError as error:
        # Someone else started the same assessment a moment ago.
        raise ValidationError(
            f"The {period.label} {label} has already been started.", code="exists"
        ) from error
    if previous is not None:
        _copy_ratings(source=previous, target=assessment, user=user)
    return assessment


def _rating_save_with_links(
    rating: PrincipleRating,
    *,
    objectives: Iterable[Objective],
    risks: Iterable[Risk],
    documents: Iterable[RelationshipDocument],
    user: AbstractBaseUser | None,
    pinned_revisions: Iterable[DocumentRevision] | None = None,
) -> None:
    """Save a rating and its links with one history record of the final state.

    Each linked document names a revision: the one it named before
    (`pinned_revisions`, by default the rating's own), else its current one.

    Left to itself, django-simple-history writes a record at the save and another
    at each changed link set, the first ones showing links about to change.
    """
    created = rating.pk is None
    documents = list(documents)
    if pinned_revisions is None:
        pinned_revisions = [] if created else rating.document_revisions.all()
    revisions = _document_revisions_pinned(documents, pinned_revisions)
    rating.skip_history_when_saving = True
    try:
        rating.save()
        rating.objectives.set(objectives)
        rating.risks.set(risks)
        rating.documents.set(documents)
        rating.document_revisions.set(revisions)
    finally:
        del rating.skip_history_when_saving
    rating._history_user = user
    PRINCIPLE_RATING_HISTORY.create_historical_record(rating, "+" if created else "~")


def _document_revisions_pinned(
    documents: list[RelationshipDocument],
    pinned_revisions: Iterable[DocumentRevision],
) -> list[DocumentRevision]:
    """For each document, the revision a link to it names: the one linked before
    if any, else the document's current one (the revision current when linked)."""
    pinned = {revision.document_id: revision for revision in pinned_revisions}
    missing = [document for document in documents if document.pk not in pinned]
    current = revisions_current_for(missing) if missing else {}
    return [
        revision
        for document in documents
        if (revision := pinned.get(document.pk) or current.get(document.pk))
    ]


def _copy_ratings(
    *, source: Assessment, target: Assessment, user: AbstractBaseUser | None
) -> None:
    principles_by_key = {
        principle.key: principle
        for principle in Principle.objects.filter(
            principle_set__key=target.relationship.principle_set_key
        )
    }
    source_ratings = (
        PrincipleRating.objects.filter(assessment=source)
        .select_related("principle", "improvement_action")
        .prefetch_related("objectives", "risks", "documents", "document_revisions")
    )
    for source_rating in source_ratings:
        principle = principles_by_key.get(source_rating.principle.key)
        if principle is None:
            continue
        rating = PrincipleRating(
            assessment=target,
            principle=principle,
            level=source_rating.level,
            evidence=source_rating.evidence,
            comment=source_rating.comment,
            prompt_answers=list(source_rating.prompt_answers),
            plan_section_keys=list(source_rating.plan_section_keys),
            change=RatingChange.UNCHANGED,
            # A still-open action keeps covering the low rating; a closed one
            # does not, so a rating that stays low asks for a new action.
            improvement_action=(
                source_rating.improvement_action
                if improvement_action_is_open(source_rating)
                else None
            ),
        )
        rating.full_clean()
        _rating_save_with_links(
            rating,
            objectives=source_rating.objectives.all(),
            risks=source_rating.risks.all(),
            documents=source_rating.documents.all(),
            user=user,
            pinned_revisions=source_rating.document_revisions.all(),
        )


# --- save ratings ----------------------------------------------------------


def rating_input_errors(
    *, relationship: Relationship, entry: RatingInput
) -> dict[str, list[str]]:
    """Field errors of one principle's input, before anything is written."""
    errors: dict[str, list[str]] = {}

    def add(field_name: str, message: str) -> None:
        errors.setdefault(field_name, []).append(message)

    if entry.principle.principle_set.key != relationship.principle_set_key:
        add("level", "This principle is not part of the relationship's set.")
    if entry.level is not None and entry.level not in LEVELS:
        add("level", "Choose a maturity level between 1 and 5.")
    if entry.level is None and entry.has_content:
        add(
            "level",
            "Choose a level to keep what you wrote for this principle; you can "
            "change it later.",
        )
    if len(entry.evidence) > EVIDENCE_MAX_LENGTH:
        add("evidence", f"Keep the evidence under {EVIDENCE_MAX_LENGTH} characters.")
    if len(entry.comment) > COMMENT_MAX_LENGTH:
        add("comment", f"Keep the comment under {COMMENT_MAX_LENGTH} characters.")
    if any(len(answer) > PROMPT_ANSWER_MAX_LENGTH for answer in entry.prompt_answers):
        add(
            "prompt_answers",
            f"Keep each answer under {PROMPT_ANSWER_MAX_LENGTH} characters.",
        )
    if set(entry.plan_section_keys) - set(PrincipleKey.values):
        add("plan_section_keys", "Choose plan sections from the list.")
    for field_name, records in (
        ("objectives", entry.objectives),
        ("risks", entry.risks),
        ("documents", entry.documents),
    ):
        if any(record.relationship_id != relationship.pk for record in records):
            add(field_name, f"Link {field_name} of this relationship only.")
    return errors


def _evidence_signature(
    *,
    level: int,
    evidence: str,
    plan_section_keys: list[str],
    objective_ids: set[int],
    risk_ids: set[int],
    document_ids: set[int],
) -> tuple:
    return (
        level,
        evidence.strip(),
        frozenset(plan_section_keys),
        frozenset(objective_ids),
        frozenset(risk_ids),
        frozenset(document_ids),
    )


def _rating_signature(rating: PrincipleRating) -> tuple:
    return _evidence_signature(
        level=rating.level,
        evidence=rating.evidence,
        plan_section_keys=rating.plan_section_keys,
        objective_ids={record.pk for record in rating.objectives.all()},
        risk_ids={record.pk for record in rating.risks.all()},
        document_ids={record.pk for record in rating.documents.all()},
    )


def _input_signature(entry: RatingInput) -> tuple:
    return _evidence_signature(
        level=entry.level,
        evidence=entry.evidence,
        plan_section_keys=entry.plan_section_keys,
        objective_ids={record.pk for record in entry.objectives},
        risk_ids={record.pk for record in entry.risks},
        document_ids={record.pk for record in entry.documents},
    )


def _links_keeping_hidden(
    rating: PrincipleRating, entry: RatingInput, user: AnyUser | None
) -> dict[str, list]:
    """The entry's links by kind. The user chose among the records they may see;
    links another partner made to its private records stay as they were."""
    links = {}
    for name, model in (
        ("objectives", Objective),
        ("risks", Risk),
        ("documents", RelationshipDocument),
    ):
        kept = (
            list(getattr(rating, name).exclude(visible_records(user, model)))
            if user is not None and rating.pk is not None
            else []
        )
        links[name] = [*getattr(entry, name), *kept]
    return links


@transaction.atomic
def assessment_ratings_save(
    *,
    assessment: Assessment,
    ratings: list[RatingInput],
    expected_revision: int | None,
    user: AbstractBaseUser | None,
) -> list[PrincipleRating]:
    """Save the entered principles; unrated and empty ones stay unrated.

    Either every entry is saved or, on any error, none is. The assessment's
    revision guards the whole ratings form: a save from a form opened before
    someone else's save is refused (StaleEdit). With a based_on assessment, each
    rating is marked new, unchanged or changed against the earlier one's level
    and evidence. A partner's confirmation of a joint assessment given on the
    ratings before this change is cleared.
    """
    assessment = _locked(assessment)
    _refuse_if_final(assessment)
    revision_claim(assessment, expected_revision=expected_revision)
    relationship = assessment.relationship
    existing = {
        rating.principle_id: rating
        for rating in PrincipleRating.objects.filter(
            assessment=assessment
        ).prefetch_related("objectives", "risks", "documents", "document_revisions")
    }
    errors: dict[str, list[str]] = {}
    for entry in ratings:
        entry_errors = rating_input_errors(relationship=relationship, entry=entry)
        if entry.level is None and entry.principle.pk in existing:
            entry_errors.setdefault("level", []).append(
                "A rated principle keeps a level; choose one."
            )
        for field_name, messages in entry_errors.items():
            errors[f"{entry.principle.key}__{field_name}"] = messages
    if errors:
        raise ValidationError(errors)

    previous_signatures = {}
    if assessment.based_on_id is not None:
        previous_signatures = {
            rating.principle.key: _rating_signature(rating)
            for rating in PrincipleRating.objects.filter(
                assessment_id=assessment.based_on_id
            )
            .select_related("principle")
            .prefetch_related("objectives", "risks", "documents")
        }
    saved = []
    for entry in ratings:
        if entry.level is None:
            continue
        rating = existing.get(entry.principle.pk) or PrincipleRating(
            assessment=assessment, principle=entry.principle
        )
        if assessment.based_on_id is None:
            change = ""
        elif entry.principle.key not in previous_signatures:
            change = RatingChange.NEW
        elif previous_signatures[entry.principle.key] == _input_signature(entry):
            change = RatingChange.UNCHANGED
        else:
            change = RatingChange.CHANGED
        rating.level = entry.level
        rating.evidence = entry.evidence
        rating.comment = entry.comment
        rating.prompt_answers = list(entry.prompt_answers)
        rating.plan_section_keys = list(entry.plan_section_keys)
        rating.change = change
        rating.full_clean()
        _rating_save_with_links(
            rating, **_links_keeping_hidden(rating, entry, user), user=user
        )
        saved.append(rating)
    if saved:
        if user is not None:
            assessment.last_edited_by = user
            # Bookkeeping for e-mails: the ratings' own history says who edited.
            assessment.skip_history_when_saving = True
            try:
                assessment.save(update_fields=["last_edited_by"])
            finally:
                del assessment.skip_history_when_saving
        assessment_confirmations_clear_changed(assessment=assessment, user=user)
    return saved


# --- submit and finalise ---------------------------------------------------


def _missing_message(missing: list[Principle], verb: str) -> str:
    names = ", ".join(f"{principle.number}. {principle.name}" for principle in missing)
    return (
        f"Choose a level for every principle before {verb}. "
        f"{len(missing)} still without a level: {names}."
    )


@transaction.atomic
def assessment_submit(
    *, assessment: Assessment, user: AbstractBaseUser | None
) -> Assessment:
    """Hand in a complete draft: a self-assessment becomes visible to the partners."""
    assessment = _locked(assessment)
    _refuse_if_final(assessment)
    if assessment.status != AssessmentStatus.DRAFT:
        raise ValidationError("This assessment has already been submitted.")
    missing = assessment_missing_principles(assessment=assessment)
    if missing:
        raise ValidationError(_missing_message(missing, "submitting"), code="missing")
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.full_clean()
    assessment._history_user = user
    assessment.save(update_fields=["status", "submitted_at"])
    return assessment


@transaction.atomic
def assessment_finalise(
    *, assessment: Assessment, user: AbstractBaseUser | None
) -> Assessment:
    """Close a submitted self-assessment for good: from now on it is read-only.

    A joint assessment is never finalised here: it becomes final when every
    partner has confirmed it (services.confirmations.assessment_confirm)."""
    assessment = _locked(assessment)
    _refuse_if_final(assessment)
    if assessment.kind == AssessmentKind.JOINT:
        raise ValidationError(
            "A joint assessment becomes final when a representative of every "
            "partner has confirmed it; confirm it for your partner instead.",
            code="joint",
        )
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise ValidationError("Submit the assessment before finalising it.")
    missing = assessment_missing_principles(assessment=assessment)
    if missing:
        raise ValidationError(_missing_message(missing, "finalising"), code="missing")
    assessment.status = AssessmentStatus.FINAL
    assessment.finalised_at = timezone.now()
    assessment.full_clean()
    assessment._history_user = user
    assessment.save(update_fields=["status", "finalised_at"])
    return assessment


# --- improvement actions ---------------------------------------------------


def improvement_action_default_title(
    *, assessment: Assessment, rating: PrincipleRating
) -> str:
    title = (
        f"Improve “{rating.principle.name}” "
        f"(rated {rating.level} in {assessment.period_label})"
    )
    return title[:ACTION_TITLE_MAX_LENGTH]


@transaction.atomic
def principle_rating_action_create(
    *,
    assessment: Assessment,
    rating: PrincipleRating,
    user: AbstractBaseUser | None,
    title: str = "",
    description: str = "",
    due_date: datetime.date | None = None,
) -> Action:
    """Raise an improvement action for a low rating and link it to the rating."""
    assessment = _locked(assessment)
    _refuse_if_final(assessment)
    rating = (
        PrincipleRating.objects.select_for_update()
        .select_related("principle")
        .get(pk=rating.pk, assessment=assessment)
    )
    if rating.level > LOW_RATING_LEVEL:
        raise ValidationError(
            f"Only ratings of {LOW_RATING_LEVEL} or lower ask for an improvement "
            f"action; this one is rated {rating.level}."
        )
    if rating.improvement_action_id is not None:
        raise ValidationError(
            "This rating already has an improvement action.", code="exists"
        )
    action = Action(
        relationship=assessment.relationship,
        title=title.strip()
        or improvement_action_default_title(assessment=assessment, rating=rating),
        description=description,
        source=ActionSource.ASSESSMENT,
        principle_key=rating.principle.key,
        owner=user,
        due_date=due_date,
    )
    action.full_clean()
    action._history_user = user
    action.save()
    rating.improvement_action = action
    rating._history_user = user
    rating.save(update_fields=["improvement_action"])
    return action
