"""Signers and fingerprints in a real browser: a sign-off made stale by a change
behind the editor is shown as no longer valid and given again; the versions page
and the diff show who signed, for whom, when, and the fingerprint, whose full
value opens from the keyboard. Screenshots go to test-artifacts/."""

import pytest
from playwright.sync_api import expect

from relationships.models import PlanVersion
from relationships.selectors.plans import plan_version_fingerprint
from relationships.services.plans import plan_version_submit
from tests.browser.conftest import log_in, screenshot
from tests.factories import TEST_PASSWORD
from tests.relationships.factories_plans import start_plan

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_a_stale_sign_off_is_shown_and_given_again_then_signers_are_listed(
    live_server, new_page, world
) -> None:
    plan_version = start_plan(world, filled=True).versions.get()
    plan_version_submit(
        plan_version=plan_version, relationship=world.relationship, user=world.alice
    )
    base = f"{live_server.url}/relationships/{world.relationship.reference}"

    alice = new_page()
    log_in(alice, live_server.url, "alice", TEST_PASSWORD)
    alice.goto(f"{base}/plan/")
    alice.get_by_role("button", name="Sign off for Lead Org").click()
    expect(alice.locator(".alert-success")).to_be_visible()

    section = plan_version.sections.get(principle_key="governance_processes")
    section.content = {**section.content, "summary": "Changed in the admin."}
    section.save()

    alice.goto(f"{base}/plan/")
    expect(
        alice.get_by_text("No longer valid: the content changed after signing")
    ).to_be_visible()
    screenshot(alice, "plan-overview-stale-sign-off")
    alice.get_by_role("button", name="Sign off for Lead Org").click()
    expect(alice.locator(".alert-success")).to_be_visible()

    bob = new_page()
    log_in(bob, live_server.url, "bob", TEST_PASSWORD)
    bob.goto(f"{base}/plan/")
    bob.get_by_role("button", name="Sign off for Partner Org").click()
    expect(bob.locator(".alert-success")).to_contain_text("approved and frozen")

    fingerprint = plan_version_fingerprint(
        plan_version=PlanVersion.objects.get(pk=plan_version.pk)
    )
    bob.goto(f"{base}/plan/versions/")
    full = bob.get_by_text(fingerprint, exact=True).first
    expect(full).to_be_hidden()
    bob.locator(".plan-fingerprint summary").first.focus()
    bob.keyboard.press("Enter")
    expect(full).to_be_visible()
    screenshot(bob, "plan-versions-signers")

    bob.goto(f"{base}/plan/")
    bob.get_by_role("button", name="Start a new draft").click()
    bob.goto(f"{base}/plan/diff/")
    expect(bob.get_by_text("Sign-offs of version 1")).to_be_visible()
    screenshot(bob, "plan-diff-signers")
