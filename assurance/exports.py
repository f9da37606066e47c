"""An audit pack's registers as an XLSX workbook: one sheet per register, made
in the same task as the pack's PDF from the same data."""

import datetime
import io
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from assessments.exports import table_sheet
from assurance.models import AuditPack, CorrectiveAction, Finding
from assurance.selectors.packs import OrganisationPackData, RelationshipPackData
from relationships.models import DocumentRevision
from relationships.selectors.plans import person_name


def _person(user: Any) -> str:
    return person_name(user) if user is not None else ""


def _moment(value: datetime.datetime | None) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


FINDING_COLUMNS = [
    ("Finding", 9),
    ("Kind", 22),
    ("Title", 40),
    ("Clause", 10),
    ("Stage", 18),
    ("Status", 9),
    ("Raised on", 11),
    ("Raised by", 18),
    ("Corrective actions", 11),
    ("Open", 7),
    ("Verified effective", 10),
    ("Closed", 16),
]
ACTION_COLUMNS = [
    ("Finding", 9),
    ("Root cause", 40),
    ("Action", 40),
    ("Owner", 18),
    ("Due", 11),
    ("Status", 12),
    ("Overdue", 8),
    ("Completed on", 11),
    ("Verified by", 18),
    ("Verified on", 11),
    ("Result", 12),
]
REVISION_COLUMNS = [
    ("Document", 36),
    ("Revision", 9),
    ("Current", 8),
    ("SHA-256", 66),
    ("Media type", 20),
    ("Size (bytes)", 12),
    ("Uploaded by", 18),
    ("Uploaded at", 16),
    ("Change note", 40),
]


def _finding_rows(findings: list[Finding]) -> list[list[Any]]:
    return [
        [
            f"F-{finding.pk}",
            finding.get_kind_display(),
            finding.title,
            finding.clause,
            finding.stage.name if finding.stage_id else "",
            finding.get_status_display(),
            finding.raised_on,
            _person(finding.raised_by),
            finding.actions_total,
            finding.actions_open,
            finding.actions_effective,
            _moment(finding.closed_at),
        ]
        for finding in findings
    ]


def _action_rows(actions: list[CorrectiveAction]) -> list[list[Any]]:
    return [
        [
            f"F-{action.finding_id}",
            action.root_cause,
            action.action,
            _person(action.owner),
            action.due_date,
            action.get_status_display(),
            "yes" if action.is_overdue else "",
            action.completed_on,
            _person(action.verified_by),
            action.verified_on,
            action.get_verification_result_display(),
        ]
        for action in actions
    ]


def _revision_rows(revisions: list[DocumentRevision]) -> list[list[Any]]:
    return [
        [
            revision.document.title,
            revision.number,
            "yes" if revision.is_current else "",
            revision.sha256,
            revision.content_type,
            revision.size_bytes,
            _person(revision.uploaded_by),
            _moment(revision.uploaded_at),
            revision.change_note,
        ]
        for revision in revisions
    ]


def _cover(workbook: Workbook, *, pack: AuditPack, lines: list[tuple[str, Any]]):
    sheet = workbook.active
    sheet.title = "Pack"
    sheet.cell(row=1, column=1, value="Partnerplan audit pack").font = Font(
        bold=True, size=14
    )
    rows = [
        ("Pack number", pack.number),
        ("Scope", pack.scope_label),
        *lines,
        ("Made", _moment(timezone.now())),
    ]
    for offset, (label, value) in enumerate(rows, start=2):
        sheet.cell(row=offset, column=1, value=label).font = Font(bold=True)
        cell = sheet.cell(row=offset, column=2, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # a user's text is never a formula
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 70


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def relationship_pack_workbook(*, pack: AuditPack, data: RelationshipPackData) -> bytes:
    """Objectives, risks, actions (joint ones), findings, corrective actions and
    evidence revisions, one sheet each."""
    workbook = Workbook()
    _cover(
        workbook,
        pack=pack,
        lines=[
            (
                "Relationship",
                f"{data.relationship.title} ({data.relationship.reference})",
            ),
            ("Records", "Joint records only; partner-private ones are left out."),
            ("Private records left out", data.private_records_left_out),
            ("Data fingerprint", data.fingerprint),
        ],
    )
    registers = data.registers
    table_sheet(
        workbook,
        title="Objectives",
        columns=[
            ("Objective", 40),
            ("Horizon", 12),
            ("Status", 14),
            ("Milestone", 11),
            ("KPI", 24),
            ("Owner", 18),
        ],
        rows=[
            [
                o.title,
                o.get_horizon_display(),
                o.get_status_display(),
                o.milestone_date,
                o.kpi_name,
                o.owner.organisation.name if o.owner_id else "Common",
            ]
            for o in registers.objectives
        ],
    )
    table_sheet(
        workbook,
        title="Risks",
        columns=[
            ("Risk", 40),
            ("Likelihood", 10),
            ("Impact", 8),
            ("Score", 7),
            ("Status", 12),
            ("Owner", 18),
            ("Review date", 11),
            ("Mitigation", 40),
        ],
        rows=[
            [
                r.title,
                r.likelihood,
                r.impact,
                r.score,
                r.get_status_display(),
                _person(r.owner),
                r.review_date,
                r.mitigation,
            ]
            for r in registers.risks
        ],
    )
    table_sheet(
        workbook,
        title="Actions",
        columns=[
            ("Action", 40),
            ("Status", 12),
            ("Due", 11),
            ("Owner", 18),
            ("Source", 16),
            ("Risk", 30),
            ("Completed", 16),
        ],
        rows=[
            [
                a.title,
                a.get_status_display(),
                a.due_date,
                _person(a.owner),
                a.get_source_display(),
                a.risk.title if a.risk_id and a.risk else "",
                _moment(a.completed_at),
            ]
            for a in registers.actions
        ],
    )
    _assurance_sheets(workbook, data.findings, data.corrective_actions)
    table_sheet(
        workbook,
        title="Evidence revisions",
        columns=REVISION_COLUMNS,
        rows=_revision_rows(data.revisions),
    )
    return _save(workbook)


def _assurance_sheets(
    workbook: Workbook, findings: list[Finding], actions: list[CorrectiveAction]
) -> None:
    table_sheet(
        workbook,
        title="Findings",
        columns=FINDING_COLUMNS,
        rows=_finding_rows(findings),
    )
    table_sheet(
        workbook,
        title="Corrective actions",
        columns=ACTION_COLUMNS,
        rows=_action_rows(actions),
    )


def organisation_pack_workbook(*, pack: AuditPack, data: OrganisationPackData) -> bytes:
    """Findings, corrective actions, the audit programme, audit records,
    management reviews and their actions, one sheet each."""
    workbook = Workbook()
    _cover(
        workbook,
        pack=pack,
        lines=[
            ("Organisation", data.organisation.name),
            ("Data fingerprint", data.fingerprint),
        ],
    )
    _assurance_sheets(workbook, data.findings, data.corrective_actions)
    table_sheet(
        workbook,
        title="Audit programme",
        columns=[
            ("Planned audit", 40),
            ("Planned for", 11),
            ("Lead auditor", 18),
            ("Status", 12),
            ("Scope", 40),
        ],
        rows=[
            [
                p.title,
                p.planned_for,
                _person(p.lead_auditor),
                p.get_status_display(),
                p.scope,
            ]
            for p in data.programme
        ],
    )
    table_sheet(
        workbook,
        title="Internal audits",
        columns=[
            ("Audit", 40),
            ("Performed on", 11),
            ("Lead auditor", 18),
            ("Findings", 9),
            ("Nonconformities", 9),
            ("Open", 7),
            ("Conclusion", 50),
        ],
        rows=[
            [
                a.title,
                a.performed_on,
                _person(a.lead_auditor),
                a.findings_total,
                a.nonconformities,
                a.findings_open,
                a.conclusion,
            ]
            for a in data.audits
        ],
    )
    table_sheet(
        workbook,
        title="Review actions",
        columns=[
            ("Review held on", 11),
            ("Subject", 30),
            ("Action", 50),
            ("Owner", 18),
            ("Due", 11),
            ("Status", 12),
        ],
        rows=[
            [
                review.held_on,
                review.subject,
                action.description,
                _person(action.owner),
                action.due_date,
                action.get_status_display(),
            ]
            for review in data.reviews
            for action in review.actions.all()
        ],
    )
    return _save(workbook)
