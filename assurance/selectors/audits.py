"""Reads of an organisation's internal audit programme and audit records.

The organisation comes from `organisation_get_for_records` (or its editing
twin); the functions taking an organisation trust the caller to have
authorised it, as a management review or an audit pack does.
"""

import datetime

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from assurance.models import Finding, InternalAudit, PlannedAudit
from assurance.models.audits import PlannedAuditStatus
from assurance.models.findings import NONCONFORMITY_KINDS, FindingStatus
from relationships.access import (
    AnyUser,
    organisation_get_for_record_editing,
    organisation_get_for_records,
)
from relationships.models import Organisation


def audit_programme_for_organisation(
    *,
    organisation: Organisation,
    planned_from: datetime.date | None = None,
    planned_until: datetime.date | None = None,
) -> QuerySet[PlannedAudit]:
    """The organisation's programme, soonest first, each entry with its record
    (`audit`) when it was carried out."""
    planned = PlannedAudit.objects.filter(organisation=organisation)
    if planned_from is not None:
        planned = planned.filter(planned_for__gte=planned_from)
    if planned_until is not None:
        planned = planned.filter(planned_for__lte=planned_until)
    return planned.select_related(
        "lead_auditor", "scope_relationship", "scope_stage", "audit"
    ).order_by("planned_for", "id")


def internal_audits_for_organisation(
    *,
    organisation: Organisation,
    performed_from: datetime.date | None = None,
    performed_until: datetime.date | None = None,
) -> QuerySet[InternalAudit]:
    """The organisation's audit records, latest first, each with the number of
    findings it raised (`findings_total`, of them `nonconformities` and
    `findings_open`): the audit results a management review looks at."""
    audits = InternalAudit.objects.filter(organisation=organisation)
    if performed_from is not None:
        audits = audits.filter(performed_on__gte=performed_from)
    if performed_until is not None:
        audits = audits.filter(performed_on__lte=performed_until)
    return audits.select_related(
        "lead_auditor", "scope_relationship", "scope_stage", "planned_audit"
    ).annotate(
        findings_total=Count("findings", distinct=True),
        nonconformities=Count(
            "findings",
            filter=Q(findings__kind__in=NONCONFORMITY_KINDS),
            distinct=True,
        ),
        findings_open=Count(
            "findings", filter=Q(findings__status=FindingStatus.OPEN), distinct=True
        ),
    )


def planned_audits_overdue(*, organisation: Organisation, today: datetime.date) -> int:
    """Programme entries whose date has passed with no audit recorded."""
    return PlannedAudit.objects.filter(
        organisation=organisation,
        status=PlannedAuditStatus.PLANNED,
        planned_for__lt=today,
    ).count()


def planned_audit_get_for_editing(
    *, user: AnyUser, slug: str, pk: int
) -> tuple[Organisation, PlannedAudit]:
    organisation = organisation_get_for_record_editing(user=user, slug=slug)
    planned_audit = PlannedAudit.objects.filter(
        organisation=organisation, pk=pk
    ).first()
    if planned_audit is None:
        raise Http404("No such planned audit.")
    return organisation, planned_audit


def _internal_audit_in(organisation: Organisation, pk: int) -> InternalAudit:
    internal_audit = (
        InternalAudit.objects.filter(organisation=organisation, pk=pk)
        .select_related(
            "lead_auditor",
            "scope_relationship",
            "scope_stage",
            "planned_audit",
            "recorded_by",
        )
        .first()
    )
    if internal_audit is None:
        raise Http404("No such audit.")
    return internal_audit


def internal_audit_get_for_user(
    *, user: AnyUser, slug: str, pk: int
) -> tuple[Organisation, InternalAudit]:
    organisation = organisation_get_for_records(user=user, slug=slug)
    return organisation, _internal_audit_in(organisation, pk)


def internal_audit_get_for_editing(
    *, user: AnyUser, slug: str, pk: int
) -> tuple[Organisation, InternalAudit]:
    organisation = organisation_get_for_record_editing(user=user, slug=slug)
    return organisation, _internal_audit_in(organisation, pk)


def internal_audit_findings(*, internal_audit: InternalAudit) -> QuerySet[Finding]:
    """The findings an audit raised, whether against the organisation's own
    system or a relationship it looked at."""
    return (
        Finding.objects.filter(internal_audit=internal_audit)
        .select_related("relationship", "organisation", "stage")
        .order_by("kind", "title")
    )


def planned_audit_choices(*, organisation: Organisation) -> QuerySet[PlannedAudit]:
    """Programme entries an audit record may carry out: those not yet done."""
    return PlannedAudit.objects.filter(
        organisation=organisation, status=PlannedAuditStatus.PLANNED
    ).order_by("planned_for")
