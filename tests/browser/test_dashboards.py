import pytest
from django.core.cache import cache

from relationships.demo import DEMO_PASSWORD, UBC, demo_load
from tests.browser.conftest import log_in, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_a_joint_team_member_reviews_both_dashboards(live_server, new_page) -> None:
    cache.clear()
    demo_load()
    page = new_page()
    log_in(page, live_server.url, "james.uni", DEMO_PASSWORD)

    page.goto(f"{live_server.url}/dashboard/")
    assert page.locator("h1").inner_text() == "Portfolio dashboard"
    grid = page.locator("table.heat-grid")
    # Northbridge works with Lumen and with Calder: a row for each relationship.
    assert grid.locator("tbody tr").count() == 2
    assert grid.locator("td.hg").count() == 2 * 12
    assert grid.locator("td.hg.l0").count() == 0  # every principle is rated
    assert page.get_by_text("Relationships with perception gaps").is_visible()
    assert screenshot(page, "dashboard-portfolio").stat().st_size > 20_000

    grid.get_by_role("link", name="Northbridge and Lumen").click()
    page.wait_for_url(f"{live_server.url}/relationships/{UBC}/dashboard/")
    assert page.locator("figure.chart svg").count() == 3
    page.get_by_text("Show the data as a table").first.click()
    assert page.locator("details[open] table tbody tr").count() == 12
    assert screenshot(page, "dashboard-relationship").stat().st_size > 50_000


def test_an_msme_manager_sees_only_their_relationship(live_server, new_page) -> None:
    cache.clear()
    demo_load()
    page = new_page()
    log_in(page, live_server.url, "sam.wren", DEMO_PASSWORD)

    page.goto(f"{live_server.url}/dashboard/?sort=-score")
    rows = page.locator("table.heat-grid tbody tr")
    assert rows.count() == 1
    assert "Calder supplier development programme" in rows.first.inner_text()
    assert page.get_by_text("Northbridge").count() == 0
