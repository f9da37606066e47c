"""Writes of an organisation's internal audit programme and audit records."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assurance.models import InternalAudit, PlannedAudit
from assurance.models.audits import PlannedAuditStatus
from relationships.access import organisation_auditors, relationships_of_organisation
from relationships.concurrency import revision_claim
from relationships.models import Organisation

SCOPE_FIELDS = frozenset({"scope", "scope_relationship", "scope_clause", "scope_stage"})
PLANNED_AUDIT_FIELDS = SCOPE_FIELDS | {"title", "planned_for", "lead_auditor", "status"}
INTERNAL_AUDIT_FIELDS = SCOPE_FIELDS | {
    "title",
    "planned_audit",
    "criteria",
    "lead_auditor",
    "audit_team",
    "performed_on",
    "summary",
    "conclusion",
}


def _check_fields(values: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")


def _scope_and_auditor_errors(
    record: PlannedAudit | InternalAudit, organisation: Organisation
) -> dict[str, str]:
    errors = {}
    if (
        record.scope_relationship_id is not None
        and not relationships_of_organisation(organisation=organisation)
        .filter(pk=record.scope_relationship_id)
        .exists()
    ):
        errors["scope_relationship"] = (
            "Choose a relationship this organisation takes part in."
        )
    if (
        record.lead_auditor_id is not None
        and not organisation_auditors(organisation=organisation)
        .filter(pk=record.lead_auditor_id)
        .exists()
    ):
        errors["lead_auditor"] = (
            "The lead auditor must be a member of the organisation."
        )
    return errors


def _validate_planned_audit(planned_audit: PlannedAudit) -> None:
    planned_audit.full_clean()
    errors = _scope_and_auditor_errors(planned_audit, planned_audit.organisation)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def planned_audit_create(
    *,
    organisation: Organisation,
    values: dict[str, Any],
    created_by: AbstractBaseUser | None,
) -> PlannedAudit:
    """Add an audit to the organisation's programme."""
    _check_fields(values, PLANNED_AUDIT_FIELDS)
    planned_audit = PlannedAudit(organisation=organisation, created_by=created_by)
    for name, value in values.items():
        setattr(planned_audit, name, value)
    _validate_planned_audit(planned_audit)
    planned_audit._history_user = created_by
    planned_audit.save()
    return planned_audit


@transaction.atomic
def planned_audit_update(
    *,
    planned_audit: PlannedAudit,
    changes: dict[str, Any],
    expected_revision: int | None,
    updated_by: AbstractBaseUser | None,
) -> PlannedAudit:
    """Change a programme entry (reschedule, another auditor, cancel)."""
    _check_fields(changes, PLANNED_AUDIT_FIELDS)
    revision_claim(planned_audit, expected_revision=expected_revision)
    for name, value in changes.items():
        setattr(planned_audit, name, value)
    if (
        planned_audit.status != PlannedAuditStatus.DONE
        and InternalAudit.objects.filter(planned_audit=planned_audit).exists()
    ):
        raise ValidationError(
            {"status": "This audit has been carried out: its record says so."}
        )
    _validate_planned_audit(planned_audit)
    planned_audit._history_user = updated_by
    planned_audit.save()
    return planned_audit


def _validate_internal_audit(internal_audit: InternalAudit) -> None:
    internal_audit.full_clean()
    errors = _scope_and_auditor_errors(internal_audit, internal_audit.organisation)
    if internal_audit.performed_on > timezone.localdate():
        errors["performed_on"] = (
            "Record an audit once it has taken place; plan future ones in the "
            "programme."
        )
    planned = internal_audit.planned_audit
    if planned is not None and planned.organisation_id != (
        internal_audit.organisation_id
    ):
        errors["planned_audit"] = "Choose an audit of this organisation's programme."
    if errors:
        raise ValidationError(errors)


def _mark_planned_audit_done(
    planned_audit: PlannedAudit | None, user: AbstractBaseUser | None
) -> None:
    if planned_audit is None:
        return
    planned = PlannedAudit.objects.select_for_update().get(pk=planned_audit.pk)
    if planned.status == PlannedAuditStatus.DONE:
        return
    planned.status = PlannedAuditStatus.DONE
    planned.revision += 1
    planned._history_user = user
    planned.save()


@transaction.atomic
def internal_audit_record(
    *,
    organisation: Organisation,
    values: dict[str, Any],
    recorded_by: AbstractBaseUser | None,
) -> InternalAudit:
    """Record an audit performed; the programme entry it carries out is done."""
    _check_fields(values, INTERNAL_AUDIT_FIELDS)
    internal_audit = InternalAudit(organisation=organisation, recorded_by=recorded_by)
    for name, value in values.items():
        setattr(internal_audit, name, value)
    _validate_internal_audit(internal_audit)
    internal_audit._history_user = recorded_by
    internal_audit.save()
    _mark_planned_audit_done(internal_audit.planned_audit, recorded_by)
    return internal_audit


@transaction.atomic
def internal_audit_update(
    *,
    internal_audit: InternalAudit,
    changes: dict[str, Any],
    expected_revision: int | None,
    updated_by: AbstractBaseUser | None,
) -> InternalAudit:
    """Correct an audit record, unless it changed since the form was opened."""
    _check_fields(changes, INTERNAL_AUDIT_FIELDS)
    revision_claim(internal_audit, expected_revision=expected_revision)
    for name, value in changes.items():
        setattr(internal_audit, name, value)
    _validate_internal_audit(internal_audit)
    internal_audit._history_user = updated_by
    internal_audit.save()
    _mark_planned_audit_done(internal_audit.planned_audit, updated_by)
    return internal_audit
