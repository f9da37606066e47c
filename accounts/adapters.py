from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal.datakit import parse_bool_safely
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.sites.shortcuts import get_current_site
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from accounts.selectors import identity_provider_for_social_app, sso_match
from accounts.services import sso_member_create

LOCKED_OUT_MESSAGE = (
    "Too many failed attempts to log in to this account or from your network, so "
    "logging in is paused for a while (up to an hour). Try again later, or reset "
    "your password by e-mail, which lifts the pause."
)


def _on_site(url: str) -> str:
    """The link on SITE_URL, whatever host the request came in on."""
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    return f"{settings.SITE_URL}{parts.path}{query}"


class AccountAdapter(DefaultAccountAdapter):
    """People join by invitation only (an organisation's admin, or a partner
    inviting a new organisation); there is no open sign-up."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": LOCKED_OUT_MESSAGE,
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Rendered now (allauth reads the request), sent once the change it
        reports is committed, like the app's other e-mails."""
        ctx = {
            "request": self.request,
            "email": email,
            "current_site": get_current_site(self.request),
            **context,
        }
        message = self.render_mail(template_prefix, email, ctx)
        transaction.on_commit(message.send)

    def get_reset_password_from_key_url(self, key: str) -> str:
        return _on_site(super().get_reset_password_from_key_url(key))

    def get_email_confirmation_url(
        self, request: HttpRequest, emailconfirmation: EmailConfirmation
    ) -> str:
        return _on_site(super().get_email_confirmation_url(request, emailconfirmation))

    def _get_login_attempts_cache_key(
        self, request: HttpRequest, **credentials: Any
    ) -> str:
        """Count failed logins per account, not per spelling: allauth keys them
        by what was typed, so an account's e-mail address and its username would
        each get their own allowance of guesses."""
        login = credentials.get("email", credentials.get("username", "")) or ""
        user_id = (
            EmailAddress.objects.filter(email__iexact=login)
            .values_list("user_id", flat=True)
            .first()
        )
        if user_id is None:
            user_id = (
                get_user_model()
                .objects.filter(Q(username__iexact=login) | Q(email__iexact=login))
                .values_list("pk", flat=True)
                .first()
            )
        if user_id is not None:
            return f"account:{user_id}"
        return super()._get_login_attempts_cache_key(request, **credentials)


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
