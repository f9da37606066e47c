"""The plan editor: overview, sections, versions and sign-off, diff, change history.

Read pages use `relationship_get_for_user` (404 for outsiders); every page that
changes something uses `relationship_get_for_editing` (403 for auditors), for GET
as well as POST, so read-only users never see an edit form.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods

from relationships.access import (
    plan_partnerships_represented_by,
    relationship_get_for_editing,
    relationship_get_for_user,
    user_can_edit_relationship,
)
from relationships.choices import PlanDecisionKind, PlanVersionStatus
from relationships.concurrency import StaleEdit, stale_notice
from relationships.forms.plans import (
    PlanDecisionForm,
    PlanDepthForm,
    PlanDiffForm,
    PlanNewDraftForm,
    PlanSectionForm,
    PlanSubmitForm,
)
from relationships.models import Plan, PlanVersion, Relationship
from relationships.selectors.history import (
    HISTORY_SOURCES,
    relationship_history_entries,
    relationship_history_rows,
    relationship_history_visible_ids,
)
from relationships.selectors.plans import (
    plan_get_for_relationship,
    plan_get_or_404,
    plan_guidance_for_user,
    plan_last_depth_change,
    plan_partnerships_to_decide,
    plan_principles,
    plan_section_row,
    plan_section_rows,
    plan_section_stale_fields,
    plan_signoff_rows,
    plan_total_completeness,
    plan_version_current,
    plan_version_fingerprint,
    plan_version_get,
    plan_version_latest_approved,
    plan_version_missing_fields,
    plan_version_open,
    plan_version_signatures,
    plan_versions_diff,
    plan_versions_for_plan,
)
from relationships.services.plans import (
    PlanAlreadyDecided,
    PlanDecisionRefused,
    PlanIncomplete,
    PlanNotAwaitingSignOff,
    PlanSignerNotAllowed,
    plan_depth_set,
    plan_section_update,
    plan_start,
    plan_version_create_draft,
    plan_version_decide,
    plan_version_submit,
)

HISTORY_PAGE_SIZE = 25

# The registers belong to another area; link to them when they exist, else to the
# relationship page, which lists objectives and risks too.
REGISTER_URL_NAMES = {
    "business_objectives": (
        "relationships:relationship_objectives",
        "Objectives register",
    ),
    "risk_management": ("relationships:relationship_risks", "Risk register"),
}


def _overview_url(relationship: Relationship) -> str:
    return reverse("relationships:plan_overview", args=[relationship.reference])


def _posted(request: HttpRequest) -> Any:
    # Not `request.POST or None`: a POST without fields must still bind the form.
    return request.POST if request.method == "POST" else None


def _errors(error: ValidationError) -> list[str]:
    return list(error.messages)


def _register_link(principle_key: str, relationship: Relationship) -> tuple[str, str]:
    url_name, label = REGISTER_URL_NAMES.get(principle_key, ("", ""))
    if not url_name:
        return "", ""
    try:
        return reverse(url_name, args=[relationship.reference]), label
    except NoReverseMatch:
        return relationship.get_absolute_url(), label


@login_required
@require_GET
def plan_overview(request: HttpRequest, reference: str) -> HttpResponse:
    relationship = relationship_get_for_user(user=request.user, reference=reference)
    can_edit = user_can_edit_relationship(user=request.user, relationship=relationship)
    plan = plan_get_for_relationship(relationship=relationship)
    context: dict[str, Any] = {
        "relationship": relationship,
        "plan": plan,
        "can_edit": can_edit,
        "active_tab": "overview",
    }
    if plan is None:
        return render(request, "relationships/plan_overview.html", context)
    plan_version = plan_version_get(plan=plan, number=request.GET.get("version"))
    rows = plan_section_rows(
        plan_version=plan_version, relationship=relationship, depth=plan.depth
    )
    open_version = plan_version_open(plan=plan)
    representatives = plan_partnerships_represented_by(
        user=request.user, relationship=relationship
    )
    context.update(
        plan_version=plan_version,
        current_version=plan_version_current(plan=plan),
        open_version=open_version,
        latest_approved=plan_version_latest_approved(plan=plan),
        rows=rows,
        total=plan_total_completeness(rows=rows),
        signoff_rows=plan_signoff_rows(
            plan_version=plan_version, relationship=relationship
        ),
        content_fingerprint=plan_version_fingerprint(plan_version=plan_version),
        decision_partnerships=list(
            plan_partnerships_to_decide(
                user=request.user,
                relationship=relationship,
                plan_version=plan_version,
            )
        )
        if can_edit
        else [],
        can_change_depth=can_edit and representatives.exists(),
        awaiting_signoff=open_version is not None
        and open_version.status == PlanVersionStatus.SUBMITTED,
        depth_form=PlanDepthForm(initial={"depth": plan.depth}),
        depth_change=plan_last_depth_change(plan=plan),
    )
    return render(request, "relationships/plan_overview.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def plan_start_view(request: HttpRequest, reference: str) -> HttpResponse:
    relationship = relationship_get_for_editing(user=request.user, reference=reference)
    if plan_get_for_relationship(relationship=relationship) is not None:
        messages.info(request, "This relationship already has a plan.")
        return redirect(_overview_url(relationship))
    if request.method == "POST":
        try:
            plan = plan_start(relationship=relationship, user=request.user)
        except ValidationError as error:
            for message in _errors(error):
                messages.error(request, message)
        else:
            messages.success(
                request,
                f"Plan started at the {plan.get_depth_display().lower()} depth: "
                "version 1 is a draft with one section per principle.",
            )
            return redirect(_overview_url(relationship))
    return render(
        request,
        "relationships/plan_action.html",
        {"relationship": relationship, "action": "start", "active_tab": "overview"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_depth(request: HttpRequest, reference: str) -> HttpResponse:
    relationship = relationship_get_for_editing(user=request.user, reference=reference)
    plan = plan_get_or_404(relationship=relationship)
    form = PlanDepthForm(_posted(request), initial={"depth": plan.depth})
    if request.method == "POST" and form.is_valid():
        try:
            plan_depth_set(
                plan=plan,
                relationship=relationship,
                depth=form.cleaned_data["depth"],
                user=request.user,
            )
        except ValidationError as error:
            for message in _errors(error):
                form.add_error(None, message)
        else:
            plan.refresh_from_db()
            messages.success(
                request,
                f"The plan now asks for the {plan.get_depth_display().lower()} depth.",
            )
            return redirect(_overview_url(relationship))
    return render(
        request,
        "relationships/plan_action.html",
        {
            "relationship": relationship,
            "plan": plan,
            "action": "depth",
            "form": form,
            "can_change_depth": plan_partnerships_represented_by(
                user=request.user, relationship=relationship
            ).exists(),
            "active_tab": "overview",
        },
    )


def _section_context(
    request: HttpRequest,
    *,
    relationship: Relationship,
    plan: Plan,
    plan_version: PlanVersion,
    principle_key: str,
) -> dict[str, Any]:
    row = plan_section_row(
        plan_version=plan_version,
        relationship=relationship,
        depth=plan.depth,
        principle_key=principle_key,
    )
    numbers = [
        principle.key for principle in plan_principles(relationship=relationship)
    ]
    index = numbers.index(principle_key)
    register_url, register_label = _register_link(principle_key, relationship)
    return {
        "relationship": relationship,
        "plan": plan,
        "plan_version": plan_version,
        "row": row,
        "guidance": plan_guidance_for_user(
            user=request.user, relationship=relationship, principle_key=principle_key
        ),
        "previous_key": numbers[index - 1] if index > 0 else "",
        "next_key": numbers[index + 1] if index + 1 < len(numbers) else "",
        "register_url": register_url,
        "register_label": register_label,
        "active_tab": "overview",
    }


@login_required
@require_http_methods(["GET", "POST"])
def plan_section_edit(
    request: HttpRequest, reference: str, principle_key: str
) -> HttpResponse:
    relationship = relationship_get_for_editing(user=request.user, reference=reference)
    plan = plan_get_or_404(relationship=relationship)
    plan_version = plan_version_get(plan=plan, number=None)
    detail_url = reverse(
        "relationships:plan_section_detail", args=[reference, principle_key]
    )
    if plan_version.status != PlanVersionStatus.DRAFT:
        messages.warning(
            request,
            f"Version {plan_version.number} is "
            f"{plan_version.get_status_display().lower()} and cannot be edited."
            + (
                " Start a new draft to change the plan."
                if plan_version.is_frozen
                else " Reject it to return it to draft."
            ),
        )
        return redirect(detail_url)
    context = _section_context(
        request,
        relationship=relationship,
        plan=plan,
        plan_version=plan_version,
        principle_key=principle_key,
    )
    section = context["row"].section
    form_options = {"plan_fields": context["row"].fields, "depth": plan.depth}
    if request.method != "POST":
        form = PlanSectionForm(
            initial=PlanSectionForm.initial_for(
                content=section.content, revision=section.revision
            ),
            **form_options,
        )
        return render(
            request,
            "relationships/plan_section_edit.html",
            {**context, "form": form},
        )

    form_options["allow_incomplete"] = "save_partial" in request.POST
    form = PlanSectionForm(request.POST, **form_options)
    if not form.is_valid():
        messages.error(request, "Nothing was saved: please correct the fields below.")
        return render(
            request,
            "relationships/plan_section_edit.html",
            {**context, "form": form},
        )
    try:
        plan_section_update(
            section=section,
            content=form.content(),
            expected_revision=form.cleaned_data["revision"],
            user=request.user,
        )
    except StaleEdit as stale:
        return _stale_response(request, context, form, stale)
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
        return redirect(detail_url)
    still_missing = form.missing_required()
    if still_missing:
        messages.success(
            request,
            f"Saved “{context['row'].principle.name}” as work in progress: "
            f"{len(still_missing)} required field{pluralize(len(still_missing))} "
            "still empty.",
        )
    else:
        messages.success(request, f"Saved “{context['row'].principle.name}”.")
    if "save_next" in request.POST and context["next_key"]:
        return redirect(
            "relationships:plan_section_edit", reference, context["next_key"]
        )
    return redirect("relationships:plan_section_edit", reference, principle_key)


def _stale_response(
    request: HttpRequest,
    context: dict[str, Any],
    form: PlanSectionForm,
    stale: StaleEdit,
) -> HttpResponse:
    """Show the other person's change beside the user's input, which is kept; the
    form now carries the current revision, so saving again keeps the user's."""
    current = stale.current
    fields = plan_section_stale_fields(
        section=current,
        fields=form.plan_fields,
        depth=form.depth,
        yours=form.content(),
        opened_revision=form.expected_revision,
    )
    form.keep_input_at(current.revision)
    notice = stale_notice(
        stale,
        noun="section",
        fields=fields,
        reload_url=request.path,
    )
    return render(
        request,
        "relationships/plan_section_edit.html",
        {**context, "form": form, "stale": notice},
        status=409,
    )


@login_required
@require_GET
def plan_section_detail(
    request: HttpRequest, reference: str, principle_key: str
) -> HttpResponse:
    relationship = relationship_get_for_user(user=request.user, reference=reference)
    plan = plan_get_or_404(relationship=relationship)
    plan_version = plan_version_get(plan=plan, number=request.GET.get("version"))
    context = _section_context(
        request,
        relationship=relationship,
        plan=plan,
        plan_version=plan_version,
        principle_key=principle_key,
    )
    open_version = plan_version_open(plan=plan)
    return render(
        request,
        "relationships/plan_section_detail.html",
        {
            **context,
            "can_edit": user_can_edit_relationship(
                user=request.user, relationship=relationship
            ),
            "open_version": open_version,
            "is_current": plan_version == plan_version_current(plan=plan),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_submit(request: HttpRequest, reference: str) -> HttpResponse:
    relationship = relationship_get_for_editing(user=request.user, reference=reference)
    plan = plan_get_or_404(relationship=relationship)
    plan_version = plan_version_open(plan=plan)
    form = PlanSubmitForm(
        _posted(request),
        initial={"summary": plan_version.summary if plan_version else ""},
    )
    context: dict[str, Any] = {
        "relationship": relationship,
        "plan": plan,
        "plan_version": plan_version,
        "action": "submit",
        "form": form,
        "active_tab": "overview",
    }
    is_draft = plan_version is not None and plan_version.status == "draft"
    if request.method == "POST" and not is_draft:
        messages.error(request, "There is no draft to submit.")
        return redirect(_overview_url(relationship))
    if request.method == "POST" and form.is_valid():
        try:
            plan_version_submit(
                plan_version=plan_version,
                relationship=relationship,
                user=request.user,
                summary=form.cleaned_data["summary"],
            )
        except PlanIncomplete as incomplete:
            messages.error(
                request,
                "The plan was not submitted: fill in the required fields listed below.",
            )
            context["missing"] = incomplete.missing
        except ValidationError as error:
            for message in _errors(error):
                messages.error(request, message)
            return redirect(_overview_url(relationship))
        else:
            messages.success(
                request,
                f"Version {plan_version.number} was submitted: each partner's "
                "representatives can now sign it off and are asked to by e-mail.",
            )
            return redirect(_overview_url(relationship))
    elif is_draft:
        context["missing"] = plan_version_missing_fields(
            plan_version=plan_version, relationship=relationship, depth=plan.depth
        )
    return render(request, "relationships/plan_action.html", context)


# Why a decision was refused, as the status of the page that says so: signing
# for a partner one does not represent is forbidden; a decision the version's
# state no longer allows (already decided, nothing awaiting) is a conflict.
REFUSAL_STATUS = {
    PlanSignerNotAllowed: 403,
    PlanAlreadyDecided: 409,
    PlanNotAwaitingSignOff: 409,
}


def _decided_message(plan_version: PlanVersion, organisation: Any) -> str:
    if plan_version.status == PlanVersionStatus.APPROVED:
        return (
            f"Signed off for {organisation}. Every partner has now signed: "
            f"version {plan_version.number} is approved and frozen."
        )
    if plan_version.status == PlanVersionStatus.DRAFT:
        return (
            f"Version {plan_version.number} was rejected for {organisation} "
            "and is a draft again; it needs fresh sign-offs once resubmitted. "
            "Whoever submitted it is told by e-mail."
        )
    return (
        f"Signed off for {organisation}. The version is approved once "
        "every partner has signed."
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_decide(request: HttpRequest, reference: str) -> HttpResponse:
    relationship = relationship_get_for_editing(user=request.user, reference=reference)
    plan = plan_get_or_404(relationship=relationship)
    plan_version = plan_version_open(plan=plan)
    partnerships = plan_partnerships_to_decide(
        user=request.user, relationship=relationship, plan_version=plan_version
    )
    initial = {"decision": request.GET.get("decision", PlanDecisionKind.APPROVE)}
    # A posted partner is looked up among all of this relationship's partners, so
    # that the service says why someone may not decide for it (a form limited to
    # the user's own partners would only say "not a valid choice").
    form = PlanDecisionForm(
        _posted(request),
        partnerships=relationship.partnerships.select_related("organisation")
        if request.method == "POST"
        else partnerships,
        initial=initial,
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        partnership = form.cleaned_data["partnership"]
        try:
            if plan_version is None:
                raise PlanNotAwaitingSignOff("No version is awaiting sign-off.")
            plan_version_decide(
                plan_version=plan_version,
                relationship=relationship,
                partnership=partnership,
                user=request.user,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except PlanDecisionRefused as refusal:
            for message in _errors(refusal):
                messages.error(request, f"Nothing was recorded. {message}")
            status = REFUSAL_STATUS.get(type(refusal), 400)
            form = PlanDecisionForm(partnerships=partnerships, initial=initial)
        except ValidationError as error:
            for message in _errors(error):
                form.add_error(None, message)
        else:
            plan_version.refresh_from_db()
            messages.success(
                request, _decided_message(plan_version, partnership.organisation)
            )
            return redirect(_overview_url(relationship))
    if request.method == "POST" and form.is_bound and not form.is_valid():
        messages.error(request, "Nothing was recorded: see the errors below.")
        if "partnership" in form.errors:
            status = 400  # not a partner of this relationship
        # Shown again with only the partners this user may still decide for.
        form.fields["partnership"].queryset = partnerships
    context: dict[str, Any] = {
        "relationship": relationship,
        "plan": plan,
        "plan_version": plan_version,
        "action": "decide",
        "form": form,
        "can_decide": partnerships.exists(),
        "is_representative": plan_partnerships_represented_by(
            user=request.user, relationship=relationship
        ).exists(),
        "signoff_rows": plan_signoff_rows(
            plan_version=plan_version, relationship=relationship
        )
        if plan_version
        else [],
        "active_tab": "overview",
    }
    return render(request, "relationships/plan_action.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def plan_new_draft(request: HttpRequest, reference: str) -> HttpResponse:
    relationship = relationship_get_for_editing(user=request.user, reference=reference)
    plan = plan_get_or_404(relationship=relationship)
    form = PlanNewDraftForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            plan_version = plan_version_create_draft(
                plan=plan, user=request.user, summary=form.cleaned_data["summary"]
            )
        except ValidationError as error:
            for message in _errors(error):
                messages.error(request, message)
            return redirect(_overview_url(relationship))
        messages.success(
            request,
            f"Version {plan_version.number} is a new draft, copied from the last "
            "approved version.",
        )
        return redirect(_overview_url(relationship))
    return render(
        request,
        "relationships/plan_action.html",
        {
            "relationship": relationship,
            "plan": plan,
            "action": "new_draft",
            "form": form,
            "open_version": plan_version_open(plan=plan),
            "source_version": plan_version_latest_approved(plan=plan),
            "active_tab": "overview",
        },
    )


@login_required
@require_GET
def plan_versions(request: HttpRequest, reference: str) -> HttpResponse:
    relationship = relationship_get_for_user(user=request.user, reference=reference)
    plan = plan_get_for_relationship(relationship=relationship)
    versions = list(plan_versions_for_plan(plan=plan)) if plan else []
    signatures = plan_version_signatures(versions=versions)
    return render(
        request,
        "relationships/plan_versions.html",
        {
            "relationship": relationship,
            "plan": plan,
            "versions": versions,
            "version_rows": [(version, signatures[version.pk]) for version in versions],
            "active_tab": "versions",
        },
    )


@login_required
@require_GET
def plan_diff(request: HttpRequest, reference: str) -> HttpResponse:
    relationship = relationship_get_for_user(user=request.user, reference=reference)
    plan = plan_get_for_relationship(relationship=relationship)
    versions = list(plan_versions_for_plan(plan=plan)) if plan else []
    context: dict[str, Any] = {
        "relationship": relationship,
        "plan": plan,
        "versions": versions,
        "active_tab": "diff",
    }
    if len(versions) < 2:
        return render(request, "relationships/plan_diff.html", context)
    query = request.GET if "from" in request.GET or "to" in request.GET else None
    defaults = {"from": versions[1].number, "to": versions[0].number}
    form = PlanDiffForm(query or defaults, versions=versions)
    context["form"] = form
    if form.is_valid():
        by_number = {version.number: version for version in versions}
        from_version = by_number[form.cleaned_data["from"]]
        to_version = by_number[form.cleaned_data["to"]]
        signatures = plan_version_signatures(versions=[from_version, to_version])
        context.update(
            from_version=from_version,
            to_version=to_version,
            signature_columns=[
                (from_version, signatures[from_version.pk]),
                (to_version, signatures[to_version.pk]),
            ],
            section_diffs=plan_versions_diff(
                relationship=relationship,
                from_version=from_version,
                to_version=to_version,
            ),
        )
    return render(request, "relationships/plan_diff.html", context)


@login_required
@require_GET
def relationship_history(request: HttpRequest, reference: str) -> HttpResponse:
    relationship = relationship_get_for_user(user=request.user, reference=reference)
    # An unknown kind (an old or edited link) shows everything rather than nothing.
    kind = request.GET.get("kind", "")
    kind = kind if kind in HISTORY_SOURCES else ""
    visible_ids = relationship_history_visible_ids(
        user=request.user, relationship=relationship
    )
    rows = relationship_history_rows(
        relationship=relationship,
        kinds=[kind] if kind else None,
        visible_ids=visible_ids,
    )
    page_obj = Paginator(rows, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "relationships/plan_history.html",
        {
            "relationship": relationship,
            "plan": plan_get_for_relationship(relationship=relationship),
            "page_obj": page_obj,
            "entries": relationship_history_entries(
                rows=page_obj.object_list, visible_ids=visible_ids
            ),
            "kind": kind,
            "kinds": [(key, source.label) for key, source in HISTORY_SOURCES.items()],
            "active_tab": "history",
        },
    )
