"""Both dashboards issue the same number of queries at 10 and at 100 relationships.

The portfolios come from the generate_portfolio command (4 to 8 quarters of
assessments each, objectives, risks, actions and plans). The counts are the ones
measured at 10 relationships; they must not grow with the portfolio.
"""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from assessments.selectors.dashboards import (
    PORTFOLIO_PAGE_SIZE,
    dashboard_catalogue_invalidate,
)
from relationships.models import Relationship
from tests.assessments.factories_dashboards import (
    PORTFOLIO_PASSWORD,
    generate_portfolio,
)

pytestmark = pytest.mark.django_db

# Warm: the session, the user, their organisations, the check that their summaries
# are for today, and the page's summary rows; the counters come from the cache.
# Cold, also: the catalogue (maturity scale, stages, principles), the counters
# (one aggregate of the summaries; the first few items of each: for overdue
# actions, risks past review and objectives off track, the few relationships whose
# items come first, then their items; for plans out for signature, the summaries
# of partners yet to sign, then those the user signs for), and the distributions.
PORTFOLIO_QUERIES_WARM = 5
PORTFOLIO_QUERIES_COLD = 20
# The session, the user, the access check, the viewer's audience (key).
RELATIONSHIP_QUERIES_WARM = 4
# Cold, also: the catalogue (maturity scale, stages, principles) and the
# dashboard's own five: the shared ratings with their assessments, the assessment
# schedule, objectives, open risks, actions.
RELATIONSHIP_QUERIES_COLD = 12
FILTERED = {
    "kind": "general",
    "min_score": "10",
    "max_score": "95",
    "overdue": "yes",
    "partner": "synthetic",
    "sort": "-trend",
}


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    dashboard_catalogue_invalidate()
    yield
    cache.clear()


def _viewer(client: Client) -> Client:
    assert client.login(username="portfolio.viewer", password=PORTFOLIO_PASSWORD)
    return client


@pytest.mark.parametrize("size", [10, 100])
def test_portfolio_dashboard_queries_do_not_grow_with_the_portfolio(
    client, django_assert_num_queries, size: int
) -> None:
    generate_portfolio(size)
    client = _viewer(client)
    url = reverse("assessments:portfolio_dashboard")

    with django_assert_num_queries(PORTFOLIO_QUERIES_COLD):
        response = client.get(url)
    assert response.status_code == 200
    assert f"{size} relationships you can see" in response.content.decode()

    with django_assert_num_queries(PORTFOLIO_QUERIES_WARM):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("size", [10, 100])
def test_filtered_and_sorted_portfolio_queries_do_not_grow(
    client, django_assert_num_queries, size: int
) -> None:
    generate_portfolio(size)
    client = _viewer(client)
    url = reverse("assessments:portfolio_dashboard")

    with django_assert_num_queries(PORTFOLIO_QUERIES_COLD):
        assert client.get(url, {"sort": "-score"}).status_code == 200
    cache.clear()
    dashboard_catalogue_invalidate()
    # An empty cache also lost the viewer's MFA verdict
    # (accounts.selectors.mfa_gate_for), one query; no plan is out for signature
    # among the filtered relationships, so who signs for their partners is not
    # asked.
    with django_assert_num_queries(PORTFOLIO_QUERIES_COLD + 1 - 1):
        assert client.get(url, FILTERED).status_code == 200


@pytest.mark.parametrize("size", [10, 100])
def test_later_pages_cost_the_same(
    client, django_assert_num_queries, settings, size: int
) -> None:
    generate_portfolio(size)
    client = _viewer(client)
    url = reverse("assessments:portfolio_dashboard")
    with django_assert_num_queries(PORTFOLIO_QUERIES_COLD):
        page = 2 if size > PORTFOLIO_PAGE_SIZE else 1
        assert client.get(url, {"page": page}).status_code == 200


@pytest.mark.parametrize("size", [10, 100])
def test_relationship_dashboard_queries_do_not_grow(
    client, django_assert_num_queries, size: int
) -> None:
    generate_portfolio(size)
    client = _viewer(client)
    # The last relationship generated: as many periods and rows as any other.
    relationship = Relationship.objects.order_by("-reference").first()
    url = reverse(
        "assessments:relationship_dashboard",
        kwargs={"reference": relationship.reference},
    )

    with django_assert_num_queries(RELATIONSHIP_QUERIES_COLD):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(RELATIONSHIP_QUERIES_WARM):
        assert client.get(url).status_code == 200


def test_the_viewer_of_ten_sees_ten_of_a_hundred(client) -> None:
    generate_portfolio(100)
    assert client.login(username="portfolio.sample", password=PORTFOLIO_PASSWORD)
    response = client.get(reverse("assessments:portfolio_dashboard"))
    assert "10 relationships you can see" in response.content.decode()


def test_without_a_cache_every_request_counts_afresh(
    client, django_assert_num_queries, settings
) -> None:
    settings.DASHBOARD_CACHE_SECONDS = 0
    generate_portfolio(10)
    client = _viewer(client)
    url = reverse("assessments:portfolio_dashboard")
    client.get(url)  # loads the catalogue, which is kept per process
    for _ in range(2):
        with django_assert_num_queries(PORTFOLIO_QUERIES_COLD - 3):
            assert client.get(url).status_code == 200
