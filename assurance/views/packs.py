"""Audit packs of a relationship or of an organisation's management system: the
list, a request, a pack's page and status, its PDF and XLSX downloads, a retry.

One set of views serves both scopes through a `FindingScope`, as the findings
pages do: whoever reads the scope reads its packs (partners, auditors, external
auditors granted it); whoever writes in it may request one.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import formats, timezone
from django.views.decorators.http import require_GET, require_http_methods

from assessments.exports import XLSX_CONTENT_TYPE
from assurance.models import AuditPack, AuditPackStatus
from assurance.selectors.findings import (
    FindingScope,
    finding_scope_for_editing,
    finding_scope_for_user,
)
from assurance.selectors.packs import audit_pack_get_for_user, audit_packs_of
from assurance.services import packs as pack_services
from relationships.access import (
    user_can_edit_organisation_records,
    user_can_edit_relationship,
)


def _can_request(request: HttpRequest, scope: FindingScope) -> bool:
    if scope.relationship is not None:
        return user_can_edit_relationship(
            user=request.user, relationship=scope.relationship
        )
    return user_can_edit_organisation_records(
        user=request.user, organisation=scope.organisation
    )


def _context(scope: FindingScope, **extra: object) -> dict[str, object]:
    """What the pages' layout needs: the relationship's tabs, or the
    organisation's."""
    return {
        "scope": scope,
        "relationship": scope.relationship,
        "organisation": scope.organisation,
        "list_url": reverse(
            f"assurance:{scope.prefix}_audit_packs", kwargs=scope.url_kwargs
        ),
        **extra,
    }


@login_required
@require_GET
def audit_pack_list(
    request: HttpRequest, reference: str | None = None, slug: str | None = None
) -> HttpResponse:
    scope = finding_scope_for_user(user=request.user, reference=reference, slug=slug)
    return render(
        request,
        "assurance/packs/list.html",
        _context(
            scope,
            packs=list(audit_packs_of(scope=scope)),
            can_request=_can_request(request, scope),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def audit_pack_request(
    request: HttpRequest, reference: str | None = None, slug: str | None = None
) -> HttpResponse:
    scope = finding_scope_for_editing(user=request.user, reference=reference, slug=slug)
    if request.method == "POST":
        pack = pack_services.audit_pack_request(scope=scope, user=request.user)
        pack.refresh_from_db(fields=["status"])  # eager mode: done already
        if pack.status == AuditPackStatus.DONE:
            messages.success(request, f"Audit pack {pack.number} is ready.")
        elif pack.status == AuditPackStatus.FAILED:
            messages.warning(
                request, f"Audit pack {pack.number} could not be generated."
            )
        else:
            messages.success(
                request,
                f"Audit pack {pack.number} is queued and will be produced shortly. "
                "This page shows its progress; you may leave it and come back.",
            )
        return redirect(pack.get_absolute_url())
    return render(request, "assurance/packs/request.html", _context(scope))


@login_required
@require_GET
def audit_pack_detail(
    request: HttpRequest, pk: int, reference: str | None = None, slug: str | None = None
) -> HttpResponse:
    scope, pack = audit_pack_get_for_user(
        user=request.user, pk=pk, reference=reference, slug=slug
    )
    return render(
        request,
        "assurance/packs/detail.html",
        _context(
            scope,
            pack=pack,
            can_request=_can_request(request, scope),
            status_url=pack.url_of("status"),
            retry_url=pack.url_of("retry"),
        ),
    )


def _status_payload(pack: AuditPack) -> dict[str, object]:
    """The fields the page's script updates (static/js/partnerplan.js, the
    reports' poller)."""
    done = pack.status == AuditPackStatus.DONE
    return {
        "id": pack.pk,
        "status": pack.status,
        "status_label": pack.get_status_display(),
        "finished": pack.status in (AuditPackStatus.DONE, AuditPackStatus.FAILED),
        "attempts": pack.attempts,
        "error": pack.error,
        "sha256": pack.pdf_sha256,
        "xlsx_sha256": pack.xlsx_sha256,
        "page_count": pack.page_count,
        "size_label": filesizeformat(pack.size_bytes) if done else "",
        "generated_at": (
            formats.date_format(timezone.localtime(pack.generated_at), "j M Y, H:i")
            if pack.generated_at
            else ""
        ),
        "download_url": pack.download_url if done else "",
        "workbook_url": pack.workbook_url if done else "",
    }


@login_required
@require_GET
def audit_pack_status(
    request: HttpRequest, pk: int, reference: str | None = None, slug: str | None = None
) -> JsonResponse:
    _, pack = audit_pack_get_for_user(
        user=request.user, pk=pk, reference=reference, slug=slug
    )
    response = JsonResponse(_status_payload(pack))
    response["Cache-Control"] = "no-store"
    return response


def _attachment(pack: AuditPack, *, field: str, suffix: str, content_type: str):
    if pack.status != AuditPackStatus.DONE:
        raise Http404("This audit pack is not ready.")
    try:
        handle = getattr(pack, field).open("rb")
    except FileNotFoundError as error:
        raise Http404("The file of this audit pack is missing.") from error
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{pack.number}{suffix}",
        content_type=content_type,
        headers={"X-Content-Type-Options": "nosniff"},
    )


@login_required
@require_GET
def audit_pack_download(
    request: HttpRequest, pk: int, reference: str | None = None, slug: str | None = None
) -> FileResponse:
    _, pack = audit_pack_get_for_user(
        user=request.user, pk=pk, reference=reference, slug=slug
    )
    return _attachment(
        pack, field="pdf_file", suffix="-audit-pack.pdf", content_type="application/pdf"
    )


@login_required
@require_GET
def audit_pack_workbook(
    request: HttpRequest, pk: int, reference: str | None = None, slug: str | None = None
) -> FileResponse:
    _, pack = audit_pack_get_for_user(
        user=request.user, pk=pk, reference=reference, slug=slug
    )
    return _attachment(
        pack,
        field="xlsx_file",
        suffix="-registers.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )


@login_required
@require_http_methods(["GET", "POST"])
def audit_pack_retry(
    request: HttpRequest, pk: int, reference: str | None = None, slug: str | None = None
) -> HttpResponse:
    scope = finding_scope_for_editing(user=request.user, reference=reference, slug=slug)
    pack = audit_packs_of(scope=scope).filter(pk=pk).first()
    if pack is None:
        raise Http404("No such audit pack.")
    if request.method == "POST":
        if pack_services.audit_pack_retry(pack=pack, user=request.user):
            messages.success(request, f"Audit pack {pack.number} is queued again.")
        else:
            messages.info(
                request,
                f"Only a failed pack can be retried; {pack.number} is "
                f"{pack.get_status_display().lower()}.",
            )
        return redirect(pack.get_absolute_url())
    return render(request, "assurance/packs/retry.html", _context(scope, pack=pack))
