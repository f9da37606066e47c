"""Audit packs: the model's rules, rendering (the PDF and XLSX read back),
immutability, failure and retry."""

import datetime
import hashlib
import re
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from assessments.render_jobs import RenderOutcome
from assurance.models import AuditPack, AuditPackStatus
from assurance.selectors.findings import FindingScope
from assurance.services import packs as pack_services
from assurance.services.packs import (
    PACK_RESEND_SCHEDULE_NAME,
    STALE_AFTER,
    audit_pack_render,
    audit_pack_request,
    audit_pack_retry,
    audit_packs_requeue_stuck,
)
from tests.assessments.test_reports_pdf_archival import _structure_elements
from tests.assurance.factories_assurance import (
    make_action,
    make_finding,
    make_internal_audit,
    make_planned_audit,
)
from tests.assurance.factories_packs import (
    pdf_reader,
    pdf_text,
    stocked_relationship,
    workbook_rows,
)
from tests.assurance.factories_reviews import own_review, stage_record
from tests.assurance.specs_packs import stored_pack

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _request(scope: FindingScope, user, capture) -> AuditPack:
    with capture(execute=False):
        return audit_pack_request(scope=scope, user=user)


def _rendered(world, capture, **scope) -> AuditPack:
    pack = _request(FindingScope(**scope), world.alice, capture)
    assert audit_pack_render(pack_id=pack.pk) == RenderOutcome.DONE
    pack.refresh_from_db()
    return pack


# --- the model ----------------------------------------------------------------------


def test_a_pack_is_of_a_relationship_or_an_organisation_never_both(world) -> None:
    both = AuditPack(
        relationship=world.relationship,
        organisation=world.lead.organisation,
        sequence=1,
        number="X-AP-001",
    )
    with pytest.raises(ValidationError, match="not both or neither"):
        both.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditPack.objects.create(sequence=1, number="X-AP-001")


def test_a_done_pack_needs_its_files_and_hashes(world) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditPack.objects.create(
            relationship=world.relationship,
            sequence=1,
            number="X-AP-001",
            status=AuditPackStatus.DONE,
        )


def test_packs_of_a_scope_are_numbered_on(
    world, django_capture_on_commit_callbacks
) -> None:
    scope = FindingScope(relationship=world.relationship)
    first = _request(scope, world.alice, django_capture_on_commit_callbacks)
    second = _request(scope, world.bob, django_capture_on_commit_callbacks)
    other = _request(
        FindingScope(organisation=world.lead.organisation),
        world.alice,
        django_capture_on_commit_callbacks,
    )
    reference = world.relationship.reference
    assert (first.number, second.number) == (
        f"{reference}-AP-001",
        f"{reference}-AP-002",
    )
    assert other.number == f"{world.lead.organisation.slug}-AP-001"
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditPack.objects.create(
            relationship=world.relationship, sequence=1, number="dup"
        )


# --- a relationship's pack -----------------------------------------------------------


def test_the_relationship_pack_holds_every_section(
    world, django_capture_on_commit_callbacks
) -> None:
    stocked = stocked_relationship(world)
    pack = _rendered(
        world, django_capture_on_commit_callbacks, relationship=world.relationship
    )
    assert pack.status == AuditPackStatus.DONE
    with pack.pdf_file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == pack.pdf_sha256
    with pack.xlsx_file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == pack.xlsx_sha256
    assert pack.page_count >= 6 and pack.size_bytes > 10_000
    assert len(pack.data_fingerprint) == 64
    text = pdf_text(pack)
    assert pack.number in text
    # The approved plan and each partner's sign-off with its fingerprint.
    plan_version = world.relationship.plan.versions.get(number=1)
    decision = plan_version.decisions.first()
    assert "Version 1" in text
    assert decision.content_sha256 in text.replace(" ", "")
    # A finding, its actions and their status.
    assert "Exit plan never tested" in text
    assert "Verified effective" in text and "Open" in text
    # The report's number and SHA-256, the evidence revision's SHA-256.
    report = world.relationship.reports.get()
    assert stocked.report_number in text
    assert report.sha256 in text.replace(" ", "")
    assert stocked.revision.sha256 in text.replace(" ", "")
    assert "Keep the joint risk workshop quarterly." in text
    # Partner-private and organisation-own records stay out; they are counted.
    assert stocked.private_objective.title not in text
    assert "Partner's own confidential review" not in text
    assert "Confidential audit of the lead" not in text
    assert "An internal audit of a partner" in text
    assert "1 review of this relationship by a partner on its own" in text


def test_the_relationship_workbook_holds_the_registers(
    world, django_capture_on_commit_callbacks
) -> None:
    stocked = stocked_relationship(world)
    pack = _rendered(
        world, django_capture_on_commit_callbacks, relationship=world.relationship
    )
    sheets = workbook_rows(pack)
    assert list(sheets) == [
        "Pack",
        "Objectives",
        "Risks",
        "Actions",
        "Findings",
        "Corrective actions",
        "Evidence revisions",
    ]
    objectives = [row[0] for row in sheets["Objectives"][1:]]
    assert objectives and stocked.private_objective.title not in objectives
    finding_row = sheets["Findings"][1]
    assert finding_row[2] == "Exit plan never tested"
    assert finding_row[8:11] == (2, 1, 1)  # actions, open, verified effective
    statuses = sorted(row[5] for row in sheets["Corrective actions"][1:])
    assert statuses == ["Open", "Verified effective"]
    revision_row = sheets["Evidence revisions"][1]
    assert revision_row[0] == "Joint charter"
    assert revision_row[3] == stocked.revision.sha256
    assert ("Pack number", pack.number) in [row[:2] for row in sheets["Pack"]]


def test_the_pack_pdf_is_tagged_and_archival(
    world, django_capture_on_commit_callbacks
) -> None:
    stocked_relationship(world)
    pack = _rendered(
        world, django_capture_on_commit_callbacks, relationship=world.relationship
    )
    reader = pdf_reader(pack)
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert catalog["/Lang"] == "en"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert pack.number in reader.metadata.title
    roles = {
        str(element["/S"])
        for element in _structure_elements(catalog["/StructTreeRoot"])
    }
    assert {"/H1", "/H2", "/P", "/Table", "/TH", "/TD", "/Link"} <= roles
    xmp = catalog["/Metadata"].get_object().get_data().decode()
    assert re.search(r'pdfaid:part="2"|<pdfaid:part>2<', xmp)
    assert re.search(r'pdfaid:conformance="A"|<pdfaid:conformance>A<', xmp)
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp


def test_a_done_pack_is_never_rendered_again_and_a_new_request_is_a_new_pack(
    world, django_capture_on_commit_callbacks
) -> None:
    first = _rendered(
        world, django_capture_on_commit_callbacks, relationship=world.relationship
    )
    hashes = (first.pdf_sha256, first.xlsx_sha256, first.pdf_file.name)
    assert audit_pack_render(pack_id=first.pk) == RenderOutcome.SKIPPED
    make_finding(relationship=world.relationship, title="Raised after pack one")
    second = _rendered(
        world, django_capture_on_commit_callbacks, relationship=world.relationship
    )
    first.refresh_from_db()
    assert (first.pdf_sha256, first.xlsx_sha256, first.pdf_file.name) == hashes
    assert first.pdf_file.storage.exists(first.pdf_file.name)
    assert second.sequence == 2 and second.pdf_sha256 != first.pdf_sha256
    assert second.data_fingerprint != first.data_fingerprint
    assert "Raised after pack one" in pdf_text(second)
    assert "Raised after pack one" not in pdf_text(first)


# --- an organisation's pack ----------------------------------------------------------


def test_the_organisation_pack_holds_its_own_records(
    world, django_capture_on_commit_callbacks
) -> None:
    organisation = world.lead.organisation
    stage_record(
        organisation,
        "operational_awareness",
        policy_statement="We collaborate by written policy P-1.",
    )
    make_planned_audit(organisation, title="Autumn audit of clause 9.2")
    audit = make_internal_audit(
        organisation, lead_auditor=world.carol, title="Spring audit of the JMT"
    )
    finding = make_finding(
        organisation=organisation, title="No audit of exits", internal_audit=audit
    )
    make_action(finding, owner=world.alice)
    own_review(world, decisions="Fund a relationship manager post.")
    pack = _rendered(
        world, django_capture_on_commit_callbacks, organisation=organisation
    )
    text = pdf_text(pack)
    for expected in (
        "We collaborate by written policy P-1.",
        "Autumn audit of clause 9.2",
        "Spring audit of the JMT",
        "No audit of exits",
        "Fund a relationship manager post.",
        world.relationship.title,
    ):
        assert expected in text, expected
    sheets = workbook_rows(pack)
    assert sheets["Findings"][1][2] == "No audit of exits"
    assert sheets["Internal audits"][1][0] == "Spring audit of the JMT"
    assert sheets["Audit programme"][1][0] == "Autumn audit of clause 9.2"


# --- failure ----------------------------------------------------------------------


def test_a_failed_render_records_a_plain_error_and_can_be_retried(
    world, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    pack = _request(
        FindingScope(relationship=world.relationship),
        world.alice,
        django_capture_on_commit_callbacks,
    )

    def failing_pdf(**kwargs):
        raise ValueError("Cannot read /srv/secret/path")

    monkeypatch.setattr(pack_services, "pdf_from_html", failing_pdf)
    assert audit_pack_render(pack_id=pack.pk) == RenderOutcome.FAILED
    pack.refresh_from_db()
    assert pack.status == AuditPackStatus.FAILED
    assert "/srv/" not in pack.error and "audit pack" in pack.error
    assert "/srv/secret/path" in pack.error_detail
    assert not pack.pdf_file and not pack.xlsx_file
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert audit_pack_retry(pack=pack, user=world.alice) is True
    pack.refresh_from_db()
    assert pack.status == AuditPackStatus.DONE  # eager Celery rendered it
    assert pack.attempts == 1 and pack.error == ""
    assert audit_pack_retry(pack=pack, user=world.alice) is False


def test_a_transient_error_releases_the_pack_for_a_later_try(
    world, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    pack = _request(
        FindingScope(relationship=world.relationship),
        world.alice,
        django_capture_on_commit_callbacks,
    )

    def disk_gone(**kwargs):
        raise OSError("disk briefly away")

    monkeypatch.setattr(pack_services, "pdf_from_html", disk_gone)
    with pytest.raises(OSError):
        audit_pack_render(pack_id=pack.pk)
    pack.refresh_from_db()
    assert (pack.status, pack.attempts) == (AuditPackStatus.QUEUED, 1)


def test_lost_pack_tasks_are_sent_again_by_the_beat(
    world, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    sent = []
    monkeypatch.setattr(pack_services, "_send_render", sent.append)
    now = timezone.now()
    fresh = stored_pack(relationship=world.relationship, status=AuditPackStatus.QUEUED)
    lost = stored_pack(relationship=world.relationship, status=AuditPackStatus.QUEUED)
    AuditPack.objects.filter(pk=lost.pk).update(
        created_at=now - datetime.timedelta(minutes=5)
    )
    stale = stored_pack(relationship=world.relationship, status=AuditPackStatus.RUNNING)
    AuditPack.objects.filter(pk=stale.pk).update(
        started_at=now - STALE_AFTER - datetime.timedelta(seconds=1)
    )
    stored_pack(relationship=world.relationship)  # done: left alone
    with django_capture_on_commit_callbacks(execute=True):
        assert audit_packs_requeue_stuck(now=now) == 2
    assert sorted(sent) == sorted([lost.pk, stale.pk])
    assert fresh.pk not in sent
    call_command("setup_schedules", stdout=StringIO())
    call_command("setup_schedules", stdout=StringIO())
    resend = PeriodicTask.objects.get(name=PACK_RESEND_SCHEDULE_NAME)
    assert resend.task == "assurance.audit_packs_resend_stuck"
    assert PeriodicTask.objects.filter(task=resend.task).count() == 1
