"""Demo findings, corrective actions and internal audits (called by the demo
builder, relationships/demo.py): in Calder Engineering's supplier programme, a
nonconformity whose action was verified effective (closed), one whose action is
overdue, and an opportunity for improvement; in Calder's own management system,
an internal audit from its programme that raised a finding, and a planned audit
still to come. Like the rest of the demo, it creates what is missing and never
changes existing rows."""

from datetime import date, timedelta
from typing import Any, Protocol

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from assurance.models import CorrectiveAction, Finding, InternalAudit, PlannedAudit
from assurance.models.audits import PlannedAuditStatus
from assurance.models.findings import (
    CorrectiveActionStatus,
    FindingKind,
    FindingStatus,
    VerificationResult,
)
from principles.choices import PrincipleKey
from principles.models import LifecycleStage
from relationships.models import Organisation, Relationship

SUPPLIER_PROGRAMME = "lmsme-calder-suppliers"
CALDER = "calder-engineering"


class DemoResult(Protocol):
    def add(self, *, model: type[models.Model]) -> None: ...


def _get_or_create[ModelT: models.Model](
    model: type[ModelT],
    *,
    lookup: dict[str, Any],
    defaults: dict[str, Any],
    result: DemoResult,
) -> ModelT:
    existing = model._default_manager.filter(**lookup).first()
    if existing is not None:
        return existing
    instance = model(**lookup, **defaults)
    instance.full_clean()
    instance.save()
    result.add(model=model)
    return instance


def demo_findings_load(
    *,
    organisations: dict[str, Organisation],
    users: dict[str, AbstractUser],
    today: date,
    result: DemoResult,
) -> None:
    relationship = Relationship.objects.filter(reference=SUPPLIER_PROGRAMME).first()
    if relationship is None or CALDER not in organisations:
        return
    stages = {stage.number: stage for stage in LifecycleStage.objects.all()}
    _load_relationship_findings(
        relationship=relationship,
        users=users,
        stages=stages,
        today=today,
        result=result,
    )
    _load_internal_audits(
        organisation=organisations[CALDER],
        relationship=relationship,
        users=users,
        stages=stages,
        today=today,
        result=result,
    )


def _load_relationship_findings(
    *,
    relationship: Relationship,
    users: dict[str, AbstractUser],
    stages: dict[int, LifecycleStage],
    today: date,
    result: DemoResult,
) -> None:
    verified = _get_or_create(
        Finding,
        lookup={
            "relationship": relationship,
            "title": "Quarterly supplier reviews not minuted",
        },
        defaults={
            "kind": FindingKind.MINOR_NONCONFORMITY,
            "description": (
                "The joint reviews of the second quarter took place, but no minutes "
                "or decisions were recorded, so the follow-up actions could not be "
                "traced."
            ),
            "clause": "8.8",
            "stage": stages.get(7),
            "principle_key": PrincipleKey.GOVERNANCE_PROCESSES,
            "evidence": "Meeting invitations for April and June; no minutes filed.",
            "raised_by": users["fiona.calder"],
            "raised_on": today - timedelta(days=95),
            "status": FindingStatus.CLOSED,
            "closed_at": timezone.now() - timedelta(days=10),
            "closed_by": users["mark.calder"],
        },
        result=result,
    )
    _get_or_create(
        CorrectiveAction,
        lookup={"finding": verified, "owner": users["sam.wren"]},
        defaults={
            "root_cause": "Nobody was named to keep the minutes of the reviews.",
            "action": "Name a minute-taker in each review's invitation and file the "
            "minutes in the relationship's documents within a week.",
            "due_date": today - timedelta(days=60),
            "status": CorrectiveActionStatus.VERIFIED,
            "completed_on": today - timedelta(days=62),
            "completion_note": "Minute-taker named for the July review onwards.",
            "verified_by": users["mark.calder"],
            "verified_on": today - timedelta(days=10),
            "verification_result": VerificationResult.EFFECTIVE,
            "verification_notes": "Minutes of the last two reviews filed on time.",
            "created_by": users["fiona.calder"],
        },
        result=result,
    )
    overdue = _get_or_create(
        Finding,
        lookup={
            "relationship": relationship,
            "title": "Exit arrangements not reviewed after the contract renewal",
        },
        defaults={
            "kind": FindingKind.MINOR_NONCONFORMITY,
            "description": (
                "The supply contract was renewed with new volumes, but the joint "
                "exit strategy still describes the old ones."
            ),
            "clause": "8.9",
            "stage": stages.get(8),
            "principle_key": PrincipleKey.EXIT_STRATEGY,
            "evidence": "Exit strategy section of the approved plan; renewed contract.",
            "raised_by": users["mark.calder"],
            "raised_on": today - timedelta(days=40),
        },
        result=result,
    )
    _get_or_create(
        CorrectiveAction,
        lookup={"finding": overdue, "owner": users["lucy.wren"]},
        defaults={
            "root_cause": "The exit strategy is not on the checklist for a renewal.",
            "action": "Review the exit strategy with the new volumes, and add it to "
            "the renewal checklist.",
            "due_date": today - timedelta(days=7),
            "created_by": users["mark.calder"],
        },
        result=result,
    )
    _get_or_create(
        Finding,
        lookup={
            "relationship": relationship,
            "title": "Share the supplier scorecards before each review",
        },
        defaults={
            "kind": FindingKind.IMPROVEMENT,
            "description": (
                "Suppliers see their scorecard for the first time in the review "
                "itself; sending it a week ahead would leave time to prepare."
            ),
            "principle_key": PrincipleKey.KNOWLEDGE_SHARING,
            "raised_by": users["sam.wren"],
            "raised_on": today - timedelta(days=20),
        },
        result=result,
    )


def _load_internal_audits(
    *,
    organisation: Organisation,
    relationship: Relationship,
    users: dict[str, AbstractUser],
    stages: dict[int, LifecycleStage],
    today: date,
    result: DemoResult,
) -> None:
    carried_out = _get_or_create(
        PlannedAudit,
        lookup={"organisation": organisation, "title": "Partner selection (8.5)"},
        defaults={
            "scope": "How suppliers were evaluated and chosen for the programme.",
            "scope_clause": "8.5",
            "scope_stage": stages.get(4),
            "planned_for": today - timedelta(days=30),
            "lead_auditor": users["raj.calder"],
            "status": PlannedAuditStatus.DONE,
            "created_by": users["claire.calder"],
        },
        result=result,
    )
    _get_or_create(
        PlannedAudit,
        lookup={
            "organisation": organisation,
            "title": "Staying together in the supplier programme (8.8)",
        },
        defaults={
            "scope": "Joint reviews, their minutes and the follow-up of actions.",
            "scope_relationship": relationship,
            "scope_clause": "8.8",
            "scope_stage": stages.get(7),
            "planned_for": today + timedelta(days=60),
            "lead_auditor": users["raj.calder"],
            "created_by": users["claire.calder"],
        },
        result=result,
    )
    audit = _get_or_create(
        InternalAudit,
        lookup={"organisation": organisation, "planned_audit": carried_out},
        defaults={
            "title": "Partner selection (8.5)",
            "scope": carried_out.scope,
            "scope_clause": "8.5",
            "scope_stage": stages.get(4),
            "criteria": "ISO 44001 clause 8.5; Calder's supplier selection procedure.",
            "lead_auditor": users["raj.calder"],
            "audit_team": "An auditor from Calder's quality team",
            "performed_on": today - timedelta(days=25),
            "summary": (
                "Sampled the selection records of the three suppliers in the "
                "programme and interviewed the supplier partnership manager."
            ),
            "conclusion": (
                "Suppliers are chosen against agreed criteria, but the evaluation "
                "of one supplier was not recorded."
            ),
            "recorded_by": users["raj.calder"],
        },
        result=result,
    )
    finding = _get_or_create(
        Finding,
        lookup={"organisation": organisation, "internal_audit": audit},
        defaults={
            "kind": FindingKind.MINOR_NONCONFORMITY,
            "title": "Evaluation of one supplier not recorded",
            "description": (
                "The selection criteria were applied to every supplier, but for "
                "one of them no record of the evaluation was kept."
            ),
            "clause": "8.5",
            "stage": stages.get(4),
            "evidence": "Selection file of the programme; interview notes.",
            "raised_by": users["raj.calder"],
            "raised_on": audit.performed_on,
        },
        result=result,
    )
    _get_or_create(
        CorrectiveAction,
        lookup={"finding": finding, "owner": users["claire.calder"]},
        defaults={
            "root_cause": "The selection form was optional for returning suppliers.",
            "action": "Make the evaluation form required for every supplier, and "
            "record the missing evaluation.",
            "due_date": today + timedelta(days=21),
            "created_by": users["raj.calder"],
        },
        result=result,
    )
