"""Writes of findings and corrective actions, and the overdue reminders.

The rules of the workflow are stated here once: a finding closes only when every
corrective action is verified effective (`finding_close_blocker`), a closed
finding takes no new actions, an action is verified only once completed and not
by its owner, and an overdue action's owner is e-mailed once per due date.
"""

import datetime
import logging
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from assessments.services.reports import site_url
from assurance.models import CorrectiveAction, CorrectiveActionNotice, Finding
from assurance.models.findings import (
    CorrectiveActionStatus,
    FindingStatus,
    VerificationResult,
)
from assurance.selectors.findings import (
    FindingScope,
    corrective_actions_overdue,
    finding_close_blocker,
)
from relationships.access import (
    corrective_action_owner_candidates,
    corrective_action_verifier_problem,
)
from relationships.concurrency import revision_claim

logger = logging.getLogger(__name__)

# The PeriodicTask that django-celery-beat runs daily (see setup_schedules).
OVERDUE_SCHEDULE_NAME = "assurance: overdue corrective actions"

FINDING_FIELDS = frozenset(
    {
        "kind",
        "title",
        "description",
        "clause",
        "stage",
        "principle_key",
        "evidence",
        "evidence_revision",
        "raised_on",
        "internal_audit",
    }
)
CORRECTIVE_ACTION_FIELDS = frozenset({"root_cause", "action", "owner", "due_date"})


def _check_fields(values: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")


def _validate_finding(finding: Finding) -> None:
    finding.full_clean()
    errors: dict[str, str] = {}
    if finding.raised_on > timezone.localdate():
        errors["raised_on"] = "A finding cannot be raised on a date still to come."
    revision = finding.evidence_revision
    if (
        revision is not None
        and revision.document.relationship_id != finding.relationship_id
    ):
        errors["evidence_revision"] = (
            "Link a document of the same relationship as the finding."
        )
    audit = finding.internal_audit
    if audit is not None:
        if finding.organisation_id is not None:
            audit_fits = audit.organisation_id == finding.organisation_id
        else:
            audit_fits = finding.relationship.partnerships.filter(
                organisation_id=audit.organisation_id
            ).exists()
        if not audit_fits:
            errors["internal_audit"] = (
                "The audit must be one of this organisation's, or of a partner "
                "in this relationship."
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def finding_raise(
    *,
    scope: FindingScope,
    values: dict[str, Any],
    raised_by: AbstractBaseUser | None,
) -> Finding:
    """Raise a finding against a relationship or an organisation's own system."""
    _check_fields(values, FINDING_FIELDS)
    finding = Finding(
        relationship=scope.relationship,
        organisation=scope.organisation,
        raised_by=raised_by,
    )
    for name, value in values.items():
        setattr(finding, name, value)
    if finding.raised_on is None:
        finding.raised_on = timezone.localdate()
    _validate_finding(finding)
    finding._history_user = raised_by
    finding.save()
    return finding


@transaction.atomic
def finding_update(
    *,
    finding: Finding,
    changes: dict[str, Any],
    expected_revision: int | None,
    updated_by: AbstractBaseUser | None,
) -> Finding:
    """Change an open finding, unless it changed since the form was opened."""
    _check_fields(changes, FINDING_FIELDS)
    revision_claim(finding, expected_revision=expected_revision)
    if Finding.objects.get(pk=finding.pk).status == FindingStatus.CLOSED:
        raise ValidationError("A closed finding is kept as it was closed.")
    for name, value in changes.items():
        setattr(finding, name, value)
    _validate_finding(finding)
    finding._history_user = updated_by
    finding.save()
    return finding


@transaction.atomic
def finding_close(
    *,
    finding: Finding,
    expected_revision: int | None,
    closed_by: AbstractBaseUser | None,
) -> Finding:
    """Close a finding whose corrective actions are all verified effective.

    The claim locks the finding's row, and adding an action locks it too, so no
    action can slip in between the check and the close; a refusal changes
    nothing (the claim is rolled back with the transaction).
    """
    revision_claim(finding, expected_revision=expected_revision)
    finding.refresh_from_db()
    blocker = finding_close_blocker(finding=finding)
    if blocker:
        raise ValidationError(blocker)
    finding.status = FindingStatus.CLOSED
    finding.closed_at = timezone.now()
    finding.closed_by = closed_by
    finding.full_clean()
    finding._history_user = closed_by
    finding.save()
    return finding


def _lock_open_finding(finding: Finding) -> Finding:
    locked = Finding.objects.select_for_update().get(pk=finding.pk)
    if locked.status == FindingStatus.CLOSED:
        raise ValidationError("This finding is closed: it takes no new actions.")
    return locked


def _validate_owner(corrective_action: CorrectiveAction, finding: Finding) -> None:
    if corrective_action.owner_id is None:
        return
    candidates = corrective_action_owner_candidates(finding=finding)
    if not candidates.filter(pk=corrective_action.owner_id).exists():
        raise ValidationError(
            {
                "owner": "The owner must be a working member of whoever the finding "
                "belongs to (auditors only read)."
            }
        )


@transaction.atomic
def corrective_action_add(
    *,
    finding: Finding,
    values: dict[str, Any],
    created_by: AbstractBaseUser | None,
) -> CorrectiveAction:
    """Add a corrective action to an open finding."""
    _check_fields(values, CORRECTIVE_ACTION_FIELDS)
    _lock_open_finding(finding)
    corrective_action = CorrectiveAction(finding=finding, created_by=created_by)
    for name, value in values.items():
        setattr(corrective_action, name, value)
    corrective_action.full_clean()
    _validate_owner(corrective_action, finding)
    corrective_action._history_user = created_by
    corrective_action.save()
    return corrective_action


@transaction.atomic
def corrective_action_update(
    *,
    corrective_action: CorrectiveAction,
    changes: dict[str, Any],
    expected_revision: int | None,
    updated_by: AbstractBaseUser | None,
) -> CorrectiveAction:
    """Change an open action's cause, action, owner or due date."""
    _check_fields(changes, CORRECTIVE_ACTION_FIELDS)
    revision_claim(corrective_action, expected_revision=expected_revision)
    current = CorrectiveAction.objects.get(pk=corrective_action.pk)
    if current.status != CorrectiveActionStatus.OPEN:
        raise ValidationError("Only an open action is changed; this one is done.")
    for name, value in changes.items():
        setattr(corrective_action, name, value)
    corrective_action.full_clean()
    _validate_owner(corrective_action, corrective_action.finding)
    corrective_action._history_user = updated_by
    corrective_action.save()
    return corrective_action


@transaction.atomic
def corrective_action_complete(
    *,
    corrective_action: CorrectiveAction,
    completed_on: datetime.date,
    note: str,
    expected_revision: int | None,
    completed_by: AbstractBaseUser | None,
) -> CorrectiveAction:
    """Record that an open action was carried out; it then awaits verification."""
    revision_claim(corrective_action, expected_revision=expected_revision)
    corrective_action.refresh_from_db()
    if corrective_action.status != CorrectiveActionStatus.OPEN:
        raise ValidationError("This action is already completed.")
    if completed_on > timezone.localdate():
        raise ValidationError(
            {"completed_on": "An action cannot be completed on a date to come."}
        )
    if completed_on < corrective_action.created_at.date():
        raise ValidationError(
            {"completed_on": "An action cannot be completed before it was set."}
        )
    corrective_action.status = CorrectiveActionStatus.COMPLETED
    corrective_action.completed_on = completed_on
    corrective_action.completion_note = note
    corrective_action.full_clean()
    corrective_action._history_user = completed_by
    corrective_action.save()
    return corrective_action


@transaction.atomic
def corrective_action_verify(
    *,
    corrective_action: CorrectiveAction,
    result: str,
    verified_on: datetime.date,
    notes: str,
    new_due_date: datetime.date | None,
    expected_revision: int | None,
    verified_by: AbstractBaseUser,
) -> CorrectiveAction:
    """Record whether a completed action worked. Effective: it counts towards
    closing the finding. Not effective: it opens again, due by `new_due_date`,
    for its owner to do more (the check stays in its history)."""
    revision_claim(corrective_action, expected_revision=expected_revision)
    corrective_action.refresh_from_db()
    if corrective_action.status != CorrectiveActionStatus.COMPLETED:
        raise ValidationError(
            "Only a completed action awaiting verification can be verified."
        )
    problem = corrective_action_verifier_problem(
        user=verified_by, corrective_action=corrective_action
    )
    if problem:
        raise ValidationError(problem)
    errors = {}
    if verified_on > timezone.localdate():
        errors["verified_on"] = "A check cannot be dated in the future."
    elif verified_on < corrective_action.completed_on:
        errors["verified_on"] = (
            "The check comes after the action was completed "
            f"({corrective_action.completed_on:%d %b %Y})."
        )
    if result == VerificationResult.NOT_EFFECTIVE:
        if not notes.strip():
            errors["notes"] = "Say why the action did not work."
        if new_due_date is None:
            errors["new_due_date"] = "Set a new due date for the further work."
        elif new_due_date < verified_on:
            errors["new_due_date"] = "The new due date comes after the check."
    if errors:
        raise ValidationError(errors)
    corrective_action.verified_by = verified_by
    corrective_action.verified_on = verified_on
    corrective_action.verification_result = result
    corrective_action.verification_notes = notes
    if result == VerificationResult.EFFECTIVE:
        corrective_action.status = CorrectiveActionStatus.VERIFIED
    else:
        corrective_action.status = CorrectiveActionStatus.OPEN
        corrective_action.completed_on = None
        corrective_action.due_date = new_due_date
    corrective_action.full_clean()
    corrective_action._history_user = verified_by
    corrective_action.save()
    return corrective_action


# --- overdue reminders -----------------------------------------------------------


def _finding_url(finding: Finding) -> str:
    if finding.relationship_id is not None:
        path = reverse(
            "assurance:relationship_finding_detail",
            kwargs={"reference": finding.relationship.reference, "pk": finding.pk},
        )
    else:
        path = reverse(
            "assurance:organisation_finding_detail",
            kwargs={"slug": finding.organisation.slug, "pk": finding.pk},
        )
    return site_url() + path


def _notify_overdue(corrective_action: CorrectiveAction) -> bool:
    owner = corrective_action.owner
    if not owner.email or not owner.is_active:
        return False
    with transaction.atomic():
        _notice, created = CorrectiveActionNotice.objects.get_or_create(
            corrective_action=corrective_action,
            due_date=corrective_action.due_date,
            defaults={"recipient": owner.email},
        )
        if not created:
            return False
        finding = corrective_action.finding
        context = {
            "corrective_action": corrective_action,
            "finding": finding,
            "scope_label": (
                finding.relationship.title
                if finding.relationship_id
                else f"{finding.organisation.name}'s own management system"
            ),
            "finding_url": _finding_url(finding),
        }
        # A mail server error rolls the notice back, so tomorrow's run tries again.
        EmailMessage(
            subject=" ".join(
                render_to_string(
                    "assurance/email/corrective_action_overdue_subject.txt", context
                ).split()
            ),
            body=render_to_string(
                "assurance/email/corrective_action_overdue.txt", context
            ),
            to=[owner.email],
        ).send()
    return True


def corrective_actions_notify_overdue(*, today: datetime.date) -> int:
    """E-mail the owner of every overdue corrective action, once per due date;
    safe to run again the same day. Returns how many e-mails went out."""
    sent = 0
    for corrective_action in corrective_actions_overdue(today=today):
        try:
            sent += _notify_overdue(corrective_action)
        except OSError:
            # The mail server is down: the next run tries again.
            logger.exception("Overdue notice for action %s", corrective_action.pk)
    return sent
