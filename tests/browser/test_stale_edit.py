"""Two partners' managers edit the same risk in their browsers: the second save is
refused with the first one's change beside the second's input, which is kept, and
saving again keeps it. Screenshot: test-artifacts/screenshots/stale-edit.png."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from relationships.models import Risk
from tests.browser.conftest import log_in, screenshot
from tests.factories import TEST_PASSWORD, RiskFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_second_browser_sees_the_other_change_and_keeps_its_input(
    live_server, new_page, world
) -> None:
    risk = RiskFactory(relationship=world.relationship, title="Cash gap")
    url = live_server.url + reverse(
        "relationships:risk_edit", args=[world.relationship.reference, risk.pk]
    )
    alice, bob = new_page(), new_page()
    log_in(alice, live_server.url, "alice", TEST_PASSWORD)
    log_in(bob, live_server.url, "bob", TEST_PASSWORD)
    alice.goto(url)
    bob.goto(url)

    alice.get_by_label("Mitigation").fill("Monthly cash-flow review with the bank.")
    alice.get_by_role("button", name="Save risk").click()
    expect(alice.locator(".alert-success")).to_contain_text("Risk saved.")

    bob.get_by_label("Mitigation").fill("Invoice weekly instead of monthly.")
    bob.get_by_role("button", name="Save risk").click()
    notice = bob.locator("#stale-edit")
    expect(notice).to_contain_text("changed this risk while you were editing it")
    expect(notice).to_contain_text("Monthly cash-flow review with the bank.")
    expect(bob.get_by_label("Mitigation")).to_have_value(
        "Invoice weekly instead of monthly."
    )
    screenshot(bob, "stale-edit")
    assert Risk.objects.get(pk=risk.pk).mitigation.startswith("Monthly cash-flow")

    bob.get_by_role("button", name="Save risk").click()
    expect(bob.locator(".alert-success")).to_contain_text("Risk saved.")
    assert (
        Risk.objects.get(pk=risk.pk).mitigation == "Invoice weekly instead of monthly."
    )
