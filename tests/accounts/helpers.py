"""Logging in through the login page (allauth), as a person does."""

import time

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client
from django.urls import reverse

from tests.factories import TEST_PASSWORD


def page_login(
    client: Client,
    login: str,
    password: str = TEST_PASSWORD,
    *,
    address: str = "203.0.113.1",
    next_url: str = "",
):
    data = {"login": login, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data, REMOTE_ADDR=address)


def is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def totp_code(secret: str, *, at: float | None = None) -> str:
    """The code an authenticator app shows now (RFC 6238, as allauth checks it)."""
    moment = time.time() if at is None else at
    return format_hotp_value(
        hotp_value(secret, int(moment) // mfa_settings.TOTP_PERIOD)
    )


def reauthenticate(client: Client, password: str = TEST_PASSWORD) -> None:
    """Confirm the password again, as allauth asks before MFA changes."""
    response = client.post(reverse("account_reauthenticate"), {"password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
