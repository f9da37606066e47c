"""What axe cannot see: where keyboard focus goes and whether it can be seen
(static/js/a11y.js, static/css/partnerplan.css).

- The skip link is the first Tab stop and moves focus to the main content.
- The assessment form's sticky save bar never covers the focused field
  (WCAG 2.2 SC 2.4.11 Focus Not Obscured), on a desktop and on a phone.
- The relationship tabs are all in sight on a phone, and reached by Tab.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.assessments.specs_assessments import joint_assessment
from tests.browser.conftest import log_in, screenshot
from tests.factories import TEST_PASSWORD

pytestmark = [
    pytest.mark.a11y,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

# The focused element's box, or that of the label it is drawn as (the level
# choices are visually hidden radio buttons shown by their labels), and the
# save bar's box.
FOCUS_AND_BAR = """() => {
    const focused = document.activeElement;
    const shown = focused.classList.contains('btn-check') && focused.labels.length
        ? focused.labels[0] : focused;
    const box = shown.getBoundingClientRect();
    const bar = document.querySelector('.save-bar').getBoundingClientRect();
    return {
        name: focused.tagName.toLowerCase() + (focused.name ? '[' + focused.name + ']'
            : focused.id ? '#' + focused.id : ''),
        inBar: Boolean(focused.closest('.save-bar')),
        top: box.top, bottom: box.bottom, height: box.height,
        covered: box.bottom > bar.top + 1 && box.top < bar.bottom
            && box.right > bar.left && box.left < bar.right,
    };
}"""

# Page scripts may scroll after the browser's own scrolling to the focused
# field: give them a moment, and only then call the field covered.
SETTLE_MS = 1_000


def _page(browser: Browser, width: int, height: int = 800) -> Page:
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def test_the_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(
    a11y_browser: Browser, live_server, world
) -> None:
    page = _page(a11y_browser, 1280)
    try:
        log_in(page, live_server.url, "alice", TEST_PASSWORD)
        page.goto(
            live_server.url + reverse("relationships:detail", args=["joint-venture"])
        )

        page.keyboard.press("Tab")
        skip_link = page.evaluate(
            "() => [document.activeElement.textContent.trim(),"
            " document.activeElement.getAttribute('href'),"
            " document.activeElement.getBoundingClientRect().width > 0]"
        )
        assert skip_link == ["Skip to main content", "#main", True]
        screenshot(page, "a11y-skip-link")

        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "main"
        # The next Tab stop is in the main content, past the top bar.
        page.keyboard.press("Tab")
        assert page.evaluate(
            "() => Boolean(document.activeElement.closest('main'))"
            " && !document.activeElement.closest('nav.navbar')"
        )
    finally:
        page.context.close()


@pytest.mark.parametrize("width", [1280, 320])
def test_the_sticky_save_bar_never_covers_the_focused_field(
    a11y_browser: Browser, live_server, world, width: int
) -> None:
    assessment = joint_assessment(world, levels=[3] * 12)
    url = reverse("assessments:assessment_edit", args=["joint-venture", assessment.pk])
    page = _page(a11y_browser, width, height=700)
    try:
        log_in(page, live_server.url, "alice", TEST_PASSWORD)
        page.goto(live_server.url + url)
        page.focus("#main")
        covered, checked = [], 0
        for _ in range(80):
            page.keyboard.press("Tab")
            state = page.evaluate(FOCUS_AND_BAR)
            if state["inBar"] or state["height"] == 0:
                continue
            checked += 1
            try:
                page.wait_for_function(
                    f"() => !({FOCUS_AND_BAR})().covered", timeout=SETTLE_MS
                )
            except PlaywrightTimeoutError:
                covered.append(page.evaluate(FOCUS_AND_BAR))
                screenshot(page, f"a11y-save-bar-covers-{width}px")
        assert checked >= 30
        assert not covered, covered[:3]
    finally:
        page.context.close()


def test_every_relationship_tab_is_in_sight_on_a_phone(
    a11y_browser: Browser, live_server, world
) -> None:
    page = _page(a11y_browser, 320)
    try:
        log_in(page, live_server.url, "alice", TEST_PASSWORD)
        page.goto(
            live_server.url + reverse("relationships:detail", args=["joint-venture"])
        )
        tabs = page.locator(".relationship-nav .nav-link")
        # Overview to Audit packs: every tab of the relationship's navigation.
        assert tabs.count() == 15
        for index in range(tabs.count()):
            box = tabs.nth(index).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320
        current = page.locator('.relationship-nav [aria-current="page"]')
        assert current.inner_text() == "Overview"
        screenshot(page, "a11y-relationship-tabs-320px")
    finally:
        page.context.close()
