"""An organisation's own lifecycle records: the page of its stages, and the
form of one stage's record."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from assurance.forms.organisation_records import OrganisationStageRecordForm
from assurance.selectors import organisation_records as selectors
from assurance.services.organisation_records import organisation_stage_record_save
from assurance.views.reviews import _add_service_errors
from relationships.access import (
    organisation_get_for_member_writing,
    organisation_get_for_records,
    user_writes_for_organisation,
)
from relationships.concurrency import StaleEdit, stale_notice


@login_required
@require_GET
def organisation_records(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_records(user=request.user, slug=slug)
    return render(
        request,
        "assurance/organisation_records/record_list.html",
        {
            "organisation": organisation,
            "rows": selectors.organisation_stage_rows(organisation=organisation),
            "can_write": user_writes_for_organisation(
                user=request.user, organisation=organisation
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_record_edit(
    request: HttpRequest, slug: str, stage: str
) -> HttpResponse:
    organisation = organisation_get_for_member_writing(user=request.user, slug=slug)
    lifecycle_stage = selectors.organisation_stage_get(key=stage)
    record = selectors.organisation_stage_record(
        organisation=organisation, stage=lifecycle_stage
    )
    form = OrganisationStageRecordForm(
        request.POST or None,
        instance=record,
        organisation=organisation,
        stage=lifecycle_stage,
    )
    context: dict[str, Any] = {
        "organisation": organisation,
        "stage": lifecycle_stage,
        "form": form,
        "record": record,
    }
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            organisation_stage_record_save(
                organisation=organisation,
                stage=lifecycle_stage,
                values=form.record_values(),
                expected_revision=form.expected_revision,
                user=request.user,
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        except StaleEdit as stale:
            context["stale"] = stale_notice(
                stale,
                noun="record",
                fields=form.stale_refused(stale),
                reload_url=request.path,
            )
            status = 409
        else:
            messages.success(request, f"{lifecycle_stage.name}: record saved.")
            return redirect("assurance:organisation_records", slug=organisation.slug)
    return render(
        request,
        "assurance/organisation_records/record_form.html",
        context,
        status=status,
    )
