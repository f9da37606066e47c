"""External auditors' access: an organisation's admin grants, lists and revokes
it and reads its log; the person accepts it through the e-mailed link."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.forms.organisations import ExternalAccessGrantForm, InvitationAcceptForm
from accounts.middleware import EXTERNAL_GRANTEE_KEY
from accounts.selectors import (
    external_access_log,
    external_grant_get,
    external_grant_get_by_token,
    external_grants,
)
from accounts.services import (
    external_grant_accept,
    external_grant_create,
    external_grant_problem,
    external_grant_revoke,
    users_with_address,
)
from relationships.access import organisation_get_for_admin, relationships_grantable_by

LOG_PAGE_SIZE = 50


def _problem(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
def organisation_external_view(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_admin(user=request.user, slug=slug)
    form = ExternalAccessGrantForm(
        request.POST or None,
        relationships=relationships_grantable_by(organisation).order_by("title"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            grant, _link = external_grant_create(
                organisation=organisation,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                relationships=list(form.cleaned_data["relationships"]),
                management_system=form.cleaned_data["management_system"],
                ends_on=form.cleaned_data["ends_on"],
                granted_by=request.user,
            )
        except ValidationError as error:
            for field, field_messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, field_messages)
        else:
            messages.success(
                request,
                f"Read-only access granted to {grant.name} until "
                f"{grant.ends_on:%d %B %Y}; the invitation went to {grant.email}.",
            )
            return redirect("accounts:organisation_external", slug=slug)
    return render(
        request,
        "accounts/organisation_external.html",
        {
            "organisation": organisation,
            "tab": "external",
            "form": form,
            "grants": external_grants(organisation=organisation),
            "invitation_days": settings.INVITATION_DAYS,
        },
    )


@login_required
@require_POST
def organisation_external_revoke(
    request: HttpRequest, slug: str, pk: int
) -> HttpResponse:
    organisation = organisation_get_for_admin(user=request.user, slug=slug)
    grant = external_grant_get(organisation=organisation, pk=pk)
    try:
        external_grant_revoke(grant=grant, user=request.user)
    except ValidationError as error:
        messages.error(request, _problem(error))
    else:
        messages.success(
            request, f"Access of {grant.name} revoked: it ends with their next page."
        )
    return redirect("accounts:organisation_external", slug=slug)


@login_required
def organisation_external_log(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_admin(user=request.user, slug=slug)
    grant = external_grant_get(organisation=organisation, pk=pk)
    page = Paginator(external_access_log(grant=grant), LOG_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "accounts/organisation_external_log.html",
        {"organisation": organisation, "tab": "external", "grant": grant, "page": page},
    )


def external_grant_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        grant = external_grant_get_by_token(token=token)
    except Http404:
        return render(
            request,
            "accounts/invitation_invalid.html",
            {
                "problem": (
                    "This link is not valid. Check that you copied the whole link "
                    "from the e-mail."
                )
            },
            status=404,
        )
    problem = external_grant_problem(grant)
    if problem:
        return render(
            request,
            "accounts/invitation_invalid.html",
            {"problem": problem},
            status=410,
        )
    context: dict[str, Any] = {"grant": grant}
    if request.user.is_authenticated:
        if not users_with_address(grant.email).filter(pk=request.user.pk):
            context["wrong_user"] = True
        elif request.method == "POST":
            return _accept(request, grant, user=request.user)
        return render(request, "accounts/external_grant_accept.html", context)
    if users_with_address(grant.email).exists():
        context["log_in_first"] = True
        return render(request, "accounts/external_grant_accept.html", context)
    form = InvitationAcceptForm(request.POST or None)
    form.helper.inputs[0].value = "Create my account and accept"
    if request.method == "POST" and form.is_valid():
        response = _accept(
            request,
            grant,
            user=None,
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            password=form.cleaned_data["password1"],
            form=form,
        )
        if response is not None:
            return response
    context["form"] = form
    return render(request, "accounts/external_grant_accept.html", context)


def _accept(
    request: HttpRequest,
    grant: Any,
    *,
    form: InvitationAcceptForm | None = None,
    **account: Any,
) -> HttpResponse | None:
    try:
        user = external_grant_accept(grant=grant, **account)
    except ValidationError as error:
        if form is not None and "password" in str(error.messages).lower():
            form.add_error("password1", error)
            return None
        messages.error(request, _problem(error))
        return redirect(request.path)
    if not request.user.is_authenticated:
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[EXTERNAL_GRANTEE_KEY] = True
    messages.success(
        request,
        f"You now have read-only access from {grant.organisation} until "
        f"{grant.ends_on:%d %B %Y}.",
    )
    return redirect("relationships:list")
