import pytest

from tests.browser.conftest import log_in, screenshot
from tests.factories import TEST_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_a_manager_logs_in_and_sees_only_their_relationships(
    live_server, new_page, world
) -> None:
    page = new_page()
    log_in(page, live_server.url, "alice", TEST_PASSWORD)
    assert page.locator("h1").inner_text() == "Relationships"
    assert page.get_by_role("link", name="Joint venture").is_visible()
    assert page.get_by_text("Outsider deal").count() == 0
    screenshot(page, "relationship-list")

    page.get_by_role("link", name="Joint venture").click()
    assert page.locator("h1").inner_text() == "Joint venture"
    assert screenshot(page, "relationship-detail").stat().st_size > 10_000
