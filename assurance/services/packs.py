"""Writes for audit packs: request, render (the worker's side), retry, re-send.

A pack is claimed, failed, released and finished by the reports' machinery
(`assessments.render_jobs.RenderJob`), rendered to a tagged, archival PDF by
`assessments.pdf.pdf_from_html` (the same locked-down fetcher), and stored with
its SHA-256 beside an XLSX of the registers made from the same data. A done pack
is never changed: a new request makes a new pack with the next number.
"""

import datetime
import hashlib
import logging
import time

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from assessments.pdf import RenderedPdf, pdf_from_html, static_url_for_report
from assessments.render_jobs import RenderJob, RenderOutcome
from assessments.services.reports import BROKER_ERRORS, site_url
from assurance.exports import organisation_pack_workbook, relationship_pack_workbook
from assurance.models import AuditPack, AuditPackStatus
from assurance.selectors.findings import FindingScope
from assurance.selectors.packs import (
    OrganisationPackData,
    RelationshipPackData,
    audit_packs_stuck,
    organisation_pack_data,
    relationship_pack_data,
)
from relationships.models import Organisation, Relationship

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# A pack of the demo's richest relationship takes a few seconds (bench/README.md);
# the limits leave room for a large one and stop a stuck render early.
PACK_SOFT_TIME_LIMIT = 180
PACK_TIME_LIMIT = 210
STALE_AFTER = datetime.timedelta(seconds=PACK_TIME_LIMIT + 30)
PACK_RESEND_SCHEDULE_NAME = "assurance: re-send stuck audit packs"

PACK_JOB = RenderJob(
    model=AuditPack,
    noun="audit pack",
    stale_after=STALE_AFTER,
    soft_time_limit=PACK_SOFT_TIME_LIMIT,
    max_attempts=MAX_ATTEMPTS,
    select_related=("relationship__stage", "organisation", "requested_by"),
    log=logger,
)


def _send_render(pack_id: int) -> None:
    """Send the render task; with the broker down the pack stays queued and the
    beat's `audit_packs_requeue_stuck` sends it again."""
    from assurance.tasks import audit_pack_render_task

    try:
        audit_pack_render_task.delay(pack_id)
    except BROKER_ERRORS as error:
        logger.warning(
            "Audit pack %s stays queued: the broker is unavailable (%s)",
            pack_id,
            error,
        )


def _queue_render_on_commit(pack_id: int) -> None:
    transaction.on_commit(lambda: _send_render(pack_id))


# --- requesting -------------------------------------------------------------------


def _scope_code(scope: FindingScope) -> str:
    if scope.relationship is not None:
        return scope.relationship.reference
    return scope.organisation.slug


@transaction.atomic
def audit_pack_request(
    *, scope: FindingScope, user: AbstractBaseUser | None
) -> AuditPack:
    """A new pack of the scope (a relationship or an organisation's management
    system), queued for rendering. The scope's row is locked while the next
    number is taken, so two requests at once make packs 1 and 2, never two 1s."""
    if scope.relationship is not None:
        Relationship.objects.select_for_update().filter(
            pk=scope.relationship.pk
        ).first()
    else:
        Organisation.objects.select_for_update().filter(
            pk=scope.organisation.pk
        ).first()
    last = (
        AuditPack.objects.filter(scope.filter())
        .order_by("-sequence")
        .values_list("sequence", flat=True)
        .first()
    )
    sequence = (last or 0) + 1
    pack = AuditPack(
        relationship=scope.relationship,
        organisation=scope.organisation,
        sequence=sequence,
        number=f"{_scope_code(scope)}-AP-{sequence:03d}",
        requested_by=user,
    )
    pack._history_user = user
    pack.full_clean()
    pack.save()
    _queue_render_on_commit(pack.pk)
    return pack


@transaction.atomic
def audit_pack_retry(*, pack: AuditPack, user: AbstractBaseUser | None) -> bool:
    """Queue a failed pack again, with a fresh attempt budget."""
    updated = AuditPack.objects.filter(
        pk=pack.pk, status=AuditPackStatus.FAILED
    ).update(
        status=AuditPackStatus.QUEUED,
        attempts=0,
        error="",
        error_detail="",
        started_at=None,
    )
    pack.refresh_from_db()
    if updated == 1:
        PACK_JOB.record(pack, reason="Retry requested", user=user)
        _queue_render_on_commit(pack.pk)
    return updated == 1


@transaction.atomic
def audit_packs_requeue_stuck(*, now: datetime.datetime | None = None) -> int:
    """Send again the task of packs whose message was lost; the claim makes a
    duplicate harmless."""
    stuck_ids = list(
        audit_packs_stuck(
            now=now or timezone.now(), stale_after=STALE_AFTER
        ).values_list("pk", flat=True)
    )
    for pack_id in stuck_ids:
        _queue_render_on_commit(pack_id)
    return len(stuck_ids)


# --- rendering (runs in the worker) -------------------------------------------------


def audit_pack_absolute_url(pack: AuditPack) -> str:
    return site_url() + pack.get_absolute_url()


def audit_pack_build_html(
    *, pack: AuditPack, data: RelationshipPackData | OrganisationPackData
) -> str:
    """The pack as HTML, one template per kind of scope."""
    template = (
        "assurance/pdf/relationship_pack.html"
        if pack.relationship_id is not None
        else "assurance/pdf/organisation_pack.html"
    )
    return render_to_string(
        template,
        {
            "pack": pack,
            "data": data,
            "stylesheet_url": static_url_for_report("css/report.css"),
            "pack_stylesheet_url": static_url_for_report("css/audit_pack.css"),
            "detail_url": audit_pack_absolute_url(pack),
            "now": data.as_at,
        },
    )


def _store(
    pack: AuditPack,
    *,
    claimed_at: datetime.datetime,
    pdf: RenderedPdf,
    xlsx: bytes,
    fingerprint: str,
    seconds: float,
) -> bool:
    """Write both files once, then mark the row done if the claim is still ours."""
    stem = f"audit-packs/{claimed_at:%Y/%m}/{pack.number}-{pack.pk}"
    pdf_name = default_storage.save(f"{stem}.pdf", ContentFile(pdf.content))
    xlsx_name = default_storage.save(f"{stem}.xlsx", ContentFile(xlsx))
    return PACK_JOB.finish(
        pack,
        claimed_at=claimed_at,
        changes={
            "pdf_file": pdf_name,
            "pdf_sha256": hashlib.sha256(pdf.content).hexdigest(),
            "page_count": pdf.page_count,
            "size_bytes": len(pdf.content),
            "xlsx_file": xlsx_name,
            "xlsx_sha256": hashlib.sha256(xlsx).hexdigest(),
            "xlsx_size_bytes": len(xlsx),
            "data_fingerprint": fingerprint,
            "render_seconds": round(seconds, 3),
        },
        stored_names=[pdf_name, xlsx_name],
    )


def _build(pack: AuditPack, claimed_at: datetime.datetime) -> bool:
    started = time.perf_counter()
    if pack.relationship_id is not None:
        data = relationship_pack_data(relationship=pack.relationship, now=claimed_at)
        xlsx = relationship_pack_workbook(pack=pack, data=data)
    else:
        data = organisation_pack_data(organisation=pack.organisation, now=claimed_at)
        xlsx = organisation_pack_workbook(pack=pack, data=data)
    pdf = pdf_from_html(html=audit_pack_build_html(pack=pack, data=data))
    return _store(
        pack,
        claimed_at=claimed_at,
        pdf=pdf,
        xlsx=xlsx,
        fingerprint=data.fingerprint,
        seconds=time.perf_counter() - started,
    )


def audit_pack_render(*, pack_id: int, now: datetime.datetime | None = None) -> str:
    """Claim the pack, gather its records, render the PDF and the XLSX and store
    them; returns a RenderOutcome."""
    return PACK_JOB.render(pk=pack_id, now=now, build=_build)


__all__ = [
    "MAX_ATTEMPTS",
    "PACK_JOB",
    "RenderOutcome",
    "audit_pack_build_html",
    "audit_pack_render",
    "audit_pack_request",
    "audit_pack_retry",
    "audit_packs_requeue_stuck",
]
