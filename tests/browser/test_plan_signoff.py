"""Issue 3's end-to-end path in a real browser: a relationship manager fills a plan
section, adds an objective and a risk, submits the plan; both partners' managers
sign it off; the plan shows as approved. Screenshots go to test-artifacts/."""

import re

import pytest
from playwright.sync_api import Page, expect

from relationships.models import Objective, PlanSection, PlanVersion, Risk
from relationships.plan_schema import FieldKind, section_fields
from tests.browser.conftest import log_in, screenshot
from tests.factories import TEST_PASSWORD
from tests.relationships.factories_plans import sample_value, start_plan

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]
SECTION = "exit_strategy"


def _fill_section(page: Page, relationship_kind: str) -> None:
    for plan_field in section_fields(
        principle_key=SECTION, relationship_kind=relationship_kind
    ):
        value = str(sample_value(plan_field))
        locator = page.locator(f"[name='{plan_field.key}']")
        if plan_field.kind == FieldKind.CHOICE:
            locator.select_option(value)
        else:
            locator.fill(value)


def _sign_off(page: Page, base: str) -> None:
    page.goto(f"{base}/plan/decide/")
    page.get_by_label("Sign off this version").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".alert-success")).to_be_visible()


def test_manager_fills_plan_partner_signs_and_plan_is_approved(
    live_server, new_page, world
) -> None:
    # Every section but the exit strategy is already written.
    plan = start_plan(world, filled=True)
    PlanSection.objects.filter(plan_version__plan=plan, principle_key=SECTION).update(
        content={}
    )
    base = f"{live_server.url}/relationships/{world.relationship.reference}"

    alice = new_page()
    log_in(alice, live_server.url, "alice", TEST_PASSWORD)
    alice.goto(f"{base}/plan/")
    screenshot(alice, "plan-overview-draft")
    alice.goto(f"{base}/plan/sections/{SECTION}/edit/")
    expect(alice.get_by_role("heading", name="Guidance for your side")).to_be_visible()
    expect(alice.get_by_text("Why it matters")).to_be_visible()
    _fill_section(alice, world.relationship.kind)
    screenshot(alice, "plan-section-edit")
    alice.get_by_role("button", name=re.compile(r"^Save( section)?$")).click()
    expect(alice.locator(".alert-success")).to_be_visible()

    alice.goto(f"{base}/objectives/new/")
    alice.fill("[name='title']", "Cut joint lead time by a quarter")
    alice.select_option("[name='horizon']", "medium")
    alice.fill("[name='kpi_name']", "Lead time")
    alice.fill("[name='kpi_target']", "30")
    alice.get_by_role("button", name="Save objective").click()
    expect(alice.locator(".alert-success")).to_be_visible()

    alice.goto(f"{base}/risks/new/")
    alice.fill("[name='title']", "Key engineer leaves mid-project")
    alice.select_option("[name='likelihood']", "3")
    alice.select_option("[name='impact']", "4")
    alice.get_by_role("button", name="Save risk").click()
    expect(alice.locator(".alert-success")).to_be_visible()
    screenshot(alice, "risk-register")

    alice.goto(f"{base}/plan/submit/")
    alice.fill("[name='summary']", "First joint plan")
    alice.get_by_role("button", name="Submit for sign-off").click()
    expect(alice.locator(".alert-success")).to_be_visible()
    _sign_off(alice, base)

    bob = new_page()
    log_in(bob, live_server.url, "bob", TEST_PASSWORD)
    _sign_off(bob, base)
    bob.goto(f"{base}/plan/")
    expect(bob.get_by_text("Approved").first).to_be_visible()
    screenshot(bob, "plan-overview-approved")

    version = PlanVersion.objects.get(plan=plan)
    assert version.status == "approved" and version.approved_at is not None
    assert version.decisions.filter(decision="approve").count() == 2
    assert Objective.objects.filter(title="Cut joint lead time by a quarter").exists()
    assert Risk.objects.get(title="Key engineer leaves mid-project").score == 12
