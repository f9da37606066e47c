"""Evidence library pages: one document with its revisions, a new revision, its
review and expiry dates, and the download of any revision."""

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from relationships.access import relationship_get_for_user
from relationships.concurrency import StaleEdit, stale_notice
from relationships.forms.documents import (
    DocumentReviewDatesForm,
    DocumentRevisionUploadForm,
)
from relationships.models import DocumentRevision
from relationships.selectors.documents import (
    document_detail_context,
    document_get_for_editing,
    document_revision_get_for_user,
)
from relationships.services import documents as document_services
from relationships.uploads import files_with_refusals
from relationships.views.lifecycle import _add_service_errors, stored_file_response


@login_required
@require_http_methods(["GET"])
def document_detail(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    relationship = relationship_get_for_user(user=request.user, reference=reference)
    context = document_detail_context(
        user=request.user,
        relationship=relationship,
        pk=pk,
        today=timezone.localdate(),
    )
    return render(request, "relationships/document_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def document_revision_upload(
    request: HttpRequest, reference: str, pk: int
) -> HttpResponse:
    relationship, document = document_get_for_editing(
        user=request.user, reference=reference, pk=pk
    )
    form = DocumentRevisionUploadForm(
        request.POST or None, files_with_refusals(request) or None
    )
    if request.method == "POST" and form.is_valid():
        try:
            revision = document_services.document_revision_upload(
                document=document, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Revision {revision.number} of “{document.title}” uploaded; it is "
                "now the current one.",
            )
            return redirect(document.get_absolute_url())
    return render(
        request,
        "relationships/document_revision_form.html",
        {"relationship": relationship, "document": document, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_review_dates_edit(
    request: HttpRequest, reference: str, pk: int
) -> HttpResponse:
    relationship, document = document_get_for_editing(
        user=request.user, reference=reference, pk=pk
    )
    form = DocumentReviewDatesForm(
        request.POST or None,
        initial={
            "revision": document.revision,
            "review_due_on": document.review_due_on,
            "expires_on": document.expires_on,
        },
    )
    context = {"relationship": relationship, "document": document, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            document_services.document_review_dates_set(
                document=document,
                user=request.user,
                review_due_on=form.cleaned_data["review_due_on"],
                expires_on=form.cleaned_data["expires_on"],
                expected_revision=form.expected_revision,
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        except StaleEdit as stale:
            context["stale"] = stale_notice(
                stale,
                noun="document",
                fields=form.stale_refused(stale),
                reload_url=request.path,
            )
            return render(
                request, "relationships/document_dates_form.html", context, status=409
            )
        else:
            messages.success(request, f"Dates of “{document.title}” saved.")
            return redirect(document.get_absolute_url())
    return render(request, "relationships/document_dates_form.html", context)


@login_required
@require_http_methods(["GET"])
def document_revision_download(
    request: HttpRequest, reference: str, pk: int, number: int
) -> FileResponse:
    relationship = relationship_get_for_user(user=request.user, reference=reference)
    revision: DocumentRevision = document_revision_get_for_user(
        user=request.user, relationship=relationship, pk=pk, number=number
    )
    name = PurePath(revision.file.name)
    return stored_file_response(
        revision.file,
        content_type=revision.content_type,
        filename=f"{name.stem}-rev{revision.number}{name.suffix}",
    )
