"""Permission-matrix entries for the audit pack views (see tests/permissions.py).

A relationship's packs follow the relationship's rule: everyone who sees it
reads and downloads them (the auditor and erin, the external auditor, too),
its writers request and retry them. An organisation's packs are its own
management-system records: the lead organisation's writers succeed, everyone
else gets 404 (erin's grant does not include the lead's management system).
"""

import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from assurance.models import AuditPack, AuditPackStatus
from tests.assessments.factories_reports import PERMISSION_MATRIX_PDF
from tests.assurance.specs_assurance import LEAD_ORGANISATION_ONLY
from tests.permissions import ViewSpec

PERMISSION_MATRIX_XLSX = b"PK\x03\x04 permission matrix stand-in"


def stored_pack(*, status: str = AuditPackStatus.DONE, **scope: Any) -> AuditPack:
    """A pack row in the given state; a done one has (tiny) stored files."""
    sequence = AuditPack.objects.filter(**scope).count() + 1
    pack = AuditPack(
        sequence=sequence,
        number=f"pack-{sequence}",
        status=status,
        attempts=0 if status == AuditPackStatus.QUEUED else 1,
        **scope,
    )
    if status == AuditPackStatus.DONE:
        pack.pdf_file.name = default_storage.save(
            "audit-packs/tests/pack.pdf", ContentFile(PERMISSION_MATRIX_PDF)
        )
        pack.pdf_sha256 = hashlib.sha256(PERMISSION_MATRIX_PDF).hexdigest()
        pack.xlsx_file.name = default_storage.save(
            "audit-packs/tests/pack.xlsx", ContentFile(PERMISSION_MATRIX_XLSX)
        )
        pack.xlsx_sha256 = hashlib.sha256(PERMISSION_MATRIX_XLSX).hexdigest()
        pack.generated_at = timezone.now()
        pack.page_count = 1
        pack.size_bytes = len(PERMISSION_MATRIX_PDF)
    if status == AuditPackStatus.FAILED:
        pack.error = "The disk was full."
    pack.save()
    return pack


def _relationship(world: Any) -> dict[str, Any]:
    return {"reference": world.relationship.reference}


def _organisation(world: Any) -> dict[str, Any]:
    return {"slug": world.lead.organisation.slug}


def _relationship_pack(status: str = AuditPackStatus.DONE):
    def build(world: Any) -> dict[str, Any]:
        pack = stored_pack(status=status, relationship=world.relationship)
        return {**_relationship(world), "pk": pack.pk}

    return build


def _organisation_pack(status: str = AuditPackStatus.DONE):
    def build(world: Any) -> dict[str, Any]:
        pack = stored_pack(status=status, organisation=world.lead.organisation)
        return {**_organisation(world), "pk": pack.pk}

    return build


def _pack_specs(prefix: str, scope: Any, pack: Any, **options: Any) -> list:
    return [
        ViewSpec(f"assurance:{prefix}_audit_packs", kwargs=scope, **options),
        ViewSpec(
            f"assurance:{prefix}_audit_pack_request",
            kwargs=scope,
            writes=True,
            post_data=lambda world: {},
            **options,
        ),
        ViewSpec(f"assurance:{prefix}_audit_pack_detail", kwargs=pack(), **options),
        ViewSpec(
            f"assurance:{prefix}_audit_pack_status",
            kwargs=pack(AuditPackStatus.RUNNING),
            **options,
        ),
        ViewSpec(f"assurance:{prefix}_audit_pack_download", kwargs=pack(), **options),
        ViewSpec(f"assurance:{prefix}_audit_pack_workbook", kwargs=pack(), **options),
        ViewSpec(
            f"assurance:{prefix}_audit_pack_retry",
            kwargs=pack(AuditPackStatus.FAILED),
            writes=True,
            post_data=lambda world: {},
            **options,
        ),
    ]


PACKS_VIEWS: list[ViewSpec] = [
    *_pack_specs("relationship", _relationship, _relationship_pack),
    *_pack_specs(
        "organisation",
        _organisation,
        _organisation_pack,
        statuses=LEAD_ORGANISATION_ONLY,
    ),
]

# A relationship's pack holds joint records only, and an organisation's is its
# own: nothing partner-private to test in the three-partner matrix.
PACKS_NOT_PRIVATE = {spec.url_name for spec in PACKS_VIEWS}
