"""Two-factor authentication in the browser: an authenticator app (TOTP) and a
security key (WebAuthn, through Chromium's virtual authenticator)."""

import pytest
from allauth.mfa.models import Authenticator

from tests.accounts.helpers import totp_code
from tests.browser.conftest import screenshot
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _log_in(page, base: str, login: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", login)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("#login_form button[type=submit]")


def _reauthenticate_if_asked(page) -> None:
    if "/reauthenticate/" in page.url:
        page.fill("#id_password", TEST_PASSWORD)
        page.click("main form button[type=submit]")


def test_a_person_enrols_an_authenticator_app_and_logs_in_with_it(
    live_server, new_page
) -> None:
    UserFactory(username="grace", email="grace@lead.example.org")
    base = live_server.url
    page = new_page()
    _log_in(page, base, "grace@lead.example.org")
    page.wait_for_url(f"{base}/relationships/")

    page.goto(f"{base}/accounts/2fa/totp/activate/")
    _reauthenticate_if_asked(page)
    page.wait_for_selector("#authenticator_secret")
    screenshot(page, "mfa-totp-activate")
    secret = page.input_value("#authenticator_secret")
    page.fill("#id_code", totp_code(secret))
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/accounts/2fa/recovery-codes/**")
    screenshot(page, "mfa-recovery-codes")
    assert Authenticator.objects.filter(type="totp").exists()

    page.click("nav .dropdown-toggle")  # the account menu holds Log out

    page.click("nav form button[type=submit]")  # log out
    _log_in(page, base, "grace")
    page.wait_for_url(f"{base}/accounts/2fa/authenticate/")
    screenshot(page, "mfa-authenticate")
    page.fill("#id_code", totp_code(secret))
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/relationships/")


def test_a_person_adds_a_security_key_and_logs_in_with_it(
    live_server, new_page, settings
) -> None:
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
    UserFactory(username="heidi", email="heidi@lead.example.org")
    base = live_server.url.replace("127.0.0.1", "localhost")
    page = new_page()
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    _log_in(page, base, "heidi")
    page.wait_for_url(f"{base}/relationships/")

    page.goto(f"{base}/accounts/2fa/webauthn/add/")
    _reauthenticate_if_asked(page)
    page.wait_for_selector("#mfa_webauthn_add")
    page.fill("#id_name", "Desk key")
    page.click("#mfa_webauthn_add")
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    screenshot(page, "mfa-webauthn-added")
    assert Authenticator.objects.filter(type="webauthn").exists()

    page.click("nav .dropdown-toggle")  # the account menu holds Log out

    page.click("nav form button[type=submit]")  # log out
    _log_in(page, base, "heidi")
    page.wait_for_url(f"{base}/accounts/2fa/authenticate/")
    page.click("#mfa_webauthn_authenticate")
    page.wait_for_url(f"{base}/relationships/")
