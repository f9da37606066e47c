"""The Content-Security-Policy in a real browser: the main pages load with no
violation (no inline script or style is left that the policy would block), and
their scripts and styles, now static files, still do their jobs."""

import re
from collections.abc import Callable

import pytest
from django.core.cache import cache
from playwright.sync_api import ConsoleMessage, Page

from relationships.demo import DEMO_PASSWORD, UBC, demo_load
from tests.browser.conftest import log_in
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before any page script (Playwright injects it past the policy) and keeps
# every violation the browser reports.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


class PolicyWatch:
    """Opens pages and fails on any policy violation or console CSP error."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.console_errors: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.console_errors.append(message.text)

    def visit(self, path: str, then: Callable[[Page], None] | None = None) -> None:
        response = self.page.goto(f"{self.base_url}{path}")
        assert response is not None and response.status == 200, path
        policy = response.headers["content-security-policy"]
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        self.page.wait_for_load_state("load")
        if then is not None:
            then(self.page)
        self.assert_clean(path)

    def assert_clean(self, path: str) -> None:
        violations = self.page.evaluate("window.cspViolations")
        assert violations == [], (path, violations)
        assert self.console_errors == [], (path, self.console_errors)


def _styles_applied(page: Page) -> None:
    """Bootstrap and the page's own stylesheet (no longer inline) are in force."""
    navbar = page.locator("nav.navbar").first
    assert navbar.evaluate("e => getComputedStyle(e).display") == "flex"


def _charts_styled(page: Page) -> None:
    # The radar's first series is drawn in the first series colour by the
    # linked chart stylesheet (pygal's own <style> is not in the page).
    assert page.locator("figure.chart svg style").count() == 0
    stroke = page.locator("figure.chart svg .series.color-0").first.evaluate(
        "e => getComputedStyle(e).stroke"
    )
    assert stroke == "rgb(11, 83, 148)", stroke
    background = page.locator("figure.chart svg .plot > .background").first
    assert background.evaluate("e => getComputedStyle(e).fill") == "rgb(255, 255, 255)"
    heat_cell = page.locator("[class*=heat-]").first
    assert heat_cell.count() == 1


def _progress_bars_sized(page: Page) -> None:
    bars = page.locator(".bar-fill[class*=pp-w-]")
    assert bars.count() > 0
    widths = bars.evaluate_all("els => els.map(e => e.getBoundingClientRect().width)")
    assert max(widths) > 0


def _move_warning_follows_the_chosen_stage(page: Page) -> None:
    form = page.locator(".stage-move-form")
    select = form.locator("select[name=to_stage]")
    options = select.locator("option").evaluate_all(
        "els => els.map(e => e.value).filter(Boolean)"
    )
    assert len(options) >= 2
    for value in options[:2]:
        select.select_option(value)
        visible = form.locator(".move-warning:not([hidden])")
        assert visible.count() == 1
        assert visible.get_attribute("data-stage") == value


def _unsaved_note_appears_on_input(page: Page) -> None:
    note = page.locator("#unsaved-note")
    assert note.is_hidden()
    page.locator("#assessment-form textarea:visible").first.fill("A change")
    assert note.is_visible()


def test_main_pages_load_without_policy_violations_and_scripts_work(
    live_server, new_page
) -> None:
    cache.clear()
    demo_load()
    page = new_page()
    watch = PolicyWatch(page, live_server.url)
    watch.visit("/accounts/login/", _styles_applied)
    log_in(page, live_server.url, "james.uni", DEMO_PASSWORD)
    watch.assert_clean("/accounts/login/ (logging in)")

    watch.visit("/dashboard/", _progress_bars_sized)
    watch.visit(f"/relationships/{UBC}/dashboard/", _charts_styled)
    watch.visit(f"/relationships/{UBC}/")
    watch.visit(f"/relationships/{UBC}/plan/")
    watch.visit(f"/relationships/{UBC}/plan/sections/relationship_management/edit/")
    watch.visit("/risks/")
    watch.visit(f"/relationships/{UBC}/risks/")
    watch.visit("/objectives/")
    watch.visit(f"/relationships/{UBC}/reports/")
    watch.visit(
        f"/relationships/{UBC}/lifecycle/", _move_warning_follows_the_chosen_stage
    )

    # The assessment form: start this quarter's self-assessment, then edit it.
    watch.visit(f"/relationships/{UBC}/assessments/")
    page.goto(f"{live_server.url}/relationships/{UBC}/assessments/start/")
    page.locator("input[name=subject]").first.check()
    page.get_by_role("button", name="Start").click()
    page.wait_for_url(re.compile(r".*/assessments/\d+/.*"))
    assessment = re.search(r"/assessments/(\d+)/", page.url)[1]
    watch.visit(
        f"/relationships/{UBC}/assessments/{assessment}/edit/",
        _unsaved_note_appears_on_input,
    )


def test_go_back_link_of_a_refused_page_works_without_inline_script(
    live_server, new_page, world
) -> None:
    page = new_page()
    watch = PolicyWatch(page, live_server.url)
    log_in(page, live_server.url, "dave", TEST_PASSWORD)  # the partner's auditor
    detail = f"/relationships/{world.relationship.reference}/"
    watch.visit(detail)
    response = page.goto(f"{live_server.url}{detail}edit/")
    assert response is not None and response.status == 403
    watch.assert_clean("403 page")
    page.get_by_role("link", name="Go back").click()
    page.wait_for_url(f"{live_server.url}{detail}")
