"""Registers: objectives, risks and actions, per relationship and across them."""

import copy
from collections.abc import Callable
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Page
from django.db.models import Model, QuerySet
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET
from django_filters import FilterSet
from django_filters.views import FilterView

from assessments.selectors.dashboards.portfolio import kept_register_count
from relationships import exports
from relationships.access import (
    grants_cache_key_part,
    ids_visible_to,
    organisation_ids_of,
    relationship_get_for_editing,
    relationship_get_for_user,
    relationship_ids_editable_by,
    user_can_edit_relationship,
)
from relationships.caching import cache_seconds, portfolio_key, relationships_key
from relationships.choices import ActionStatus
from relationships.concurrency import (
    FieldValues,
    StaleEdit,
    last_change,
    stale_fields,
    stale_notice,
)
from relationships.filters import ActionFilterSet, ObjectiveFilterSet, RiskFilterSet
from relationships.forms.concurrency import RevisionOnlyForm
from relationships.forms.registers import (
    ActionForm,
    ObjectiveForm,
    ObjectiveRevisionForm,
    RiskForm,
)
from relationships.models import Relationship
from relationships.pagination import IdsFirstPaginator
from relationships.selectors import registers as selectors
from relationships.services import registers as services


def _add_service_errors(form: BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, never as a server error."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field_name, field_errors in error.error_dict.items():
        known = field_name in form.fields and field_name != NON_FIELD_ERRORS
        form.add_error(field_name if known else None, field_errors)


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path on this site only: a bare word ("list") would be taken by
    # redirect() for a URL name, and fail.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _export_url(
    request: HttpRequest, register: str, relationship: Relationship | None = None
) -> str:
    """The CSV export of what the list shows: same filters, every page."""
    query = request.GET.copy()
    query.pop("page", None)
    if relationship is not None:
        query["relationship"] = relationship.reference
    encoded = query.urlencode()
    url = reverse(f"relationships:{register.removesuffix('s')}_export")
    return f"{url}?{encoded}" if encoded else url


def _detail_url(name: str, relationship: Relationship, pk: int) -> str:
    return reverse(
        f"relationships:{name}_detail",
        kwargs={"reference": relationship.reference, "pk": pk},
    )


def _register_form_page(
    request: HttpRequest,
    *,
    relationship: Relationship,
    form: BaseForm,
    save: Callable[[BaseForm], Model],
    entry_name: str,
    register: str,
    message: str,
    entry: Model | None = None,
) -> HttpResponse:
    """The create or edit page of any register: validate, save through the service,
    confirm; a service's ValidationError shows on the form and nothing is saved.
    A stale edit (someone saved the entry since the form was opened) is a 409 with
    their values beside the user's, whose input stays in the form."""
    # Forms and services set values on the instance before validating them; the
    # page (title, breadcrumbs) shows the stored copy when a save is refused.
    stored = copy.copy(entry)
    context = {"form": form, "relationship": relationship, "register": register}
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form)
        except ValidationError as error:
            _add_service_errors(form, error)
        except StaleEdit as stale:
            context["stale"] = stale_notice(
                stale,
                noun=entry_name,
                fields=form.stale_refused(stale),
                reload_url=request.path,
            )
            stored = stale.current or stored
            status = 409
        else:
            messages.success(request, message.format(entry=saved))
            return redirect(_detail_url(entry_name, relationship, saved.pk))
    if entry is not None:
        context[entry_name] = stored
    return render(
        request, f"relationships/{entry_name}_form.html", context, status=status
    )


# --- lists across all visible relationships ---------------------------------------


class RegisterListView(LoginRequiredMixin, FilterView):
    paginate_by = 25
    paginator_class = IdsFirstPaginator
    register = ""

    def get_paginator(self, queryset: QuerySet, per_page: int, **kwargs: Any):
        # A page's ids are cached per set of organisations (what the user sees),
        # list and filters, and checked for this user on every request.
        query = self.request.GET.copy()
        query.pop("page", None)
        self.paginator = super().get_paginator(
            queryset,
            per_page,
            # Caching off, portfolio_key gives no key; not asking it also spares
            # an external auditor's grants query (grants_key_part).
            cache_key=portfolio_key(
                self.organisation_ids,
                self.register,
                query.urlencode(),
                *self.grants_key_part,
            )
            if cache_seconds() > 0
            else "",
            rows_for=self.page_rows,
            ids_check=lambda ids: ids_visible_to(
                self.request.user, queryset.model, ids
            ),
            kept_count=self.kept_count,
            **kwargs,
        )
        return self.paginator

    def kept_count(self) -> int | None:
        """The number of rows of the unfiltered list, where it is kept
        (kept_register_count); a filtered list counts its rows."""
        filterset = self.filterset
        # An invalid filter shows no rows (FilterView is strict): counted too.
        unfiltered = not filterset.is_bound or (
            filterset.is_valid() and not any(filterset.form.cleaned_data.values())
        )
        if not unfiltered:
            return None
        return kept_register_count(self.request.user, self.register)

    @cached_property
    def organisation_ids(self) -> list[int]:
        """The user's organisations: their versions key the cached ids, and, read
        before the queryset is built, the access rules then carry the ids
        themselves (see _organisations_of)."""
        return organisation_ids_of(self.request.user)

    def get_queryset(self) -> QuerySet:
        self.organisation_ids  # noqa: B018 (read first: see organisation_ids)
        return self.list_queryset()

    def list_queryset(self) -> QuerySet:
        raise NotImplementedError

    @cached_property
    def grants_key_part(self) -> tuple[int, ...]:
        """What an external auditor reads through grants: their entries are not
        the granting organisation's members'."""
        return grants_cache_key_part(self.request.user)

    def page_rows(self, ids: list[int]) -> list:
        raise NotImplementedError

    def rows_vary_on(self, page: Page) -> tuple:
        """What else than the rows and the day the rendered rows depend on."""
        return ()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(
            export_url=_export_url(self.request, self.register),
            register=self.register,
            rows_cache_seconds=cache_seconds(),
            **kwargs,
        )
        page = context.get("page_obj")
        if page is not None and cache_seconds() > 0:
            # The rows of the page's relationships at their versions: a save in
            # another relationship leaves them cached. Who may see them is in the
            # ids, checked for this user.
            context["rows_cache_key"] = relationships_key(
                page.paginator.relationship_ids,
                self.register,
                page.object_list.ids,
                timezone.localdate(),  # overdue flags
                *self.rows_vary_on(page),
            )
        return context


class ObjectiveListView(RegisterListView):
    filterset_class = ObjectiveFilterSet
    template_name = "relationships/objective_list.html"
    register = "objectives"
    context_object_name = "objectives"

    def list_queryset(self) -> QuerySet:
        return selectors.objective_list_for_user(self.request.user)

    def page_rows(self, ids: list[int]) -> list:
        return selectors.objective_page_rows(ids)


class RiskListView(RegisterListView):
    filterset_class = RiskFilterSet
    template_name = "relationships/risk_list.html"
    register = "risks"
    context_object_name = "risks"

    def list_queryset(self) -> QuerySet:
        return selectors.risk_list_for_user(self.request.user)

    def page_rows(self, ids: list[int]) -> list:
        return selectors.risk_page_rows(ids)


class ActionListView(RegisterListView):
    filterset_class = ActionFilterSet
    template_name = "relationships/action_list.html"
    register = "actions"
    context_object_name = "actions"

    def list_queryset(self) -> QuerySet:
        return selectors.action_list_for_user(self.request.user)

    def page_rows(self, ids: list[int]) -> list:
        return selectors.action_page_rows(self.request.user, ids)

    @cached_property
    def editable_relationship_ids(self) -> list[int]:
        """Those of the page's relationships where the user may mark actions done."""
        among = self.paginator.relationship_ids  # known once the page is read
        if not among:
            return []
        return sorted(relationship_ids_editable_by(self.request.user, among=among))

    def rows_vary_on(self, page: Page) -> tuple:
        # A row names its linked risk only where the viewer may see it (that
        # follows the viewer's organisations) and shows a "Mark done" button where
        # the viewer may change it. The form the buttons send (CSRF token, page to
        # come back to) is the viewer's own, outside the cached rows.
        return (
            self.organisation_ids,
            self.grants_key_part,
            self.editable_relationship_ids,
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["editable_relationship_ids"] = set(self.editable_relationship_ids)
        return context


def _export(
    request: HttpRequest,
    filterset_class: type[FilterSet],
    queryset: QuerySet,
    write: Callable[[QuerySet], StreamingHttpResponse],
) -> StreamingHttpResponse:
    filterset = filterset_class(request.GET, queryset=queryset, request=request)
    rows = filterset.qs if filterset.is_valid() else queryset.none()
    return write(rows)


@login_required
@require_GET
def objective_export(request: HttpRequest) -> StreamingHttpResponse:
    return _export(
        request,
        ObjectiveFilterSet,
        selectors.objective_list_for_user(request.user),
        exports.objectives_csv,
    )


@login_required
@require_GET
def risk_export(request: HttpRequest) -> StreamingHttpResponse:
    return _export(
        request,
        RiskFilterSet,
        selectors.risk_list_for_user(request.user),
        exports.risks_csv,
    )


@login_required
@require_GET
def action_export(request: HttpRequest) -> StreamingHttpResponse:
    return _export(
        request,
        ActionFilterSet,
        selectors.action_list_for_user(request.user),
        exports.actions_csv,
    )


# --- objectives of one relationship -------------------------------------------------


@login_required
def relationship_objectives(request: HttpRequest, reference: str) -> HttpResponse:
    relationship = relationship_get_for_user(user=request.user, reference=reference)
    return render(
        request,
        "relationships/objective_register.html",
        {
            "relationship": relationship,
            "groups": selectors.relationship_objective_groups(
                user=request.user, relationship=relationship
            ),
            "can_edit": user_can_edit_relationship(
                user=request.user, relationship=relationship
            ),
            "register": "objectives",
        },
    )


@login_required
def objective_create(request: HttpRequest, reference: str) -> HttpResponse:
    relationship = relationship_get_for_editing(user=request.user, reference=reference)
    return _register_form_page(
        request,
        relationship=relationship,
        form=ObjectiveForm(
            request.POST or None, relationship=relationship, user=request.user
        ),
        save=lambda form: services.objective_create(
            relationship=relationship,
            values=form.cleaned_data,
            created_by=request.user,
        ),
        entry_name="objective",
        register="objectives",
        message="Objective “{entry}” recorded.",
    )


@login_required
def objective_detail(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    relationship, objective = selectors.objective_get_for_user(
        user=request.user, reference=reference, pk=pk
    )
    return render(
        request,
        "relationships/objective_detail.html",
        {
            "relationship": relationship,
            "objective": objective,
            "revisions": selectors.objective_revisions(objective=objective),
            "can_edit": user_can_edit_relationship(
                user=request.user, relationship=relationship
            ),
            "register": "objectives",
        },
    )


@login_required
def objective_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    relationship, objective = selectors.objective_get_for_editing(
        user=request.user, reference=reference, pk=pk
    )
    return _register_form_page(
        request,
        relationship=relationship,
        entry=objective,
        form=ObjectiveRevisionForm(
            request.POST or None, instance=objective, relationship=relationship
        ),
        save=lambda form: services.objective_revise(
            objective=objective,
            changes=form.objective_changes(),
            reason=form.cleaned_data["reason"],
            expected_revision=form.expected_revision,
            revised_by=request.user,
        ),
        entry_name="objective",
        register="objectives",
        message="Objective revised; the reason is on record.",
    )


# --- risks of one relationship --------------------------------------------------------


class RelationshipRegisterView(LoginRequiredMixin, FilterView):
    """A register page of one relationship, filterable like the cross lists."""

    paginate_by = 25
    register = ""

    def get_queryset(self) -> QuerySet:
        self.relationship = relationship_get_for_user(
            user=self.request.user, reference=self.kwargs["reference"]
        )
        return self.register_queryset(self.relationship)

    def register_queryset(self, relationship: Relationship) -> QuerySet:
        raise NotImplementedError

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            relationship=self.relationship,
            can_edit=user_can_edit_relationship(
                user=self.request.user, relationship=self.relationship
            ),
            register=self.register,
            export_url=_export_url(self.request, self.register, self.relationship),
            **kwargs,
        )


class RelationshipRiskListView(RelationshipRegisterView):
    filterset_class = RiskFilterSet
    template_name = "relationships/risk_register.html"
    context_object_name = "risks"
    register = "risks"

    def register_queryset(self, relationship: Relationship) -> QuerySet:
        return selectors.relationship_risks(
            user=self.request.user, relationship=relationship
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            heat_map=selectors.risk_heat_map(
                risks=selectors.relationship_risks(
                    user=self.request.user, relationship=self.relationship
                )
            ),
            summary=selectors.risk_register_summary(
                user=self.request.user, relationship=self.relationship
            ),
            **kwargs,
        )


@login_required
def risk_create(request: HttpRequest, reference: str) -> HttpResponse:
    relationship = relationship_get_for_editing(user=request.user, reference=reference)
    return _register_form_page(
        request,
        relationship=relationship,
        form=RiskForm(
            request.POST or None, relationship=relationship, user=request.user
        ),
        save=lambda form: services.risk_create(
            relationship=relationship,
            values=form.cleaned_data,
            created_by=request.user,
        ),
        entry_name="risk",
        register="risks",
        message="Risk “{entry}” added to the register.",
    )


@login_required
def risk_detail(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    relationship, risk = selectors.risk_get_for_user(
        user=request.user, reference=reference, pk=pk
    )
    return render(
        request,
        "relationships/risk_detail.html",
        {
            "relationship": relationship,
            "risk": risk,
            "actions": selectors.risk_actions(user=request.user, risk=risk),
            "likelihood_label": selectors.LIKELIHOOD_LABELS[risk.likelihood],
            "impact_label": selectors.IMPACT_LABELS[risk.impact],
            "can_edit": user_can_edit_relationship(
                user=request.user, relationship=relationship
            ),
            "register": "risks",
        },
    )


@login_required
def risk_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    relationship, risk = selectors.risk_get_for_editing(
        user=request.user, reference=reference, pk=pk
    )
    return _register_form_page(
        request,
        relationship=relationship,
        entry=risk,
        form=RiskForm(request.POST or None, instance=risk, relationship=relationship),
        save=lambda form: services.risk_update(
            risk=risk,
            changes=form.record_changes(),
            expected_revision=form.expected_revision,
            updated_by=request.user,
        ),
        entry_name="risk",
        register="risks",
        message="Risk saved.",
    )


# --- actions of one relationship ------------------------------------------------------


class RelationshipActionListView(RelationshipRegisterView):
    filterset_class = ActionFilterSet
    template_name = "relationships/action_register.html"
    context_object_name = "actions"
    register = "actions"

    def register_queryset(self, relationship: Relationship) -> QuerySet:
        return selectors.relationship_actions(
            user=self.request.user, relationship=relationship
        )


@login_required
def action_create(request: HttpRequest, reference: str) -> HttpResponse:
    relationship = relationship_get_for_editing(user=request.user, reference=reference)
    initial = {}
    if request.GET.get("risk", "").isdigit():
        initial = {"risk": int(request.GET["risk"]), "source": "risk"}
    return _register_form_page(
        request,
        relationship=relationship,
        form=ActionForm(
            request.POST or None,
            initial=initial,
            relationship=relationship,
            user=request.user,
        ),
        save=lambda form: services.action_create(
            relationship=relationship,
            values=form.cleaned_data,
            created_by=request.user,
        ),
        entry_name="action",
        register="actions",
        message="Action “{entry}” added.",
    )


@login_required
def action_detail(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    relationship, action = selectors.action_get_for_user(
        user=request.user, reference=reference, pk=pk
    )
    return render(
        request,
        "relationships/action_detail.html",
        {
            "relationship": relationship,
            "action": action,
            "can_edit": user_can_edit_relationship(
                user=request.user, relationship=relationship
            ),
            "register": "actions",
        },
    )


@login_required
def action_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    relationship, action = selectors.action_get_for_editing(
        user=request.user, reference=reference, pk=pk
    )
    return _register_form_page(
        request,
        relationship=relationship,
        entry=action,
        form=ActionForm(
            request.POST or None,
            instance=action,
            relationship=relationship,
            user=request.user,
        ),
        save=lambda form: services.action_update(
            action=action,
            changes=form.record_changes(),
            expected_revision=form.expected_revision,
            updated_by=request.user,
        ),
        entry_name="action",
        register="actions",
        message="Action saved.",
    )


@login_required
def action_done(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """Mark an action done: GET asks to confirm, POST does it."""
    relationship, action = selectors.action_get_for_editing(
        user=request.user, reference=reference, pk=pk
    )
    detail_url = _detail_url("action", relationship, action.pk)
    context = {
        "relationship": relationship,
        "action": action,
        "next": _next_url(request, detail_url),
        "register": "actions",
    }
    if request.method != "POST":
        return render(request, "relationships/action_confirm_done.html", context)
    form = RevisionOnlyForm(request.POST)
    try:
        services.action_mark_done(
            action=action,
            expected_revision=(
                form.cleaned_data["revision"] if form.is_valid() else None
            ),
            done_by=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(detail_url)
    except StaleEdit as stale:
        current = stale.current or action
        if current.status == ActionStatus.DONE:
            who, when = last_change(current)
            messages.info(
                request,
                f"Action “{current}” was already done: {who} marked it on "
                f"{date_format(timezone.localtime(when), 'j M Y, H:i')}."
                if when
                else f"Action “{current}” was already done.",
            )
            return redirect(context["next"])
        # Asked again, on the action as it is now: marking done is a decision
        # about its current state, which the person has not seen.
        status_change = stale_fields(
            [
                FieldValues(
                    label="Status",
                    theirs=current.status,
                    yours=ActionStatus.DONE,
                    theirs_shown=current.get_status_display(),
                    yours_shown=ActionStatus.DONE.label,
                )
            ],
            has_before=False,
        )
        notice = stale_notice(
            stale, noun="action", fields=status_change, reload_url=detail_url
        )
        return render(
            request,
            "relationships/action_confirm_done.html",
            {**context, "action": current, "stale": notice},
            status=409,
        )
    messages.success(request, f"Action “{action}” marked done.")
    return redirect(context["next"])
