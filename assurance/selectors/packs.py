"""Reads for audit packs: the packs of a scope, one pack for a reader, and the
content of a pack.

Who reads a pack is who reads its scope, whoever asked for it: a relationship's
pack is read by everyone who sees the relationship (its partners, their
auditors, external auditors granted it), an organisation's by those who read
its management-system records (`organisations_with_records_readable_by`). So
the content never depends on the requester, only on the scope:

- a relationship's pack holds joint records only, as a report does, and counts
  the partner-private ones it leaves out; a partner's own management reviews of
  the relationship and its internal audit records are that partner's, so the
  pack names neither (a finding says only that a partner's internal audit
  raised it, as the finding's page does), and they are in that partner's own
  pack;
- an organisation's pack holds its own records (lifecycle records, audit
  programme and records, findings, management reviews) and lists the
  relationships its system covers with their latest report numbers.
"""

import datetime
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from assessments.choices import AssessmentKind, AssessmentStatus, ReportStatus
from assessments.models import Assessment, PrincipleRating, Report
from assessments.selectors.report_as_at import (
    ChecklistStage,
    lifecycle_checklist_as_at,
)
from assessments.selectors.report_sections import (
    EvidenceEntry,
    PlanContentSection,
    evidence_index,
    plan_content,
)
from assessments.selectors.reports import (
    PartnerLine,
    SignOff,
    partner_line,
    plan_sign_offs,
    private_records_left_out,
)
from assurance.models import (
    AuditPack,
    CorrectiveAction,
    Finding,
    InternalAudit,
    ManagementReview,
    PlannedAudit,
)
from assurance.selectors.audits import (
    audit_programme_for_organisation,
    internal_audits_for_organisation,
)
from assurance.selectors.findings import (
    FindingScope,
    FindingsSummary,
    corrective_actions_of,
    finding_scope_for_user,
    findings_for_organisation,
    findings_for_relationship,
    findings_summary,
)
from assurance.selectors.organisation_records import (
    StageRow,
    organisation_stage_rows,
)
from relationships.access import AnyUser, visible_records
from relationships.models import (
    Action,
    DocumentRevision,
    Objective,
    Organisation,
    PlanVersion,
    Relationship,
    Risk,
)
from relationships.selectors.documents import evidence_revisions_for_relationship
from relationships.selectors.plans import plan_version_in_force_at

# How many of the latest reports a relationship's pack summarises.
LATEST_REPORTS = 4


# --- packs of a scope -----------------------------------------------------------


def audit_packs_of(*, scope: FindingScope) -> QuerySet[AuditPack]:
    """The scope's packs, newest first (the caller authorised the scope)."""
    return AuditPack.objects.filter(scope.filter()).select_related(
        "relationship", "organisation", "requested_by"
    )


def audit_pack_get_for_user(
    *, user: AnyUser, pk: int, reference: str | None = None, slug: str | None = None
) -> tuple[FindingScope, AuditPack]:
    """A pack the user may read, through its scope's rule: else Http404."""
    scope = finding_scope_for_user(user=user, reference=reference, slug=slug)
    pack = audit_packs_of(scope=scope).filter(pk=pk).first()
    if pack is None:
        raise Http404("No such audit pack.")
    return scope, pack


def audit_packs_stuck(
    *, now: datetime.datetime, stale_after: datetime.timedelta
) -> QuerySet[AuditPack]:
    """Packs whose task seems lost: queued for two minutes, or running past the
    stale limit."""
    return AuditPack.objects.filter(
        status=ReportStatus.QUEUED,
        created_at__lt=now - datetime.timedelta(minutes=2),
    ) | AuditPack.objects.filter(
        status=ReportStatus.RUNNING, started_at__lt=now - stale_after
    )


# --- a relationship's pack ---------------------------------------------------------


@dataclass(frozen=True)
class ReportSummary:
    """One of the latest reports, as the pack lists it."""

    report: Report
    joint_average: float | None
    rag_counts: dict[str, int]


@dataclass(frozen=True)
class AuditTrace:
    """An internal audit (a partner's own record, so unnamed) and the findings
    it raised on the relationship."""

    findings: list[Finding]


@dataclass(frozen=True)
class Registers:
    """The joint registers as they stand, for the XLSX."""

    objectives: list[Objective]
    risks: list[Risk]
    actions: list[Action]


@dataclass
class RelationshipPackData:
    """Everything a relationship's audit pack shows: joint records only."""

    relationship: Relationship
    as_at: datetime.datetime
    partners: list[PartnerLine]
    plan_version: PlanVersion | None
    plan_depth: str
    plan_sections: list[PlanContentSection]
    sign_offs: list[SignOff]
    checklist: list[ChecklistStage]
    joint_assessment: Assessment | None
    evidence: list[EvidenceEntry]
    reports: list[ReportSummary]
    findings: list[Finding]
    findings_summary: FindingsSummary
    corrective_actions: list[CorrectiveAction]
    audits: list[AuditTrace]
    reviews: list[ManagementReview]
    own_reviews_left_out: int
    revisions: list[DocumentRevision]
    registers: Registers
    private_records_left_out: int
    fingerprint: str = ""

    @property
    def sign_offs_matching(self) -> int:
        return sum(1 for sign_off in self.sign_offs if not sign_off.stale)


def _latest_joint(relationship: Relationship) -> Assessment | None:
    return (
        Assessment.objects.filter(
            relationship=relationship,
            kind=AssessmentKind.JOINT,
            status=AssessmentStatus.FINAL,
        )
        .order_by("-period_start")
        .first()
    )


def _latest_reports(relationship: Relationship) -> list[ReportSummary]:
    """The newest done issue of the latest periods, with each period's joint
    levels (its average, and how many principles are green, amber, red)."""
    latest: dict[tuple, Report] = {}
    for report in (
        Report.objects.filter(relationship=relationship, status=ReportStatus.DONE)
        .select_related("plan_version", "supersedes")
        .order_by("-period_start", "-issue")
    ):
        key = (report.period_start, report.period_end)
        if key in latest:
            continue  # an older issue of a period already listed
        if len(latest) == LATEST_REPORTS:
            break
        latest[key] = report
    reports = list(latest.values())
    ratings: dict[tuple, list[PrincipleRating]] = defaultdict(list)
    for rating in PrincipleRating.objects.filter(
        assessment__relationship=relationship,
        assessment__kind=AssessmentKind.JOINT,
        assessment__status=AssessmentStatus.FINAL,
        assessment__period_start__in=[report.period_start for report in reports],
    ).select_related("assessment"):
        period = (rating.assessment.period_start, rating.assessment.period_end)
        ratings[period].append(rating)
    summaries = []
    for report in reports:
        rows = ratings[(report.period_start, report.period_end)]
        counts = {"green": 0, "amber": 0, "red": 0}
        for rating in rows:
            counts[rating.rag] += 1
        summaries.append(
            ReportSummary(
                report=report,
                joint_average=(
                    sum(rating.level for rating in rows) / len(rows) if rows else None
                ),
                rag_counts=counts,
            )
        )
    return summaries


def _audit_traces(findings: list[Finding]) -> list[AuditTrace]:
    by_audit: dict[int, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.internal_audit_id is not None:
            by_audit[finding.internal_audit_id].append(finding)
    return [AuditTrace(findings=rows) for rows in by_audit.values()]


def _joint(model: type, relationship: Relationship) -> QuerySet:
    return model.objects.filter(visible_records(None, model), relationship=relationship)


def _registers(relationship: Relationship) -> Registers:
    return Registers(
        objectives=list(
            _joint(Objective, relationship)
            .select_related("owner__organisation")
            .order_by("title", "pk")
        ),
        risks=list(
            _joint(Risk, relationship).select_related("owner").order_by("title", "pk")
        ),
        actions=list(
            _joint(Action, relationship)
            .select_related("owner", "risk")
            .order_by("due_date", "title", "pk")
        ),
    )


def relationship_pack_data(
    *, relationship: Relationship, now: datetime.datetime | None = None
) -> RelationshipPackData:
    """A relationship's pack as it stands at `now`: the plan approved then with
    its sign-offs, the lifecycle checklist and evidence, the latest reports,
    findings and corrective actions, joint reviews, evidence revisions."""
    now = now or timezone.now()
    relationship = (
        Relationship.objects.select_related("stage").filter(pk=relationship.pk).get()
    )
    plan_version = plan_version_in_force_at(relationship=relationship, moment=now)
    depth, sections = plan_content(plan_version=plan_version, relationship=relationship)
    joint = _latest_joint(relationship)
    finding_rows = findings_for_relationship(relationship=relationship)
    findings = list(finding_rows)
    reviews = ManagementReview.objects.filter(relationship=relationship)
    data = RelationshipPackData(
        relationship=relationship,
        as_at=now,
        partners=[
            partner_line(partnership)
            for partnership in relationship.partnerships.select_related(
                "organisation", "relationship_manager", "senior_executive"
            ).order_by("role", "organisation__name")
        ],
        plan_version=plan_version,
        plan_depth=depth,
        plan_sections=sections,
        sign_offs=plan_sign_offs(plan_version, relationship),
        checklist=lifecycle_checklist_as_at(
            relationship=relationship, moment=now, stage_then=relationship.stage
        ),
        joint_assessment=joint,
        evidence=evidence_index(relationship=relationship, joint=joint),
        reports=_latest_reports(relationship),
        findings=findings,
        findings_summary=findings_summary(finding_rows),
        corrective_actions=list(corrective_actions_of(finding_rows)),
        audits=_audit_traces(findings),
        reviews=list(
            reviews.filter(is_joint=True)
            .select_related("chair")
            .prefetch_related("actions__owner", "attendees")
            .order_by("-held_on", "-pk")
        ),
        own_reviews_left_out=reviews.filter(is_joint=False).count(),
        revisions=evidence_revisions_for_relationship(
            user=None, relationship=relationship
        ),
        registers=_registers(relationship),
        private_records_left_out=private_records_left_out(relationship),
    )
    data.fingerprint = _fingerprint(_relationship_digest_rows(data))
    return data


def _relationship_digest_rows(data: RelationshipPackData) -> list[Any]:
    return [
        ["relationship", data.relationship.pk, data.relationship.title],
        ["stage", data.relationship.stage_id],
        ["plan", data.plan_version.pk if data.plan_version else None],
        ["sign_offs", [[s.partner, s.state, s.fingerprint] for s in data.sign_offs]],
        ["checklist", [[line.status for line in row.lines] for row in data.checklist]],
        ["reports", [summary.report.sha256 for summary in data.reports]],
        ["findings", [[f.pk, f.revision, f.status] for f in data.findings]],
        ["actions", [[a.pk, a.revision, a.status] for a in data.corrective_actions]],
        ["reviews", [[r.pk, r.revision] for r in data.reviews]],
        ["revisions", [revision.sha256 for revision in data.revisions]],
        *_register_digest_rows(data.registers),
    ]


def _register_digest_rows(registers: Registers) -> list[Any]:
    return [
        [kind, [[row.pk, row.revision] for row in rows]]
        for kind, rows in (
            ("objectives", registers.objectives),
            ("risks", registers.risks),
            ("actions", registers.actions),
        )
    ]


def _fingerprint(rows: list[Any]) -> str:
    return hashlib.sha256(
        json.dumps(rows, sort_keys=True, default=str).encode()
    ).hexdigest()


# --- an organisation's pack --------------------------------------------------------


@dataclass(frozen=True)
class CoveredRelationship:
    """A relationship the organisation's management system covers."""

    relationship: Relationship
    role: str
    latest_report: Report | None


@dataclass
class OrganisationPackData:
    """Everything an organisation's pack shows: its own records."""

    organisation: Organisation
    as_at: datetime.datetime
    stage_rows: list[StageRow]
    programme: list[PlannedAudit]
    audits: list[InternalAudit]
    findings: list[Finding]
    findings_summary: FindingsSummary
    corrective_actions: list[CorrectiveAction]
    reviews: list[ManagementReview]
    relationships: list[CoveredRelationship]
    fingerprint: str = field(default="")


def _covered_relationships(organisation: Organisation) -> list[CoveredRelationship]:
    partnerships = list(
        organisation.partnerships.select_related("relationship__stage").order_by(
            "relationship__title"
        )
    )
    latest: dict[int, Report] = {}
    for report in Report.objects.filter(
        relationship_id__in=[p.relationship_id for p in partnerships],
        status=ReportStatus.DONE,
    ).order_by("relationship_id", "period_start", "issue"):
        latest[report.relationship_id] = report
    return [
        CoveredRelationship(
            relationship=partnership.relationship,
            role=partnership.get_role_display(),
            latest_report=latest.get(partnership.relationship_id),
        )
        for partnership in partnerships
    ]


def organisation_pack_data(
    *, organisation: Organisation, now: datetime.datetime | None = None
) -> OrganisationPackData:
    """An organisation's pack as it stands at `now`: its own lifecycle records,
    audit programme and records, findings, management reviews, relationships."""
    now = now or timezone.now()
    finding_rows = findings_for_organisation(organisation=organisation)
    data = OrganisationPackData(
        organisation=organisation,
        as_at=now,
        stage_rows=organisation_stage_rows(organisation=organisation),
        programme=list(audit_programme_for_organisation(organisation=organisation)),
        audits=list(
            internal_audits_for_organisation(organisation=organisation).order_by(
                "-performed_on", "-pk"
            )
        ),
        findings=list(finding_rows),
        findings_summary=findings_summary(finding_rows),
        corrective_actions=list(corrective_actions_of(finding_rows)),
        reviews=list(
            ManagementReview.objects.filter(organisation=organisation, is_joint=False)
            .select_related("relationship", "chair")
            .prefetch_related("actions__owner", "attendees")
            .order_by("-held_on", "-pk")
        ),
        relationships=_covered_relationships(organisation),
    )
    data.fingerprint = _fingerprint(_organisation_digest_rows(data))
    return data


def _organisation_digest_rows(data: OrganisationPackData) -> list[Any]:
    def versions(rows: list) -> list[list[int]]:
        return [[row.pk, row.revision] for row in rows]

    return [
        ["organisation", data.organisation.pk, data.organisation.name],
        ["stages", versions([row.record for row in data.stage_rows if row.record])],
        ["programme", versions(data.programme)],
        ["audits", versions(data.audits)],
        ["findings", versions(data.findings)],
        ["actions", versions(data.corrective_actions)],
        ["reviews", versions(data.reviews)],
        [
            "relationships",
            [
                [covered.relationship.pk, getattr(covered.latest_report, "sha256", "")]
                for covered in data.relationships
            ],
        ],
    ]
