"""Findings, corrective actions and audits for the assurance tests, written
straight to the database (the services are what the tests exercise)."""

import datetime
from typing import Any

from django.utils import timezone

from assurance.models import CorrectiveAction, Finding, InternalAudit, PlannedAudit
from assurance.models.findings import (
    CorrectiveActionStatus,
    FindingKind,
    VerificationResult,
)


def make_finding(
    *,
    relationship: Any = None,
    organisation: Any = None,
    kind: str = FindingKind.MINOR_NONCONFORMITY,
    title: str = "Minutes not kept",
    **values: Any,
) -> Finding:
    return Finding.objects.create(
        relationship=relationship,
        organisation=organisation,
        kind=kind,
        title=title,
        description="The joint team's meetings of spring have no minutes.",
        **values,
    )


def make_action(
    finding: Finding,
    *,
    owner: Any,
    due_date: datetime.date | None = None,
    status: str = CorrectiveActionStatus.OPEN,
    **values: Any,
) -> CorrectiveAction:
    today = timezone.localdate()
    if status != CorrectiveActionStatus.OPEN:
        values.setdefault("completed_on", today)
    if status == CorrectiveActionStatus.VERIFIED:
        values.setdefault("verified_on", today)
        values.setdefault("verification_result", VerificationResult.EFFECTIVE)
    return CorrectiveAction.objects.create(
        finding=finding,
        root_cause="Nobody was asked to keep them.",
        action="Name a minute-taker for every meeting.",
        owner=owner,
        due_date=due_date or today + datetime.timedelta(days=30),
        status=status,
        **values,
    )


def make_planned_audit(organisation: Any, **values: Any) -> PlannedAudit:
    values.setdefault("planned_for", timezone.localdate() + datetime.timedelta(days=60))
    return PlannedAudit.objects.create(
        organisation=organisation,
        title=values.pop("title", "Audit of clause 8.6"),
        scope="How joint plans are agreed and kept.",
        **values,
    )


def make_internal_audit(
    organisation: Any, *, lead_auditor: Any, **values: Any
) -> InternalAudit:
    return InternalAudit.objects.create(
        organisation=organisation,
        title=values.pop("title", "Spring internal audit"),
        scope="The joint management team's records.",
        criteria="ISO 44001 clause 8.6; our procedure P-4.",
        lead_auditor=lead_auditor,
        performed_on=values.pop(
            "performed_on", timezone.localdate() - datetime.timedelta(days=3)
        ),
        summary="Records sampled for three meetings.",
        conclusion="The system works, with one lapse.",
        **values,
    )
