from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal.datakit import parse_bool_safely
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from accounts.selectors import identity_provider_for_social_app, sso_match
from accounts.services import sso_member_create


class AccountAdapter(DefaultAccountAdapter):
    """People join by invitation only (an organisation's admin, or a partner
    inviting a new organisation); there is no open sign-up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Single sign-on through an organisation's own provider: the person is
    matched to their membership by the verified e-mail address the provider
    vouches for, or refused with the reason. allauth's sign-up form never shows."""

    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        provider = sociallogin.account.get_provider(request)
        identity_provider = identity_provider_for_social_app(provider.app)
        claims = sociallogin.account.extra_data
        claims = claims.get("userinfo") or claims.get("id_token") or claims
        email = str(claims.get("email") or "").strip()
        match = sso_match(
            identity_provider=identity_provider,
            email=email,
            email_verified=parse_bool_safely(claims.get("email_verified")),
        )
        if match.refusal:
            self._refuse(request, match.refusal)
        user = match.user
        if match.create:
            user = sso_member_create(
                identity_provider=identity_provider,
                email=email,
                first_name=str(claims.get("given_name") or ""),
                last_name=str(claims.get("family_name") or ""),
            )
        if sociallogin.is_existing:
            if sociallogin.user != user:
                self._refuse(
                    request,
                    f"This {identity_provider.name} login is tied to another "
                    "Partnerplan account. Ask your organisation's admin.",
                )
            return
        sociallogin.connect(request, user)

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: Exception | None = None,
        extra_context: dict | None = None,
    ) -> None:
        self._refuse(
            request,
            f"Logging in through {provider.name} did not work ({error or 'no answer'}"
            "). Try again, or log in with your password.",
        )

    def _refuse(self, request: HttpRequest, message: str) -> None:
        messages.error(request, message)
        raise ImmediateHttpResponse(HttpResponseRedirect(reverse("login")))
