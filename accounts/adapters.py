from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress, EmailConfirmation
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sites.shortcuts import get_current_site
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest

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
