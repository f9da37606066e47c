"""A relationship with something in every section of its audit pack, and ways to
read a pack's files back (pypdf, openpyxl)."""

import io
import re
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from pypdf import PdfReader

from assessments.services.reports import report_render
from assurance.models import AuditPack
from assurance.models.findings import CorrectiveActionStatus, FindingKind
from relationships.choices import PlanVersionStatus, Visibility
from relationships.models import DocumentRevision, Objective
from relationships.services.lifecycle import document_upload
from tests.assessments.factories_reports import finished_period
from tests.assurance.factories_assurance import (
    make_action,
    make_finding,
    make_internal_audit,
)
from tests.assurance.factories_reviews import joint_review, own_review, review_action
from tests.relationships.factories_plans import approve_by_all


@dataclass
class PackWorld:
    """What `stocked_relationship` made, for the tests to look for."""

    revision: DocumentRevision
    private_objective: Objective
    report_number: str


def stocked_relationship(world: Any) -> PackWorld:
    """The world's relationship with an approved plan, a rendered report, a
    finding with a verified and an open action (one raised by the lead's
    internal audit), a joint and an own review, a joint document's revision and
    a private objective of the partner."""
    report = finished_period(world)
    report_render(report_id=report.pk)
    report.refresh_from_db()
    # Signed off by both partners the way the app records it: each decision
    # holds the fingerprint of the content signed.
    plan_version = report.plan_version
    plan_version.status = PlanVersionStatus.SUBMITTED
    plan_version.save()
    approve_by_all(world, plan_version)
    audit = make_internal_audit(
        world.lead.organisation,
        lead_auditor=world.carol,
        title="Confidential audit of the lead",
    )
    finding = make_finding(
        relationship=world.relationship,
        kind=FindingKind.MAJOR_NONCONFORMITY,
        title="Exit plan never tested",
        clause="8.8",
        internal_audit=audit,
    )
    make_action(finding, owner=world.alice, status=CorrectiveActionStatus.VERIFIED)
    make_action(finding, owner=world.carol)
    review = joint_review(world, decisions="Keep the joint risk workshop quarterly.")
    review_action(review, description="Book the next workshop")
    own_review(world, partner=True, decisions="Partner's own confidential review")
    document = document_upload(
        relationship=world.relationship,
        user=world.alice,
        file=SimpleUploadedFile("charter.txt", b"Our joint charter, first issue."),
        title="Joint charter",
    )
    private_objective = Objective.objects.create(
        relationship=world.relationship,
        owner=world.partner,
        visibility=Visibility.PARTNER,
        title="Partner's secret margin target",
        horizon="short",
    )
    return PackWorld(
        revision=document.revisions.get(),
        private_objective=private_objective,
        report_number=report.number,
    )


def pdf_text(pack: AuditPack) -> str:
    with pack.pdf_file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # pypdf breaks long hex runs and spaces over lines: join them for lookups.
    return re.sub(r"\s+", " ", text)


def pdf_reader(pack: AuditPack) -> PdfReader:
    with pack.pdf_file.open("rb") as handle:
        return PdfReader(io.BytesIO(handle.read()))


def workbook_rows(pack: AuditPack) -> dict[str, list[tuple]]:
    with pack.xlsx_file.open("rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    return {
        sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in workbook.worksheets
    }
