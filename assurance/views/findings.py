"""Findings and corrective actions, of a relationship (`reference` in the URL)
or of an organisation's own management system (`slug`): one set of views for
both, reached under either prefix (assurance/urls.py)."""

import copy
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model, QuerySet
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django_filters.views import FilterView

from assurance.filters import FindingFilterSet
from assurance.forms.findings import (
    CorrectiveActionCompleteForm,
    CorrectiveActionForm,
    CorrectiveActionVerifyForm,
    FindingForm,
)
from assurance.models import Finding
from assurance.models.findings import CorrectiveActionStatus
from assurance.selectors import findings as selectors
from assurance.selectors.findings import FindingScope
from assurance.services import findings as services
from relationships.access import (
    corrective_action_verifier_problem,
    user_can_edit_finding,
    user_can_edit_organisation_records,
    user_can_edit_relationship,
)
from relationships.concurrency import StaleEdit, stale_notice
from relationships.forms.concurrency import RevisionOnlyForm


def _scope_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"reference": kwargs.get("reference"), "slug": kwargs.get("slug")}


def _scope_context(scope: FindingScope) -> dict[str, Any]:
    """What every findings page shows of its scope: a relationship's pages keep
    its tab bar (base.html shows it for a `relationship`)."""
    return {
        "scope": scope,
        "relationship": scope.relationship,
        "organisation": scope.organisation,
    }


def _finding_url(scope: FindingScope, pk: int) -> str:
    return reverse(
        f"assurance:{scope.prefix}_finding_detail",
        kwargs={**scope.url_kwargs, "pk": pk},
    )


def add_service_errors(form: BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, never as a server error."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field_name, field_errors in error.error_dict.items():
        known = field_name in form.fields and field_name != NON_FIELD_ERRORS
        form.add_error(field_name if known else None, field_errors)


def form_page(
    request: HttpRequest,
    *,
    form: BaseForm,
    save: Callable[[BaseForm], Model],
    template: str,
    context: dict[str, Any],
    success_url: Callable[[Model], str],
    message: str,
    noun: str,
) -> HttpResponse:
    """Validate, save through the service, confirm. A service's refusal shows on
    the form with nothing saved; a stale edit is a 409 with the other person's
    values beside the user's input, which stays in the form."""
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form)
        except ValidationError as error:
            add_service_errors(form, error)
        except StaleEdit as stale:
            context["stale"] = stale_notice(
                stale,
                noun=noun,
                fields=form.stale_refused(stale),
                reload_url=request.path,
            )
            status = 409
        else:
            messages.success(request, message.format(entry=saved))
            return redirect(success_url(saved))
    return render(request, template, {**context, "form": form}, status=status)


# --- the register ----------------------------------------------------------------


class FindingRegisterView(LoginRequiredMixin, FilterView):
    """A relationship's or an organisation's findings, filterable by kind,
    status and clause, with the state of their corrective actions."""

    filterset_class = FindingFilterSet
    template_name = "assurance/findings/register.html"
    context_object_name = "findings"
    paginate_by = 25

    def get_queryset(self) -> QuerySet:
        self.scope = selectors.finding_scope_for_user(
            user=self.request.user, **_scope_kwargs(self.kwargs)
        )
        return selectors.scope_findings(scope=self.scope)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        if self.scope.relationship is not None:
            can_edit = user_can_edit_relationship(
                user=self.request.user, relationship=self.scope.relationship
            )
        else:
            can_edit = user_can_edit_organisation_records(
                user=self.request.user, organisation=self.scope.organisation
            )
        return super().get_context_data(
            **_scope_context(self.scope),
            can_edit=can_edit,
            summary=selectors.findings_summary(
                Finding.objects.filter(self.scope.filter())
            ),
            **kwargs,
        )


# --- one finding -----------------------------------------------------------------


@login_required
def finding_create(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    scope = selectors.finding_scope_for_editing(
        user=request.user, **_scope_kwargs(kwargs)
    )
    return form_page(
        request,
        form=FindingForm(request.POST or None, scope=scope, user=request.user),
        save=lambda form: services.finding_raise(
            scope=scope, values=form.cleaned_data, raised_by=request.user
        ),
        template="assurance/findings/form.html",
        context=_scope_context(scope),
        success_url=lambda finding: _finding_url(scope, finding.pk),
        message="Finding “{entry}” raised.",
        noun="finding",
    )


@login_required
def finding_detail(request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
    scope, finding = selectors.finding_get_for_user(
        user=request.user, pk=pk, **_scope_kwargs(kwargs)
    )
    can_edit = user_can_edit_finding(user=request.user, finding=finding)
    actions = list(finding.corrective_actions.all())
    for action in actions:
        action.verifier_problem = (
            corrective_action_verifier_problem(
                user=request.user, corrective_action=action
            )
            if can_edit and action.status == CorrectiveActionStatus.COMPLETED
            else ""
        )
    return render(
        request,
        "assurance/findings/detail.html",
        {
            **_scope_context(scope),
            "finding": finding,
            "actions": actions,
            "can_edit": can_edit,
            "close_blocker": selectors.finding_close_blocker(finding=finding),
            "document_visible": selectors.finding_evidence_document_visible(
                user=request.user, finding=finding
            ),
            "audit_visible": selectors.finding_audit_visible(
                user=request.user, finding=finding
            ),
        },
    )


@login_required
def finding_edit(request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
    scope, finding = selectors.finding_get_for_editing(
        user=request.user, pk=pk, **_scope_kwargs(kwargs)
    )
    stored = copy.copy(finding)
    return form_page(
        request,
        form=FindingForm(
            request.POST or None, instance=finding, scope=scope, user=request.user
        ),
        save=lambda form: services.finding_update(
            finding=finding,
            changes=form.record_changes(),
            expected_revision=form.expected_revision,
            updated_by=request.user,
        ),
        template="assurance/findings/form.html",
        context={**_scope_context(scope), "finding": stored},
        success_url=lambda saved: _finding_url(scope, saved.pk),
        message="Finding saved.",
        noun="finding",
    )


@login_required
def finding_close(request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
    """Close a finding: GET asks to confirm (and says what still blocks it),
    POST closes it or explains the refusal."""
    scope, finding = selectors.finding_get_for_editing(
        user=request.user, pk=pk, **_scope_kwargs(kwargs)
    )
    detail_url = _finding_url(scope, finding.pk)
    context = {
        **_scope_context(scope),
        "finding": finding,
        "close_blocker": selectors.finding_close_blocker(finding=finding),
    }
    if request.method != "POST":
        return render(request, "assurance/findings/close.html", context)
    form = RevisionOnlyForm(request.POST)
    try:
        services.finding_close(
            finding=finding,
            expected_revision=(
                form.cleaned_data["revision"] if form.is_valid() else None
            ),
            closed_by=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(detail_url)
    except StaleEdit:
        messages.warning(
            request,
            "Not closed: the finding changed since you opened it. Check it as it "
            "is now, and close it again if it still should be.",
        )
        return redirect(detail_url)
    messages.success(request, f"Finding “{finding}” closed.")
    return redirect(detail_url)


# --- corrective actions ------------------------------------------------------------


def _action_form_page(
    request: HttpRequest,
    *,
    scope: FindingScope,
    finding: Any,
    form: BaseForm,
    save: Callable[[BaseForm], Model],
    heading: str,
    message: str,
    corrective_action: Any = None,
) -> HttpResponse:
    return form_page(
        request,
        form=form,
        save=save,
        template="assurance/findings/action_form.html",
        context={
            **_scope_context(scope),
            "finding": finding,
            "corrective_action": copy.copy(corrective_action),
            "heading": heading,
        },
        success_url=lambda saved: _finding_url(scope, finding.pk),
        message=message,
        noun="corrective action",
    )


@login_required
def corrective_action_create(
    request: HttpRequest, pk: int, **kwargs: Any
) -> HttpResponse:
    scope, finding = selectors.finding_get_for_editing(
        user=request.user, pk=pk, **_scope_kwargs(kwargs)
    )
    return _action_form_page(
        request,
        scope=scope,
        finding=finding,
        form=CorrectiveActionForm(request.POST or None, finding=finding),
        save=lambda form: services.corrective_action_add(
            finding=finding, values=form.cleaned_data, created_by=request.user
        ),
        heading="New corrective action",
        message="Corrective action added.",
    )


@login_required
def corrective_action_edit(
    request: HttpRequest, pk: int, action_pk: int, **kwargs: Any
) -> HttpResponse:
    scope, finding, corrective_action = selectors.corrective_action_get_for_editing(
        user=request.user, pk=pk, action_pk=action_pk, **_scope_kwargs(kwargs)
    )
    return _action_form_page(
        request,
        scope=scope,
        finding=finding,
        corrective_action=corrective_action,
        form=CorrectiveActionForm(
            request.POST or None, instance=corrective_action, finding=finding
        ),
        save=lambda form: services.corrective_action_update(
            corrective_action=corrective_action,
            changes=form.record_changes(),
            expected_revision=form.expected_revision,
            updated_by=request.user,
        ),
        heading="Edit corrective action",
        message="Corrective action saved.",
    )


@login_required
def corrective_action_complete(
    request: HttpRequest, pk: int, action_pk: int, **kwargs: Any
) -> HttpResponse:
    scope, finding, corrective_action = selectors.corrective_action_get_for_editing(
        user=request.user, pk=pk, action_pk=action_pk, **_scope_kwargs(kwargs)
    )
    return _action_form_page(
        request,
        scope=scope,
        finding=finding,
        corrective_action=corrective_action,
        form=CorrectiveActionCompleteForm(
            request.POST or None, initial={"revision": corrective_action.revision}
        ),
        save=lambda form: services.corrective_action_complete(
            corrective_action=corrective_action,
            completed_on=form.cleaned_data["completed_on"],
            note=form.cleaned_data["note"],
            expected_revision=form.expected_revision,
            completed_by=request.user,
        ),
        heading="Record completion",
        message="Completion recorded: the action now awaits a check that it worked.",
    )


@login_required
def corrective_action_verify(
    request: HttpRequest, pk: int, action_pk: int, **kwargs: Any
) -> HttpResponse:
    scope, finding, corrective_action = selectors.corrective_action_get_for_editing(
        user=request.user, pk=pk, action_pk=action_pk, **_scope_kwargs(kwargs)
    )
    return _action_form_page(
        request,
        scope=scope,
        finding=finding,
        corrective_action=corrective_action,
        form=CorrectiveActionVerifyForm(
            request.POST or None, initial={"revision": corrective_action.revision}
        ),
        save=lambda form: services.corrective_action_verify(
            corrective_action=corrective_action,
            result=form.cleaned_data["result"],
            verified_on=form.cleaned_data["verified_on"],
            notes=form.cleaned_data["notes"],
            new_due_date=form.cleaned_data["new_due_date"],
            expected_revision=form.expected_revision,
            verified_by=request.user,
        ),
        heading="Verify effectiveness",
        message="Verification recorded.",
    )
