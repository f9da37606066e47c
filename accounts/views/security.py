from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.forms.security import OrganisationSecurityPolicyForm
from accounts.selectors import organisation_members_mfa_status, security_policy_for
from accounts.services import security_policy_update
from relationships.access import organisation_get_for_admin


@login_required
def organisation_security(request: HttpRequest, slug: str) -> HttpResponse:
    """An organisation admin chooses who must use two-factor authentication, and
    sees who has it."""
    organisation = organisation_get_for_admin(user=request.user, slug=slug)
    policy = security_policy_for(organisation=organisation)
    form = OrganisationSecurityPolicyForm(
        request.POST or None,
        initial={
            "mfa_required_for_all": policy.mfa_required_for_all,
            "mfa_required_roles": policy.mfa_required_roles,
        },
    )
    if request.method == "POST" and form.is_valid():
        security_policy_update(
            organisation=organisation,
            updated_by=request.user,
            **form.cleaned_data,
        )
        messages.success(request, "The security policy is saved.")
        return redirect("accounts:organisation_security", slug=organisation.slug)
    return render(
        request,
        "accounts/organisation_security.html",
        {
            "organisation": organisation,
            "tab": "security",
            "form": form,
            "policy": policy,
            "members": organisation_members_mfa_status(
                organisation=organisation, policy=policy
            ),
        },
        status=400 if form.errors else 200,
    )
