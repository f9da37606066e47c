"""Issue 12's whole path in Debian's chromium, through the UI: the first admin,
created as the README says, invites a colleague, who sets a password and enrols
TOTP; the colleague starts a relationship and invites a new partner organisation
by e-mail; its person creates the organisation and invites a colleague; both
partners seat their teams; the plan is drafted, submitted and signed by both; the
first assessment is started. Screenshots: test-artifacts/screenshots/walk-*."""

import io
import re
import time
from collections.abc import Callable

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import Page, expect

from assessments.models import Assessment
from relationships.choices import MembershipRole, PartnerRole
from relationships.models import (
    JointManagementTeamMember,
    Membership,
    Organisation,
    PartnerInvitation,
    Partnership,
    PlanVersion,
    Relationship,
)
from relationships.plan_schema import FieldKind, PrincipleKey, section_fields
from tests.accounts.helpers import totp_code
from tests.browser.conftest import screenshot
from tests.relationships.factories_plans import sample_value

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "a long enough passphrase 42"
REFERENCE = "harbour-sensors"


def _link_in_last_mail(to: str, pattern: str) -> str:
    message = next(m for m in reversed(mail.outbox) if to in m.to)
    link = re.search(pattern, message.body)
    assert link, message.body
    return link.group(0)


def _invitation_link(to: str) -> str:
    return _link_in_last_mail(to, r"http\S+/invitations/\S+/")


def _fresh_totp(secret: str) -> str:
    """The app's code, read early enough in its 30 s window that the server checks
    it in the same window (the site accepts no neighbouring one)."""
    period = mfa_settings.TOTP_PERIOD
    if time.time() % period > period - 5:
        time.sleep(period - time.time() % period + 0.1)
    return totp_code(secret)


def _success(page: Page, text: str) -> None:
    expect(page.locator(".alert-success").filter(has_text=text)).to_be_visible()


def _log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.click("#login_form button[type=submit]")


def _log_out(page: Page, base: str) -> None:
    page.click("nav .dropdown-toggle")  # the account menu holds Log out
    page.click("nav form button[type=submit]")
    page.wait_for_url(lambda url: "/relationships/" not in url)


def _accept_organisation_invitation(
    new_page: Callable[[], Page], link: str, first: str, last: str
) -> Page:
    """The invited person opens the link and sets a password."""
    page = new_page()
    page.goto(link)
    page.fill("#id_first_name", first)
    page.fill("#id_last_name", last)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.get_by_role("button", name="Create my account and join").click()
    return page


def _invite_colleague(page: Page, email: str, role: str, name: str) -> None:
    page.get_by_role("link", name="Organisation", exact=True).click()
    page.get_by_role("link", name="Invitations", exact=True).click()
    page.fill("#id_email", email)
    page.select_option("#id_role", role)
    page.get_by_role("button", name="Send invitation").click()
    _success(page, f"Invitation sent to {email}")
    expect(page.locator("tr", has_text=email).get_by_text("Pending")).to_be_visible()
    screenshot(page, name)


def _seat(page: Page, person: str, role_title: str) -> None:
    page.select_option("#id_user", label=person)
    page.fill("#id_role_title", role_title)
    page.check("#id_is_leadership")
    page.get_by_role("button", name="Add to the team").click()
    _success(page, f"{person} seated.")


def _name_manager_and_executive(page: Page, manager: str, executive: str) -> None:
    page.select_option("#id_relationship_manager", label=manager)
    page.select_option("#id_senior_executive", label=executive)
    page.get_by_role("button", name="Save", exact=True).click()
    _success(page, "people saved.")


def _fill_every_section(page: Page, base: str, relationship_kind: str) -> None:
    """Every section through its edit form, saving each and going to the next."""
    keys = list(PrincipleKey.values)
    page.goto(f"{base}/plan/sections/{keys[0]}/edit/")
    for index, key in enumerate(keys):
        for plan_field in section_fields(
            principle_key=key, relationship_kind=relationship_kind
        ):
            locator = page.locator(f"[name='{plan_field.key}']")
            if not locator.is_visible():
                continue  # folded away: not asked for at this depth
            value = str(sample_value(plan_field))
            if plan_field.kind == FieldKind.CHOICE:
                locator.select_option(value)
            else:
                locator.fill(value)
        if index == 0:
            screenshot(page, "walk-14-plan-section-edit")
        last = index == len(keys) - 1
        with page.expect_navigation():
            page.click(f"button[name='{'save' if last else 'save_next'}']")
        _success(page, "Saved “")
        page.wait_for_url(f"**/plan/sections/{key if last else keys[index + 1]}/edit/")


def test_from_the_first_admin_to_the_first_assessment(
    live_server, new_page, settings
) -> None:
    settings.SITE_URL = live_server.url
    base = live_server.url
    rel = f"{base}/relationships/{REFERENCE}"

    # 1. The first admin, as the README says: one command prints the link.
    out = io.StringIO()
    call_command(
        "create_first_organisation",
        "--name=Northbridge University",
        "--kind=university",
        "--admin-email=owen@northbridge.example",
        stdout=out,
    )
    link = re.search(r"Invitation link: (\S+)", out.getvalue()).group(1)
    assert link.startswith(base)
    assert link in mail.outbox[-1].body
    owen = _accept_organisation_invitation(new_page, link, "Owen", "Price")
    owen.wait_for_url("**/organisations/northbridge-university/people/")
    _success(owen, "Welcome to Partnerplan, Owen Price")
    screenshot(owen, "walk-01-first-admin")
    northbridge = Organisation.objects.get(slug="northbridge-university")
    assert (
        Membership.objects.get(
            organisation=northbridge, user__email="owen@northbridge.example"
        ).role
        == MembershipRole.ORG_ADMIN
    )

    # 2. The admin invites a colleague, who sets a password and enrols TOTP.
    _invite_colleague(
        owen,
        "priya@northbridge.example",
        MembershipRole.RELATIONSHIP_MANAGER,
        "walk-02-admin-invites-colleague",
    )
    priya = _accept_organisation_invitation(
        new_page, _invitation_link("priya@northbridge.example"), "Priya", "Shah"
    )
    priya.wait_for_url(f"{base}/relationships/")
    _success(priya, "you are now a member of Northbridge University")
    screenshot(priya, "walk-03-colleague-joined")
    assert Membership.objects.filter(
        organisation=northbridge,
        user__email="priya@northbridge.example",
        role=MembershipRole.RELATIONSHIP_MANAGER,
    ).exists()

    priya.get_by_role("button", name="Priya Shah").click()
    priya.get_by_role("link", name="Two-factor authentication").click()
    screenshot(priya, "walk-04-two-factor-page")
    priya.get_by_role("link", name=re.compile("Activate")).first.click()
    if "/reauthenticate/" in priya.url:
        priya.fill("#id_password", PASSWORD)
        priya.click("main form button[type=submit]")
    priya.wait_for_selector("#authenticator_secret")
    secret = priya.input_value("#authenticator_secret")
    priya.fill("#id_code", _fresh_totp(secret))
    screenshot(priya, "walk-05-totp-activate")
    priya.click("main form button[type=submit]")
    priya.wait_for_url(f"{base}/accounts/2fa/recovery-codes/**")
    screenshot(priya, "walk-06-recovery-codes")
    assert Authenticator.objects.filter(
        user__email="priya@northbridge.example", type="totp"
    ).exists()

    _log_out(priya, base)
    _log_in(priya, base, "priya@northbridge.example")
    priya.wait_for_url(f"{base}/accounts/2fa/authenticate/")
    screenshot(priya, "walk-07-totp-asked")
    priya.fill("#id_code", _fresh_totp(secret))
    priya.click("main form button[type=submit]")
    priya.wait_for_url(f"{base}/relationships/")

    # 3. She starts a relationship and invites a new partner organisation.
    priya.get_by_role("link", name="Start a relationship").first.click()
    priya.fill("#id_title", "Harbour sensors")
    priya.fill("#id_reference", REFERENCE)
    priya.select_option("#id_kind", "university_business")
    priya.get_by_role("button", name="Start the relationship").click()
    priya.wait_for_url(f"{rel}/partners/")
    _success(priya, "Relationship started")
    relationship = Relationship.objects.get(reference=REFERENCE)
    lead = relationship.partnerships.get()
    assert lead.organisation == northbridge and lead.role == PartnerRole.LEAD

    priya.get_by_role("link", name="Invite a partner").click()
    priya.fill("#id_contact_name", "Nora Quinn")
    priya.fill("#id_email", "nora@quaytech.example")
    priya.fill("#id_organisation_name", "Quaytech")
    priya.get_by_role("button", name="Send the invitation").click()
    priya.wait_for_url(f"{rel}/partners/")
    _success(priya, "Invitation sent to Quaytech")
    expect(priya.get_by_text("Pending")).to_be_visible()
    assert PartnerInvitation.objects.get(relationship=relationship).state == "pending"
    screenshot(priya, "walk-08-partner-invited")

    nora = new_page()
    nora.goto(
        _link_in_last_mail("nora@quaytech.example", r"http\S+/partner-invitations/\S+/")
    )
    nora.fill("#id_first_name", "Nora")
    nora.fill("#id_last_name", "Quinn")
    nora.fill("#id_password", PASSWORD)
    nora.fill("#id_password_again", PASSWORD)
    nora.fill("#id_organisation_name", "Quaytech Ltd")
    nora.select_option("#id_kind", "msme")
    nora.select_option("#id_msme_size", "small")
    screenshot(nora, "walk-09-partner-accepts")
    nora.get_by_role("button", name="Create my account and join").click()
    nora.wait_for_url(re.compile(r".*/partners/$"))
    _success(nora, "Welcome to Partnerplan: Quaytech Ltd takes part")
    quaytech = Organisation.objects.get(name="Quaytech Ltd")
    partner = Partnership.objects.get(relationship=relationship, organisation=quaytech)
    assert PartnerInvitation.objects.get(relationship=relationship).state == "accepted"
    assert Membership.objects.filter(
        organisation=quaytech,
        user__email="nora@quaytech.example",
        role=MembershipRole.ORG_ADMIN,
    ).exists()

    _invite_colleague(
        nora,
        "ned@quaytech.example",
        MembershipRole.JMT_MEMBER,
        "walk-10-partner-invites-colleague",
    )
    ned = _accept_organisation_invitation(
        new_page, _invitation_link("ned@quaytech.example"), "Ned", "Okafor"
    )
    ned.wait_for_url(f"{base}/relationships/")
    _success(ned, "you are now a member of Quaytech Ltd")
    expect(ned.get_by_role("link", name="Harbour sensors")).to_be_visible()

    # 4. Both partners seat their teams.
    priya.goto(f"{rel}/partners/")
    priya.locator(".card", has_text="Northbridge University").get_by_role(
        "link", name="Seat our people"
    ).click()
    _name_manager_and_executive(priya, "Priya Shah", "Owen Price")
    _seat(priya, "Owen Price", "Vice-chancellor for enterprise")
    screenshot(priya, "walk-11-lead-seats")

    nora.goto(f"{rel}/partners/")
    nora.locator(".card", has_text="Quaytech Ltd").get_by_role(
        "link", name="Seat our people"
    ).click()
    _name_manager_and_executive(nora, "Nora Quinn", "Nora Quinn")
    _seat(nora, "Ned Okafor", "Operations lead")
    screenshot(nora, "walk-12-partner-seats")
    nora.goto(f"{rel}/partners/")
    expect(nora.get_by_text("Signs the plan")).to_have_count(2)
    screenshot(nora, "walk-13-partners-and-team")
    lead.refresh_from_db()
    partner.refresh_from_db()
    assert lead.relationship_manager.email == "priya@northbridge.example"
    assert lead.senior_executive.email == "owen@northbridge.example"
    assert partner.senior_executive.email == "nora@quaytech.example"
    assert set(
        JointManagementTeamMember.objects.filter(
            relationship=relationship, is_leadership=True
        ).values_list("user__email", flat=True)
    ) == {"owen@northbridge.example", "ned@quaytech.example"}

    # 5. The plan is drafted, submitted and signed by both partners.
    priya.get_by_role("link", name="Plan", exact=True).click()
    priya.get_by_role("button", name="Start the plan").click()
    _success(priya, "Plan started at the essentials depth")  # an MSME takes part
    _fill_every_section(priya, rel, relationship.kind)
    priya.goto(f"{rel}/plan/")
    expect(
        priya.get_by_text(re.compile(r"(\d+) of \1 required fields"))
    ).to_be_visible()
    screenshot(priya, "walk-15-plan-drafted")
    priya.get_by_role("link", name="Submit for sign-off…").click()
    priya.fill("[name='summary']", "Our first joint plan")
    sent_before = len(mail.outbox)
    priya.get_by_role("button", name="Submit for sign-off").click()
    _success(priya, "Version 1 was submitted")
    expect(priya.get_by_text("Awaiting sign-off", exact=True)).to_be_visible()
    screenshot(priya, "walk-16-plan-submitted")
    version = PlanVersion.objects.get(plan__relationship=relationship)
    assert version.status == "submitted"
    asked = {address for m in mail.outbox[sent_before:] for address in m.to}
    # Every representative but the submitter is asked, once.
    assert asked == {
        "owen@northbridge.example",
        "nora@quaytech.example",
        "ned@quaytech.example",
    }, asked
    assert len(mail.outbox) - sent_before == 3

    # The lead signs on the decision page; the partner's plan representative
    # follows the e-mailed link and signs from the plan's overview.
    priya.goto(f"{rel}/plan/decide/")
    priya.get_by_label("Sign off this version").check()
    priya.get_by_role("button", name="Record decision").click()
    _success(priya, "Signed off for Northbridge University. The version is approved")
    screenshot(priya, "walk-17-signed-by-lead")
    ned.goto(_link_in_last_mail("ned@quaytech.example", rf"http\S+/{REFERENCE}/\S*"))
    ned.get_by_role("button", name="Sign off for Quaytech Ltd").click()
    _success(ned, "Every partner has now signed: version 1 is approved")
    ned.goto(f"{rel}/plan/")
    expect(ned.get_by_text("Approved").first).to_be_visible()
    screenshot(ned, "walk-18-plan-approved")
    version.refresh_from_db()
    assert version.status == "approved"
    assert set(
        version.decisions.filter(decision="approve").values_list(
            "partnership__organisation__name", flat=True
        )
    ) == {"Northbridge University", "Quaytech Ltd"}

    # 6. The first assessment is started.
    priya.get_by_role("link", name="Assessments", exact=True).click()
    expect(priya.get_by_text("Not started").first).to_be_visible()
    screenshot(priya, "walk-19-assessments-none-yet")
    priya.locator(
        "form", has_text="Self-assessment of Northbridge University"
    ).get_by_role("button", name="Start", exact=True).click()
    _success(priya, "Save as you go")
    screenshot(priya, "walk-20-assessment-started")
    assessment = Assessment.objects.get(relationship=relationship)
    assert assessment.partnership == lead and assessment.kind == "self"
