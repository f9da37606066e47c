"""Single sign-on in the browser: our login page, the real provider's login and
consent pages (node-oidc-provider, started by tests/sso/conftest.py's fixtures),
and back to the app, logged in as the matched member."""

import pytest
from allauth.socialaccount.models import SocialAccount

from tests.browser.conftest import screenshot
from tests.sso.conftest import oidc_provider_start, sso_world  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_logs_in_through_their_organisations_provider(
    live_server,
    new_page,
    sso_world,  # noqa: F811 (the fixture imported above)
) -> None:
    page = new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Your work e-mail").fill("ana@uni.example")
    screenshot(page, "sso-login-page")
    page.get_by_role("button", name="Continue").click()

    # The provider's own pages: its login form (login hint filled in), then consent.
    page.wait_for_url(f"{sso_world.issuer}/interaction/**")
    assert page.locator("input[name=login]").input_value() == "ana@uni.example"
    page.fill("input[name=password]", "any password at the test provider")
    screenshot(page, "sso-provider-login")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url(f"{live_server.url}/relationships/")
    assert "Ana Lima" in page.locator("nav").inner_text()
    screenshot(page, "sso-logged-in")
    account = SocialAccount.objects.get(user=sso_world.ana)
    assert account.provider == sso_world.identity_provider.provider_id
    assert account.uid == "ana@uni.example"
