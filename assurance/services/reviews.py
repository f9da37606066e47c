"""Writes of management reviews and their output actions."""

import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assurance.models import ManagementReview, ManagementReviewAction
from assurance.models.reviews import ReviewActionStatus
from assurance.selectors.reviews import (
    ReviewScope,
    management_review_inputs,
    sections_snapshot,
)
from relationships.access import (
    organisation_members,
    relationship_members,
    review_evidence_revisions_q,
)
from relationships.concurrency import revision_claim
from relationships.models import (
    DocumentRevision,
    Organisation,
    Partnership,
    Relationship,
)

REVIEW_TEXT_FIELDS = frozenset(
    {
        "other_attendees",
        "previous_actions_input",
        "context_changes_input",
        "performance_input",
        "nonconformities_input",
        "audit_results_input",
        "opportunities_input",
        "decisions",
        "resource_needs",
        "plan_changes",
    }
)
REVIEW_EDITABLE_FIELDS = REVIEW_TEXT_FIELDS | {
    "held_on",
    "chair",
    "attendees",
    "evidence_revisions",
}
# Kept in many-to-many tables, set once the review has its row.
REVIEW_RELATED_FIELDS = frozenset({"attendees", "evidence_revisions"})
ACTION_EDITABLE_FIELDS = frozenset(
    {"description", "owner", "due_date", "status", "status_note"}
)


def _check_fields(values: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")


def _people(review: ManagementReview) -> Any:
    """Who may chair, attend or own an action of the review."""
    if review.is_joint:
        return relationship_members(review.relationship)
    return organisation_members(review.organisation)


def _subject_errors(
    *,
    organisation: Organisation | None,
    relationship: Relationship | None,
    is_joint: bool,
) -> dict[str, str]:
    if is_joint and relationship is None:
        return {"is_joint": "Only a review of a relationship can be held jointly."}
    if organisation is None and relationship is None:
        return {"relationship": "Choose the organisation or the relationship reviewed."}
    if (
        organisation is not None
        and relationship is not None
        and not Partnership.objects.filter(
            organisation=organisation, relationship=relationship
        ).exists()
    ):
        return {
            "relationship": f"{organisation} is not a partner in {relationship}: "
            "choose one of its own relationships."
        }
    return {}


def _people_errors(review: ManagementReview, values: dict[str, Any]) -> dict[str, str]:
    allowed = _people(review)
    errors = {}
    chair = values.get("chair", review.chair if review.pk else None)
    if chair is not None and not allowed.filter(pk=chair.pk).exists():
        errors["chair"] = "The chair must be one of the reviewing people's members."
    attendees = values.get("attendees") or []
    outsiders = [
        person for person in attendees if not allowed.filter(pk=person.pk).exists()
    ]
    if outsiders:
        errors["attendees"] = (
            "Attendees chosen here must be members; write anyone else under "
            "other attendees."
        )
    return errors


def _evidence_errors(
    review: ManagementReview, values: dict[str, Any]
) -> dict[str, str]:
    """Every cited revision must be one each reader of the review may read."""
    revisions = values.get("evidence_revisions") or []
    if not revisions:
        return {}
    if review.relationship_id is None:
        return {
            "evidence_revisions": "Documents belong to a relationship: choose the "
            "relationship reviewed to cite its documents."
        }
    citable = set(
        DocumentRevision.objects.filter(
            review_evidence_revisions_q(
                organisation=review.organisation,
                relationship=review.relationship,
                is_joint=review.is_joint,
            ),
            pk__in=[revision.pk for revision in revisions],
        ).values_list("pk", flat=True)
    )
    if any(revision.pk not in citable for revision in revisions):
        return {
            "evidence_revisions": "Cite documents of the reviewed relationship that "
            "every reader of the review may read"
            + (
                ": a joint review cites joint documents only."
                if review.is_joint
                else "."
            )
        }
    return {}


def _date_errors(held_on: datetime.date | None) -> dict[str, str]:
    if held_on is None:
        return {"held_on": "Give the date the review was held."}
    if held_on > timezone.localdate():
        return {"held_on": "Record a review once it has been held: the date is ahead."}
    return {}


def _raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def _apply(review: ManagementReview, values: dict[str, Any]) -> None:
    for name, value in values.items():
        if name in REVIEW_RELATED_FIELDS:
            continue
        if name in REVIEW_TEXT_FIELDS and value is None:
            value = ""
        setattr(review, name, value)


@transaction.atomic
def management_review_record(
    *,
    organisation: Organisation | None,
    relationship: Relationship | None,
    is_joint: bool,
    values: dict[str, Any],
    user: AbstractBaseUser,
) -> ManagementReview:
    """Record a review that was held, with the inputs the app holds as they are
    now: kept with it, so that later changes of that data leave it as it was.
    A joint review belongs to the relationship, not to one organisation."""
    _check_fields(values, REVIEW_EDITABLE_FIELDS)
    if is_joint:
        organisation = None
    _raise_if(
        _subject_errors(
            organisation=organisation, relationship=relationship, is_joint=is_joint
        )
    )
    review = ManagementReview(
        organisation=organisation,
        relationship=relationship,
        is_joint=is_joint,
        recorded_by=user,
    )
    _apply(review, values)
    _raise_if(
        _date_errors(review.held_on)
        | _people_errors(review, values)
        | _evidence_errors(review, values)
    )
    scope = ReviewScope(
        organisation=organisation,
        relationship=relationship,
        is_joint=is_joint,
        held_on=review.held_on,
    )
    review.inputs_snapshot = sections_snapshot(management_review_inputs(scope))
    review.inputs_gathered_at = timezone.now()
    review.full_clean()
    review._history_user = user
    review.save()
    review.attendees.set(values.get("attendees") or [])
    review.evidence_revisions.set(values.get("evidence_revisions") or [])
    return review


@transaction.atomic
def management_review_update(
    *,
    review: ManagementReview,
    values: dict[str, Any],
    expected_revision: int | None,
    user: AbstractBaseUser,
) -> ManagementReview:
    """Correct what was written of a review, or complete its outputs; the inputs
    it gathered stay as they were gathered."""
    _check_fields(values, REVIEW_EDITABLE_FIELDS)
    revision_claim(review, expected_revision=expected_revision)
    _apply(review, values)
    _raise_if(
        _date_errors(review.held_on)
        | _people_errors(review, values)
        | _evidence_errors(review, values)
    )
    review.full_clean()
    review._history_user = user
    review.save()
    for name in REVIEW_RELATED_FIELDS & set(values):
        getattr(review, name).set(values[name] or [])
    return review


def _action_errors(action: ManagementReviewAction) -> dict[str, str]:
    errors = {}
    if not action.description.strip():
        errors["description"] = "Say what is to be done."
    if (
        action.owner is not None
        and not _people(action.review).filter(pk=action.owner_id).exists()
    ):
        errors["owner"] = "The owner must be one of the reviewing people's members."
    return errors


def _set_completion(action: ManagementReviewAction) -> None:
    if action.status == ReviewActionStatus.DONE:
        action.completed_on = action.completed_on or timezone.localdate()
    else:
        action.completed_on = None


@transaction.atomic
def management_review_action_add(
    *,
    review: ManagementReview,
    values: dict[str, Any],
    user: AbstractBaseUser,
) -> ManagementReviewAction:
    """An action the review decided on, to be followed up at the next review."""
    _check_fields(values, ACTION_EDITABLE_FIELDS)
    action = ManagementReviewAction(review=review)
    for name, value in values.items():
        setattr(action, name, value)
    _set_completion(action)
    _raise_if(_action_errors(action))
    action.full_clean()
    action._history_user = user
    action.save()
    return action


@transaction.atomic
def management_review_action_update(
    *,
    action: ManagementReviewAction,
    values: dict[str, Any],
    expected_revision: int | None,
    user: AbstractBaseUser,
) -> ManagementReviewAction:
    """Change an output action or its status (done, cancelled), with a note."""
    _check_fields(values, ACTION_EDITABLE_FIELDS)
    revision_claim(action, expected_revision=expected_revision)
    for name, value in values.items():
        setattr(action, name, value)
    _set_completion(action)
    _raise_if(_action_errors(action))
    action.full_clean()
    action._history_user = user
    action.save()
    return action
