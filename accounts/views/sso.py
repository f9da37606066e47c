from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from requests import RequestException

from accounts.forms.sso import IdentityProviderForm, SsoStartForm
from accounts.selectors import (
    email_domain,
    identity_provider_for_email,
    identity_provider_of,
    sso_callback_url,
)
from accounts.services import identity_provider_save
from relationships.access import organisation_get_for_admin


@login_required
@require_http_methods(["GET", "POST"])
def organisation_sso(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_admin(user=request.user, slug=slug)
    identity_provider = identity_provider_of(organisation)
    form = IdentityProviderForm(
        request.POST or None, identity_provider=identity_provider
    )
    if request.method == "POST" and form.is_valid():
        try:
            identity_provider_save(organisation=organisation, **form.cleaned_data)
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                for message in field_errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, "Single sign-on saved.")
            return redirect("accounts:organisation_sso", slug=organisation.slug)
    return render(
        request,
        "accounts/organisation_sso.html",
        {
            "organisation": organisation,
            "tab": "sso",
            "identity_provider": identity_provider,
            "form": form,
            "callback_url": sso_callback_url(organisation),
        },
    )


@require_http_methods(["GET", "POST"])
def sso_start(request: HttpRequest) -> HttpResponse:
    """Log in with your organisation: find the provider by the address's domain
    and send the person there."""
    form = SsoStartForm(request.POST or None, initial={"next": request.GET.get("next")})
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        identity_provider = identity_provider_for_email(email)
        if identity_provider is None:
            form.add_error(
                "email",
                f"No organisation logs in people of {email_domain(email)} "
                "through single sign-on here. Log in with your password.",
            )
        else:
            next_url = form.cleaned_data["next"]
            if not url_has_allowed_host_and_scheme(
                next_url, allowed_hosts={request.get_host()}
            ):
                next_url = None
            provider = identity_provider.social_app.get_provider(request)
            try:
                return provider.redirect(
                    request,
                    process="login",
                    next_url=next_url,
                    auth_params={"login_hint": email},
                )
            except RequestException:
                form.add_error(
                    None,
                    f"{identity_provider.name} does not answer just now. Try "
                    "again in a moment, or log in with your password.",
                )
    return render(request, "accounts/sso_start.html", {"form": form})
