"""The first run and an organisation's admin pages in Debian's chromium, at
desktop width and on a 390 px phone; screenshots in test-artifacts/screenshots/."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page

from relationships.choices import MembershipRole
from relationships.models import JointManagementTeamMember, Membership
from tests.accounts.specs_organisations import organisation_admin
from tests.browser.conftest import log_in, screenshot
from tests.factories import TEST_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]
PASSWORD = "a long enough passphrase 42"


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def test_first_admin_follows_the_printed_link_and_invites_a_colleague(
    live_server, new_page, settings
) -> None:
    settings.SITE_URL = live_server.url
    out = io.StringIO()
    call_command(
        "create_first_organisation",
        "--name=Northbridge University",
        "--kind=university",
        "--admin-email=owen@northbridge.example",
        stdout=out,
    )
    link = re.search(r"Invitation link: (\S+)", out.getvalue()).group(1)
    page = new_page()
    page.goto(link)
    screenshot(page, "invitation-accept")
    page.fill("#id_first_name", "Owen")
    page.fill("#id_last_name", "Price")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.get_by_role("button", name="Create my account and join").click()
    page.wait_for_url("**/organisations/northbridge-university/people/")
    assert "Welcome to Partnerplan, Owen Price" in page.inner_text("main")
    screenshot(page, "organisation-people-first-admin")

    page.get_by_role("link", name="Invitations", exact=True).click()
    page.fill("#id_email", "priya@northbridge.example")
    page.select_option("#id_role", MembershipRole.RELATIONSHIP_MANAGER)
    page.get_by_role("button", name="Send invitation").click()
    assert "Invitation sent to priya@northbridge.example" in page.inner_text("main")
    assert page.get_by_text("Pending").is_visible()
    screenshot(page, "organisation-invitations")


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_admin_pages_read_well(live_server, new_page, world, width: int) -> None:
    organisation_admin(world)
    JointManagementTeamMember.objects.create(
        relationship=world.relationship,
        partnership=world.lead,
        user=world.carol,
        role_title="Programme lead",
        is_leadership=True,
    )
    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, "olive", TEST_PASSWORD)
    suffix = "" if width > 400 else "-phone"
    base = f"{live_server.url}/organisations/lead-org"
    for name, path in [
        ("profile", "/"),
        ("people", "/people/"),
        ("invitations", "/invitations/"),
        ("access", "/access/"),
        ("deactivate", f"/people/{world.carol.pk}/deactivate/"),
    ]:
        page.goto(base + path)
        assert page.locator("h1").inner_text().startswith("Lead Org")
        _no_sideways_scroll(page)
        screenshot(page, f"organisation-{name}{suffix}")
    page.get_by_role("button", name="Deactivate").click()
    assert "is deactivated" in page.inner_text("main")
    assert Membership.objects.get(user=world.carol).deactivated_at is not None
