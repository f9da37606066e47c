"""An organisation's internal audit programme and its audit records, seen by its
members only; and the index of the user's organisations' records."""

import copy
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from assurance.forms.audits import InternalAuditForm, PlannedAuditForm
from assurance.forms.findings import FindingForm
from assurance.selectors import audits as selectors
from assurance.selectors.findings import FindingScope
from assurance.services import audits as services
from assurance.services.findings import finding_raise
from assurance.views.findings import form_page
from relationships.access import (
    organisation_get_for_record_editing,
    organisation_get_for_records,
    organisations_with_records_readable_by,
    relationship_get_for_editing,
    user_can_edit_organisation_records,
)
from relationships.models import Organisation


def _programme_url(organisation: Organisation) -> str:
    return reverse("assurance:audit_programme", kwargs={"slug": organisation.slug})


def _audit_url(organisation: Organisation, pk: int) -> str:
    return reverse(
        "assurance:internal_audit_detail", kwargs={"slug": organisation.slug, "pk": pk}
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The user's organisations, each with its management-system records."""
    return render(
        request,
        "assurance/home.html",
        {
            "organisations": organisations_with_records_readable_by(
                request.user
            ).order_by("name")
        },
    )


@login_required
def audit_programme(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_records(user=request.user, slug=slug)
    return render(
        request,
        "assurance/audits/programme.html",
        {
            "organisation": organisation,
            "planned_audits": selectors.audit_programme_for_organisation(
                organisation=organisation
            ),
            "internal_audits": selectors.internal_audits_for_organisation(
                organisation=organisation
            ),
            "today": timezone.localdate(),
            "can_edit": user_can_edit_organisation_records(
                user=request.user, organisation=organisation
            ),
        },
    )


@login_required
def planned_audit_create(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_record_editing(user=request.user, slug=slug)
    return form_page(
        request,
        form=PlannedAuditForm(request.POST or None, organisation=organisation),
        save=lambda form: services.planned_audit_create(
            organisation=organisation,
            values=form.cleaned_data,
            created_by=request.user,
        ),
        template="assurance/audits/planned_form.html",
        context={"organisation": organisation},
        success_url=lambda saved: _programme_url(organisation),
        message="“{entry}” added to the audit programme.",
        noun="planned audit",
    )


@login_required
def planned_audit_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation, planned_audit = selectors.planned_audit_get_for_editing(
        user=request.user, slug=slug, pk=pk
    )
    stored = copy.copy(planned_audit)
    return form_page(
        request,
        form=PlannedAuditForm(
            request.POST or None, instance=planned_audit, organisation=organisation
        ),
        save=lambda form: services.planned_audit_update(
            planned_audit=planned_audit,
            changes=form.record_changes(),
            expected_revision=form.expected_revision,
            updated_by=request.user,
        ),
        template="assurance/audits/planned_form.html",
        context={"organisation": organisation, "planned_audit": stored},
        success_url=lambda saved: _programme_url(organisation),
        message="Planned audit saved.",
        noun="planned audit",
    )


@login_required
def internal_audit_create(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_record_editing(user=request.user, slug=slug)
    initial: dict[str, Any] = {"performed_on": timezone.localdate()}
    planned = selectors.planned_audit_choices(organisation=organisation).filter(
        pk=int(request.GET["planned"])
        if request.GET.get("planned", "").isdigit()
        else 0
    )
    for entry in planned:
        initial.update(
            planned_audit=entry.pk,
            title=entry.title,
            scope=entry.scope,
            scope_relationship=entry.scope_relationship_id,
            scope_clause=entry.scope_clause,
            scope_stage=entry.scope_stage_id,
            lead_auditor=entry.lead_auditor_id,
        )
    return form_page(
        request,
        form=InternalAuditForm(
            request.POST or None, initial=initial, organisation=organisation
        ),
        save=lambda form: services.internal_audit_record(
            organisation=organisation,
            values=form.cleaned_data,
            recorded_by=request.user,
        ),
        template="assurance/audits/audit_form.html",
        context={"organisation": organisation},
        success_url=lambda saved: _audit_url(organisation, saved.pk),
        message="Audit “{entry}” recorded.",
        noun="audit record",
    )


@login_required
def internal_audit_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation, internal_audit = selectors.internal_audit_get_for_user(
        user=request.user, slug=slug, pk=pk
    )
    return render(
        request,
        "assurance/audits/audit_detail.html",
        {
            "organisation": organisation,
            "internal_audit": internal_audit,
            "findings": selectors.internal_audit_findings(
                internal_audit=internal_audit
            ),
            "can_edit": user_can_edit_organisation_records(
                user=request.user, organisation=organisation
            ),
        },
    )


@login_required
def internal_audit_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation, internal_audit = selectors.internal_audit_get_for_editing(
        user=request.user, slug=slug, pk=pk
    )
    stored = copy.copy(internal_audit)
    return form_page(
        request,
        form=InternalAuditForm(
            request.POST or None, instance=internal_audit, organisation=organisation
        ),
        save=lambda form: services.internal_audit_update(
            internal_audit=internal_audit,
            changes=form.record_changes(),
            expected_revision=form.expected_revision,
            updated_by=request.user,
        ),
        template="assurance/audits/audit_form.html",
        context={"organisation": organisation, "internal_audit": stored},
        success_url=lambda saved: _audit_url(organisation, saved.pk),
        message="Audit record saved.",
        noun="audit record",
    )


@login_required
def internal_audit_finding_create(
    request: HttpRequest, slug: str, pk: int
) -> HttpResponse:
    """Raise a finding from an audit: against the relationship it looked at, if
    one, else against the organisation's own management system."""
    organisation, internal_audit = selectors.internal_audit_get_for_editing(
        user=request.user, slug=slug, pk=pk
    )
    if internal_audit.scope_relationship_id is not None:
        try:
            relationship = relationship_get_for_editing(
                user=request.user,
                reference=internal_audit.scope_relationship.reference,
            )
        except (Http404, PermissionDenied) as error:
            raise PermissionDenied(
                "You may not raise findings in the relationship this audit looked at."
            ) from error
        scope = FindingScope(relationship=relationship)
    else:
        scope = FindingScope(organisation=organisation)
    return form_page(
        request,
        form=FindingForm(
            request.POST or None,
            initial={"raised_on": internal_audit.performed_on},
            scope=scope,
            user=request.user,
        ),
        save=lambda form: finding_raise(
            scope=scope,
            values={**form.cleaned_data, "internal_audit": internal_audit},
            raised_by=request.user,
        ),
        template="assurance/audits/finding_form.html",
        context={
            "organisation": organisation,
            "internal_audit": internal_audit,
            "scope": scope,
        },
        success_url=lambda saved: _audit_url(organisation, internal_audit.pk),
        message="Finding “{entry}” raised from this audit.",
        noun="finding",
    )
