"""The app's own account pages: accepting an invitation, and an organisation's
admin pages (profile, people, invitations, access)."""

from copy import copy
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.forms.organisations import (
    InvitationAcceptForm,
    MembershipRoleForm,
    OrganisationInvitationForm,
    OrganisationProfileForm,
)
from accounts.selectors import (
    organisation_invitation_get,
    organisation_invitation_get_by_token,
    organisation_invitations,
)
from accounts.services import (
    organisation_invitation_accept,
    organisation_invitation_create,
    organisation_invitation_problem,
    organisation_invitation_resend,
    organisation_invitation_revoke,
    users_with_address,
)
from relationships.access import (
    organisation_get_for_admin,
    organisations_administered_by,
)
from relationships.choices import MembershipRole
from relationships.models import Organisation
from relationships.selectors.organisations import (
    member_deactivation_effects,
    organisation_access_context,
    organisation_member_get,
    organisation_membership_get,
    organisation_people,
    organisation_profile_changes,
)
from relationships.services.organisations import (
    ORGANISATION_PROFILE_FIELDS,
    membership_deactivate,
    membership_reactivate,
    membership_role_change,
    organisation_update,
)


def _problem(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- Accepting an invitation -------------------------------------------------------


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = organisation_invitation_get_by_token(token=token)
    except Http404:
        return render(
            request,
            "accounts/invitation_invalid.html",
            {
                "problem": (
                    "This invitation link is not valid. Check that you copied the "
                    "whole link from the e-mail; if the invitation was sent again, "
                    "only the newest link works."
                )
            },
            status=404,
        )
    problem = organisation_invitation_problem(invitation)
    if problem:
        return render(
            request,
            "accounts/invitation_invalid.html",
            {"problem": problem, "invitation": invitation},
            status=410,
        )
    context: dict[str, Any] = {"invitation": invitation}
    if request.user.is_authenticated:
        if not users_with_address(invitation.email).filter(pk=request.user.pk):
            context["wrong_user"] = True
            return render(request, "accounts/invitation_accept.html", context)
        if request.method == "POST":
            return _accept(request, invitation, user=request.user)
        return render(request, "accounts/invitation_accept.html", context)
    if users_with_address(invitation.email).exists():
        context["log_in_first"] = True
        return render(request, "accounts/invitation_accept.html", context)
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _accept(
            request,
            invitation,
            user=None,
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            password=form.cleaned_data["password1"],
            form=form,
        )
        if response is not None:
            return response
    context["form"] = form
    return render(request, "accounts/invitation_accept.html", context)


def _accept(
    request: HttpRequest,
    invitation: Any,
    *,
    form: InvitationAcceptForm | None = None,
    **account: Any,
) -> HttpResponse | None:
    try:
        user = organisation_invitation_accept(invitation=invitation, **account)
    except ValidationError as error:
        if form is not None and "password" in str(error.messages).lower():
            form.add_error("password1", error)
            return None
        messages.error(request, _problem(error))
        return redirect(request.path)
    if not request.user.is_authenticated:
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    organisation = invitation.organisation
    messages.success(
        request,
        f"Welcome to Partnerplan, {user.get_full_name() or user.get_username()}: "
        f"you are now a member of {organisation} "
        f"({invitation.get_role_display().lower()}).",
    )
    if invitation.role == MembershipRole.ORG_ADMIN:
        request.session["org_admin_of"] = organisation.slug
        return redirect("accounts:organisation_people", slug=organisation.slug)
    return redirect("relationships:list")


# --- An organisation's admin pages ---------------------------------------------------


def _page(
    request: HttpRequest,
    template: str,
    organisation: Organisation,
    tab: str,
    **context: Any,
) -> HttpResponse:
    return render(
        request,
        f"accounts/{template}.html",
        {
            "organisation": organisation,
            "tab": tab,
            "invitation_days": settings.INVITATION_DAYS,
            **context,
        },
    )


@login_required
def organisation_home(request: HttpRequest) -> HttpResponse:
    """The navbar's "Organisation": the profile of the organisation the user
    administers."""
    organisation = organisations_administered_by(request.user).first()
    if organisation is None:
        raise Http404("You administer no organisation.")
    return redirect("accounts:organisation_profile", slug=organisation.slug)


@login_required
def organisation_profile(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_admin(user=request.user, slug=slug)
    # The form validates a copy, so a refused save leaves the page's header alone.
    form = OrganisationProfileForm(request.POST or None, instance=copy(organisation))
    if request.method == "POST" and form.is_valid():
        try:
            organisation_update(
                organisation=organisation,
                changes={
                    field: form.cleaned_data[field]
                    for field in ORGANISATION_PROFILE_FIELDS
                },
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Profile saved.")
            return redirect("accounts:organisation_profile", slug=slug)
    return _page(
        request,
        "organisation_profile",
        organisation,
        "profile",
        form=form,
        changes=organisation_profile_changes(organisation=organisation),
    )


@login_required
def organisation_people_view(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_admin(user=request.user, slug=slug)
    return _page(
        request,
        "organisation_people",
        organisation,
        "people",
        people=organisation_people(organisation=organisation),
        role_choices=MembershipRole.choices,
    )


@login_required
@require_POST
def organisation_member_role(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_admin(user=request.user, slug=slug)
    membership = organisation_membership_get(organisation=organisation, pk=pk)
    form = MembershipRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the roles.")
    else:
        try:
            membership_role_change(
                membership=membership,
                role=form.cleaned_data["role"],
                user=request.user,
            )
        except ValidationError as error:
            messages.error(request, _problem(error))
        else:
            messages.success(
                request,
                f"{membership.user.get_full_name() or membership.user} is now "
                f"{membership.get_role_display().lower()}.",
            )
    return redirect("accounts:organisation_people", slug=slug)


@login_required
def organisation_member_deactivate(
    request: HttpRequest, slug: str, user_id: int
) -> HttpResponse:
    """A confirmation page saying what will change (seats, manager roles, pending
    sign-offs), then the deactivation."""
    organisation = organisation_get_for_admin(user=request.user, slug=slug)
    person = organisation_member_get(organisation=organisation, user_id=user_id)
    if request.method == "POST":
        try:
            result = membership_deactivate(
                organisation=organisation, person=person, user=request.user
            )
        except ValidationError as error:
            messages.error(request, _problem(error))
        else:
            messages.success(
                request,
                f"{person.get_full_name() or person} is deactivated: "
                f"{len(result.seats_ended)} team seat(s) ended, "
                f"{len(result.manager_of)} relationship manager role(s) left empty.",
            )
            return redirect("accounts:organisation_people", slug=slug)
    return _page(
        request,
        "organisation_member_deactivate",
        organisation,
        "people",
        person=person,
        effects=member_deactivation_effects(organisation=organisation, person=person),
    )


@login_required
@require_POST
def organisation_member_reactivate(
    request: HttpRequest, slug: str, user_id: int
) -> HttpResponse:
    organisation = organisation_get_for_admin(user=request.user, slug=slug)
    person = organisation_member_get(organisation=organisation, user_id=user_id)
    try:
        membership_reactivate(
            organisation=organisation, person=person, user=request.user
        )
    except ValidationError as error:
        messages.error(request, _problem(error))
    else:
        messages.success(
            request,
            f"{person.get_full_name() or person} is active again and can log in. "
            "Seat them again on the teams where they are wanted.",
        )
    return redirect("accounts:organisation_people", slug=slug)


@login_required
def organisation_invitations_view(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_admin(user=request.user, slug=slug)
    form = OrganisationInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _link = organisation_invitation_create(
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.email}; the link works once and "
                f"expires on {invitation.expires_at:%d %B %Y}.",
            )
            return redirect("accounts:organisation_invitations", slug=slug)
    return _page(
        request,
        "organisation_invitations",
        organisation,
        "invitations",
        form=form,
        invitations=organisation_invitations(organisation=organisation),
    )


@login_required
@require_POST
def organisation_invitation_resend_view(
    request: HttpRequest, slug: str, pk: int
) -> HttpResponse:
    organisation = organisation_get_for_admin(user=request.user, slug=slug)
    invitation = organisation_invitation_get(organisation=organisation, pk=pk)
    try:
        organisation_invitation_resend(invitation=invitation, user=request.user)
    except ValidationError as error:
        messages.error(request, _problem(error))
    else:
        messages.success(
            request,
            f"Invitation sent again to {invitation.email} with a new link; the "
            "previous link no longer works.",
        )
    return redirect("accounts:organisation_invitations", slug=slug)


@login_required
@require_POST
def organisation_invitation_revoke_view(
    request: HttpRequest, slug: str, pk: int
) -> HttpResponse:
    organisation = organisation_get_for_admin(user=request.user, slug=slug)
    invitation = organisation_invitation_get(organisation=organisation, pk=pk)
    try:
        organisation_invitation_revoke(invitation=invitation, user=request.user)
    except ValidationError as error:
        messages.error(request, _problem(error))
    else:
        messages.success(
            request, f"Invitation to {invitation.email} revoked: its link is dead."
        )
    return redirect("accounts:organisation_invitations", slug=slug)


@login_required
def organisation_access_view(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_admin(user=request.user, slug=slug)
    return _page(
        request,
        "organisation_access",
        organisation,
        "access",
        **organisation_access_context(organisation=organisation),
    )
