"""Lifecycle pages: stage track and checklist, evidence, stage moves, documents."""

from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from relationships.access import (
    relationship_get_for_editing,
    relationship_get_for_user,
    user_can_edit_relationship,
)
from relationships.choices import EvidenceStatus
from relationships.concurrency import StaleEdit, stale_notice
from relationships.filetypes import UNCHECKED_CONTENT_TYPE
from relationships.forms.concurrency import RevisionOnlyForm
from relationships.forms.lifecycle import (
    ArtefactEvidenceForm,
    DocumentUploadForm,
    StageMoveForm,
)
from relationships.models import Relationship
from relationships.selectors.documents import document_current_revision
from relationships.selectors.lifecycle import (
    LifecycleOverview,
    artefact_evidence_get,
    document_get_for_user,
    documents_for_relationship,
    lifecycle_overview,
    stage_artefact_get,
    stage_transitions_for_relationship,
)
from relationships.services import lifecycle as lifecycle_services
from relationships.uploads import files_with_refusals


def _lifecycle_url(relationship: Relationship) -> str:
    return reverse(
        "relationships:relationship_lifecycle",
        kwargs={"reference": relationship.reference},
    )


def _add_service_errors(form: Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form's fields where it can."""
    if hasattr(error, "error_dict"):
        for field_name, field_errors in error.error_dict.items():
            target = field_name if field_name in form.fields else None
            for field_error in field_errors:
                form.add_error(target, field_error)
    else:
        form.add_error(None, error)


def _missing_message(overview: LifecycleOverview, stage_number: int) -> str:
    rows = overview.missing_up_to(stage_number)
    count = sum(row.missing_count for row in rows)
    if not count:
        return ""
    stages = ", ".join(str(row.stage.number) for row in rows)
    return (
        f"{count} expected item{'s' if count != 1 else ''} of stage"
        f"{'s' if len(rows) != 1 else ''} {stages} "
        f"{'are' if count != 1 else 'is'} still missing: record evidence or an "
        "agreed skip when you can."
    )


@login_required
def relationship_lifecycle(request: HttpRequest, reference: str) -> HttpResponse:
    relationship = relationship_get_for_user(user=request.user, reference=reference)
    can_edit = user_can_edit_relationship(user=request.user, relationship=relationship)
    overview = lifecycle_overview(user=request.user, relationship=relationship)
    requested_stage = request.GET.get("stage", "")
    return render(
        request,
        "relationships/lifecycle_detail.html",
        {
            "relationship": relationship,
            "overview": overview,
            "open_stage_number": (
                int(requested_stage)
                if requested_stage.isdigit()
                else relationship.stage.number
            ),
            "transitions": stage_transitions_for_relationship(
                relationship=relationship
            ),
            "can_edit": can_edit,
            "move_form": StageMoveForm(relationship=relationship) if can_edit else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def stage_move(request: HttpRequest, reference: str) -> HttpResponse:
    relationship = relationship_get_for_editing(user=request.user, reference=reference)
    initial = {"to_stage": request.GET["to"]} if request.GET.get("to") else {}
    form = StageMoveForm(
        request.POST or None, relationship=relationship, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            transition = lifecycle_services.stage_move(
                relationship=relationship,
                to_stage=form.cleaned_data["to_stage"],
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            to_stage, from_stage = transition.to_stage, transition.from_stage
            messages.success(
                request,
                f"Moved to stage {to_stage.number}, {to_stage.name} (from stage "
                f"{from_stage.number}, {from_stage.name}).",
            )
            overview = lifecycle_overview(user=request.user, relationship=relationship)
            missing = _missing_message(overview, transition.to_stage.number)
            if missing:
                messages.warning(request, missing)
            return redirect(_lifecycle_url(relationship))
    overview = lifecycle_overview(user=request.user, relationship=relationship)
    return render(
        request,
        "relationships/lifecycle_move.html",
        {"relationship": relationship, "overview": overview, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def artefact_evidence_edit(
    request: HttpRequest, reference: str, artefact_pk: int
) -> HttpResponse:
    relationship = relationship_get_for_editing(user=request.user, reference=reference)
    artefact = stage_artefact_get(pk=artefact_pk)
    evidence = artefact_evidence_get(relationship=relationship, artefact=artefact)
    initial: dict[str, Any] = {"revision": 0}
    if evidence is not None:
        initial = {
            "revision": evidence.revision,
            "status": evidence.status,
            "plan_section_key": evidence.plan_section_key,
            "objective": evidence.objective_id,
            "risk": evidence.risk_id,
            "document": evidence.document_id,
            "note": evidence.note,
        }
    form = ArtefactEvidenceForm(
        request.POST or None,
        files_with_refusals(request) or None,
        relationship=relationship,
        user=request.user,
        initial=initial,
    )
    context = {
        "relationship": relationship,
        "artefact": artefact,
        "evidence": evidence,
        "form": form,
    }
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["status"] == EvidenceStatus.SKIPPED:
                lifecycle_services.artefact_evidence_skip(
                    relationship=relationship,
                    artefact=artefact,
                    user=request.user,
                    reason=data["note"],
                    expected_revision=form.expected_revision,
                )
                message = f"“{artefact.name}” is marked as skipped by agreement."
            else:
                lifecycle_services.artefact_evidence_record(
                    relationship=relationship,
                    artefact=artefact,
                    user=request.user,
                    expected_revision=form.expected_revision,
                    plan_section_key=data["plan_section_key"],
                    objective=data["objective"],
                    risk=data["risk"],
                    document=data["document"],
                    new_document_file=data["new_document"],
                    new_document_title=data["new_document_title"],
                    note=data["note"],
                    link_current_revision=data["link_current_revision"],
                )
                message = f"Evidence for “{artefact.name}” saved."
        except ValidationError as error:
            _add_service_errors(form, error)
        except StaleEdit as stale:
            context["stale"] = stale_notice(
                stale,
                noun="record",
                fields=form.stale_refused(stale),
                reload_url=request.path,
            )
            context["evidence"] = stale.current
            return render(
                request,
                "relationships/lifecycle_evidence_form.html",
                context,
                status=409,
            )
        else:
            messages.success(request, message)
            return redirect(
                f"{_lifecycle_url(relationship)}?stage={artefact.stage.number}"
                f"#artefact-{artefact.pk}"
            )
    return render(request, "relationships/lifecycle_evidence_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def artefact_evidence_clear(
    request: HttpRequest, reference: str, artefact_pk: int
) -> HttpResponse:
    relationship = relationship_get_for_editing(user=request.user, reference=reference)
    artefact = stage_artefact_get(pk=artefact_pk)
    if request.method == "POST":
        form = RevisionOnlyForm(request.POST)
        try:
            cleared = lifecycle_services.artefact_evidence_clear(
                relationship=relationship,
                artefact=artefact,
                expected_revision=(
                    form.cleaned_data["revision"] if form.is_valid() else None
                ),
                user=request.user,
            )
        except StaleEdit as stale:
            return render(
                request,
                "relationships/lifecycle_evidence_clear.html",
                {
                    "relationship": relationship,
                    "artefact": artefact,
                    "evidence": stale.current,
                    "stale": stale_notice(
                        stale,
                        noun="record",
                        fields=[],
                        reload_url=request.path,
                    ),
                },
                status=409,
            )
        if cleared:
            messages.success(
                request, f"“{artefact.name}” is back to missing; nothing links to it."
            )
        else:
            messages.info(request, f"“{artefact.name}” had nothing recorded.")
        return redirect(
            f"{_lifecycle_url(relationship)}?stage={artefact.stage.number}"
            f"#artefact-{artefact.pk}"
        )
    return render(
        request,
        "relationships/lifecycle_evidence_clear.html",
        {
            "relationship": relationship,
            "artefact": artefact,
            "evidence": artefact_evidence_get(
                relationship=relationship, artefact=artefact
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def relationship_documents(request: HttpRequest, reference: str) -> HttpResponse:
    if request.method == "POST":
        relationship = relationship_get_for_editing(
            user=request.user, reference=reference
        )
    else:
        relationship = relationship_get_for_user(user=request.user, reference=reference)
    can_edit = user_can_edit_relationship(user=request.user, relationship=relationship)
    form = DocumentUploadForm(
        request.POST or None,
        files_with_refusals(request) or None,
        relationship=relationship,
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            document = lifecycle_services.document_upload(
                relationship=relationship, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, f"“{document.title}” uploaded.")
            return redirect(
                "relationships:relationship_documents",
                reference=relationship.reference,
            )
    return render(
        request,
        "relationships/document_list.html",
        {
            "relationship": relationship,
            "documents": documents_for_relationship(
                user=request.user, relationship=relationship
            ),
            "can_edit": can_edit,
            "form": form if can_edit else None,
        },
    )


def stored_file_response(
    stored_file: object, *, content_type: str, filename: str
) -> FileResponse:
    """A stored file, always as an attachment of the type its content was checked
    to be (never one guessed from the name), browsers told not to sniff another;
    a 404 when the file went missing from storage."""
    try:
        handle = stored_file.open("rb")
    except FileNotFoundError as error:
        raise Http404("The file of this document is missing.") from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type=content_type or UNCHECKED_CONTENT_TYPE,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET"])
def document_download(request: HttpRequest, reference: str, pk: int) -> FileResponse:
    relationship = relationship_get_for_user(user=request.user, reference=reference)
    document = document_get_for_user(
        user=request.user, relationship=relationship, pk=pk
    )
    # The document's current revision: the same link always gives the latest.
    current = document_current_revision(document=document)
    if current is None:  # stored without revisions (never by the app itself)
        return stored_file_response(
            document.file,
            content_type=document.content_type,
            filename=PurePath(document.file.name).name,
        )
    return stored_file_response(
        current.file,
        content_type=current.content_type,
        filename=PurePath(current.file.name).name,
    )
