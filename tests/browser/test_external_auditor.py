"""An external auditor in Debian's chromium: logs in, sees only the relationship
granted to her, downloads its report and its audit pack, and is refused
everything else; and the
organisation admin's External auditors tab at desktop and phone width.
Screenshots in test-artifacts/screenshots/."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from accounts.models import ExternalAccessGrant, ExternalAccessLog
from tests.accounts.factories_external import external_auditor, yesterday
from tests.accounts.specs_organisations import organisation_admin
from tests.assessments.factories_reports import stored_report
from tests.assurance.specs_packs import stored_pack
from tests.browser.conftest import log_in, screenshot
from tests.factories import TEST_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _status(page: Page, url: str) -> int:
    response = page.goto(url)
    assert response is not None
    return response.status


def test_external_auditor_reads_the_granted_relationship_and_nothing_else(
    live_server, new_page, world
) -> None:
    external_auditor(world)
    stored_report(world.relationship)
    pack = stored_pack(relationship=world.relationship)
    other_pack = stored_pack(relationship=world.outsider_relationship)
    lead_pack = stored_pack(organisation=world.lead.organisation)
    page = new_page()
    base = live_server.url
    log_in(page, base, "erin", TEST_PASSWORD)

    listing = page.inner_text("main")
    assert "Joint venture" in listing
    assert "Outsider deal" not in listing
    page.goto(f"{base}/dashboard/")
    portfolio = page.inner_text("main")
    assert "Joint venture" in portfolio
    assert "Outsider deal" not in portfolio
    screenshot(page, "external-auditor-portfolio")

    page.goto(f"{base}/relationships/")
    page.get_by_role("link", name="Joint venture").first.click()
    page.wait_for_url(f"{base}/relationships/joint-venture/")
    page.goto(f"{base}/relationships/joint-venture/reports/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").first.click()
    with open(download_info.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    # The relationship's audit pack: listed on its tab, downloaded as a PDF
    # and its registers as an XLSX; no way to generate one (read-only).
    page.goto(f"{base}/relationships/joint-venture/")
    page.get_by_role("link", name="Audit packs").click()
    page.wait_for_url(f"{base}/assurance/relationships/joint-venture/audit-packs/")
    assert "Read-only access" in page.inner_text("main")
    assert page.get_by_role("link", name="Generate audit pack").count() == 0
    screenshot(page, "external-auditor-audit-packs")
    page.get_by_role("link", name=pack.number, exact=True).click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    assert download_info.value.suggested_filename == f"{pack.number}-audit-pack.pdf"
    with open(download_info.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download registers (XLSX)").click()
    assert download_info.value.suggested_filename.endswith(".xlsx")
    packs = "/assurance/relationships/joint-venture/audit-packs/"
    assert _status(page, f"{base}{packs}new/") == 403
    # Another relationship's pack, under its own URL or under the granted one,
    # and the lead organisation's own pack (not granted) are 404s.
    outsider_packs = "/assurance/relationships/outsider-deal/audit-packs/"
    assert _status(page, f"{base}{outsider_packs}{other_pack.pk}/download/") == 404
    assert _status(page, f"{base}{packs}{other_pack.pk}/download/") == 404
    lead_packs = "/assurance/organisations/lead-org/audit-packs/"
    assert _status(page, f"{base}{lead_packs}{lead_pack.pk}/download/") == 404

    assert _status(page, f"{base}/relationships/outsider-deal/") == 404
    assert _status(page, f"{base}/relationships/joint-venture/edit/") == 403
    assert _status(page, f"{base}/organisations/lead-org/") == 404
    assert _status(page, f"{base}/organisations/lead-org/external-access/") == 404
    assert _status(page, f"{base}/organisation/") == 404

    logged = set(ExternalAccessLog.objects.values_list("path", "status_code"))
    assert ("/relationships/outsider-deal/", 404) in logged
    assert ("/relationships/joint-venture/edit/", 403) in logged

    # Revoked while her session is open: the next page is a 404.
    ExternalAccessGrant.objects.update(revoked_at=timezone.now())
    assert _status(page, f"{base}/relationships/joint-venture/") == 404


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_external_auditors_tab_reads_well(
    live_server, new_page, world, width: int
) -> None:
    organisation_admin(world)
    external_auditor(world)
    external_auditor(world, username="lapsed", ends_on=yesterday())
    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, "olive", TEST_PASSWORD)
    page.goto(f"{live_server.url}/organisations/lead-org/external-access/")
    page.fill("#id_name", "Ivo Inspector")
    page.fill("#id_email", "ivo@certbody.example")
    page.check(f"input[name=relationships][value='{world.relationship.pk}']")
    page.fill(
        "#id_ends_on",
        (timezone.localdate() + datetime.timedelta(days=90)).isoformat(),
    )
    page.get_by_role("button", name="Grant access and send invitation").click()
    main = page.inner_text("main")
    assert "Read-only access granted to Ivo Inspector" in main
    assert "Lapsed" in main and "Active" in main and "Invited" in main
    width_used = page.evaluate("document.documentElement.scrollWidth")
    assert width_used <= width, width_used
    suffix = "" if width > 400 else "-phone"
    screenshot(page, f"organisation-external-auditors{suffix}")
