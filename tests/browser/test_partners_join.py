"""A relationship is started and joined in the browser: the lead's manager starts
it and invites a new organisation by e-mail; the invited person creates the
account and organisation from the link, then seats a colleague."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page

from relationships.choices import MembershipRole
from relationships.models import JointManagementTeamMember, Membership
from tests.browser.conftest import log_in, screenshot
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "a long enough passphrase 42"


def _both_widths(page: Page, name: str) -> None:
    screenshot(page, name)
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, f"{name}-phone")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_new_partner_joins_by_its_e_mail_link_and_seats_its_people(
    live_server, new_page, world, settings
) -> None:
    settings.SITE_URL = live_server.url
    page = new_page()
    log_in(page, live_server.url, "alice", TEST_PASSWORD)
    page.get_by_role("link", name="Start a relationship").click()
    page.fill("#id_title", "Ocean sensors")
    page.fill("#id_reference", "ocean-sensors")
    page.select_option("#id_kind", "university_business")
    _both_widths(page, "relationship-create")
    page.get_by_role("button", name="Start the relationship").click()
    page.wait_for_url(f"{live_server.url}/relationships/ocean-sensors/partners/")

    page.get_by_role("link", name="Invite a partner").click()
    page.fill("#id_contact_name", "Nora New")
    page.fill("#id_email", "nora@newco.example")
    page.fill("#id_organisation_name", "NewCo")
    _both_widths(page, "partner-invite")
    page.get_by_role("button", name="Send the invitation").click()
    page.wait_for_url(f"{live_server.url}/relationships/ocean-sensors/partners/")
    assert page.get_by_text("Pending").is_visible()
    _both_widths(page, "partner-list-lead")

    link = re.search(r"http\S+/partner-invitations/\S+/", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    invited = new_page()
    invited.goto(link.group(0))
    invited.fill("#id_first_name", "Nora")
    invited.fill("#id_last_name", "New")
    invited.fill("#id_password", PASSWORD)
    invited.fill("#id_password_again", PASSWORD)
    invited.fill("#id_organisation_name", "NewCo Ltd")
    invited.select_option("#id_kind", "msme")
    invited.select_option("#id_msme_size", "small")
    _both_widths(invited, "partner-invitation-accept")
    invited.get_by_role("button", name="Create my account and join").click()
    invited.wait_for_url(f"{live_server.url}/relationships/ocean-sensors/partners/")

    nora = Membership.objects.get(
        user__email="nora@newco.example", role=MembershipRole.ORG_ADMIN
    )
    colleague = UserFactory(username="ned", first_name="Ned", last_name="Colleague")
    Membership.objects.create(
        user=colleague, organisation=nora.organisation, role=MembershipRole.JMT_MEMBER
    )
    invited.reload()
    invited.get_by_role("link", name="Seat our people").click()
    invited.select_option("#id_user", str(colleague.pk))
    invited.fill("#id_role_title", "Operations lead")
    invited.check("#id_is_leadership")
    invited.get_by_role("button", name="Add to the team").click()
    assert invited.get_by_text("Operations lead").is_visible()
    _both_widths(invited, "partnership-seats")
    seat = JointManagementTeamMember.objects.get(user=colleague)
    assert seat.is_leadership

    invited.goto(f"{live_server.url}/relationships/ocean-sensors/partners/")
    _both_widths(invited, "partner-list-partner")
