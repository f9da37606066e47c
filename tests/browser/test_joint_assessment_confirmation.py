"""Issue 11 in a real browser: both partners' representatives confirm the joint
assessment; a change after the first confirmation clears it; the assessment is
final only once both have confirmed the ratings as they are."""

import pytest
from playwright.sync_api import Page, expect

from assessments.choices import AssessmentStatus
from tests.assessments.factories_assessments import make_assessment
from tests.browser.conftest import log_in, screenshot
from tests.factories import TEST_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _confirm(page: Page, detail_url: str, partner: str) -> None:
    page.goto(detail_url)
    page.get_by_role("button", name=f"Confirm for {partner}").click()
    expect(page.locator(".alert-success")).to_contain_text(f"Confirmed for {partner}")


def test_both_partners_confirm_and_a_change_clears_the_first(
    live_server, new_page, world
) -> None:
    assessment = make_assessment(
        world, status=AssessmentStatus.SUBMITTED, levels=[3] * 12
    )
    detail_url = (
        f"{live_server.url}/relationships/{world.relationship.reference}"
        f"/assessments/{assessment.pk}/"
    )
    panel_row = "#confirmations tbody tr"

    alice = new_page()
    log_in(alice, live_server.url, "alice", TEST_PASSWORD)
    alice.goto(detail_url)
    # Alice represents the lead only: no button for the other partner.
    expect(alice.get_by_role("button", name="Confirm for Partner Org")).to_have_count(0)
    _confirm(alice, detail_url, "Lead Org")
    expect(alice.locator(panel_row).first).to_contain_text("Confirmed")
    expect(alice.get_by_text("1 of 2 partners confirmed")).to_be_visible()

    # Bob changes a rating: Alice's confirmation is cleared.
    bob = new_page()
    log_in(bob, live_server.url, "bob", TEST_PASSWORD)
    bob.goto(f"{detail_url}edit/")
    # By keyboard, and checked before saving: once, in a CI run under load, a
    # mouse click on the level's label left the level as it was ("No changes
    # to save").
    level = bob.locator("#id_value_creation-level_3")
    level.focus()
    bob.keyboard.press("Space")
    expect(level).to_be_checked()
    bob.locator("button[name='panel'][value='value_creation']").click()
    expect(bob.locator(".alert-success")).to_be_visible()
    bob.goto(detail_url)
    expect(bob.locator(panel_row).first).to_contain_text("Cleared")
    expect(bob.locator(panel_row).first).to_contain_text("The ratings were changed")
    expect(bob.get_by_text("0 of 2 partners confirmed")).to_be_visible()

    _confirm(bob, detail_url, "Partner Org")
    expect(bob.locator(".badge", has_text="Submitted").first).to_be_visible()
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED
    screenshot(bob, "joint-assessment-awaiting-confirmation")

    # Alice confirms the changed ratings: now every partner has confirmed.
    _confirm(alice, detail_url, "Lead Org")
    expect(alice.locator(".alert-success")).to_contain_text(
        "Every partner has now confirmed"
    )
    expect(alice.get_by_text("2 of 2 partners confirmed")).to_be_visible()
    screenshot(alice, "joint-assessment-confirmed")

    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.FINAL
    assert assessment.confirmations.filter(cleared_at__isnull=True).count() == 2
    assert assessment.confirmations.filter(cleared_by=world.bob).count() == 1
