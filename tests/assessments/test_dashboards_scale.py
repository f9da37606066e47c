"""Both dashboards issue the same number of queries at 10 and at 100 relationships.

The portfolios come from the generate_portfolio command (4 to 8 quarters of
assessments each, objectives, risks, actions and plans), one of each size for the
module (`portfolio`), as generating 100 relationships takes seconds. The counts
are the ones measured at 10 relationships; they must not grow with the portfolio.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import PortfolioTotals
from assessments.receivers import summaries_forget_noted
from assessments.selectors.dashboards import (
    PORTFOLIO_PAGE_SIZE,
    dashboard_catalogue_invalidate,
)
from relationships.models import Relationship
from tests.assessments.factories_dashboards import (
    PORTFOLIO_PASSWORD,
    generate_portfolio,
)
from tests.conftest import rows_shared_by_the_module

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("portfolio")]

# Warm: the session, the user, their organisations, their organisation's kept
# portfolio totals (which also tell that every summary is for today), and the
# page's summary rows; the counters come from the cache.
# Cold, also: the catalogue (maturity scale, stages, principles) and the
# counters' first few items: for overdue actions, risks past review and
# objectives off track, the summaries of the few relationships whose items come
# first, which keep those items for their partner; the plans out for signature
# that the user signs (with how many); the assessments due or overdue and the
# relationships with perception gaps. The counters and distributions themselves
# are the kept totals, read warm already.
PORTFOLIO_QUERIES_WARM = 5
PORTFOLIO_QUERIES_COLD = 14
# The session, the user, the access check, the user's organisations (with
# them, the viewer's audience needs no subqueries), the audience (key).
RELATIONSHIP_QUERIES_WARM = 5
# Cold, also: the catalogue (maturity scale, stages, principles) and the
# dashboard's own five: the shared ratings with their assessments, the assessment
# schedule, objectives, open risks, actions.
RELATIONSHIP_QUERIES_COLD = 13
FILTERED = {
    "kind": "general",
    "min_score": "10",
    "max_score": "95",
    "overdue": "yes",
    "partner": "synthetic",
    "sort": "-trend",
}


@pytest.fixture(scope="module", params=[10, 100])
def portfolio(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """A generated portfolio of 10, then of 100, relationships, shared by the
    module's tests (each in a savepoint; see rows_shared_by_the_module); its
    size."""

    def build() -> int:
        generate_portfolio(request.param)
        summaries_forget_noted()
        return request.param

    yield from rows_shared_by_the_module(
        django_db_blocker, build, media_root=tmp_path_factory.mktemp("portfolio")
    )


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    dashboard_catalogue_invalidate()
    yield
    cache.clear()


def _viewer(client: Client) -> Client:
    assert client.login(username="portfolio.viewer", password=PORTFOLIO_PASSWORD)
    return client


def test_portfolio_dashboard_queries_do_not_grow_with_the_portfolio(
    client, django_assert_num_queries, portfolio: int
) -> None:
    size = portfolio
    client = _viewer(client)
    url = reverse("assessments:portfolio_dashboard")

    with django_assert_num_queries(PORTFOLIO_QUERIES_COLD):
        response = client.get(url)
    assert response.status_code == 200
    assert f"{size} relationships you can see" in response.content.decode()

    with django_assert_num_queries(PORTFOLIO_QUERIES_WARM):
        assert client.get(url).status_code == 200


def test_the_sample_users_portfolio_queries_do_not_grow(
    client, django_assert_num_queries
) -> None:
    """The user who sees 10 of the portfolio's relationships: the same queries
    as the viewer, whatever the size of the site."""
    assert client.login(username="portfolio.sample", password=PORTFOLIO_PASSWORD)
    url = reverse("assessments:portfolio_dashboard")
    client.get(url)  # the catalogue, kept per process
    cache.clear()
    # An empty cache lost the MFA verdict too (one query); the plans out for
    # signature are read only when the user's organisation has some (the ten
    # the user sees of 10 have, of 100 may not).
    totals = PortfolioTotals.objects.get(
        organisation__memberships__user__username="portfolio.sample"
    )
    plans = 1 if totals.plans_awaiting else 0
    with django_assert_num_queries(PORTFOLIO_QUERIES_COLD - 3 + 1 - 1 + plans):
        response = client.get(url)
    assert "10 relationships you can see" in response.content.decode()


def test_the_unfiltered_portfolio_counts_no_rows(client, settings) -> None:
    """Its counters and distributions are the kept totals: no query aggregates
    the summaries, except the count of plans the user signs beside the first few
    (a window over those plans alone)."""
    settings.DASHBOARD_CACHE_SECONDS = 0
    client = _viewer(client)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("assessments:portfolio_dashboard")).status_code == 200
    counting = [
        query["sql"]
        for query in queries.captured_queries
        if "relationshipsummary" in query["sql"]
        and ("COUNT(" in query["sql"] or "SUM(" in query["sql"])
        and "OVER ()" not in query["sql"]
    ]
    assert counting == []
    assert any("portfoliototals" in query["sql"] for query in queries.captured_queries)


def test_filtered_and_sorted_portfolio_queries_do_not_grow(
    client, django_assert_num_queries
) -> None:
    client = _viewer(client)
    url = reverse("assessments:portfolio_dashboard")

    with django_assert_num_queries(PORTFOLIO_QUERIES_COLD):
        assert client.get(url, {"sort": "-score"}).status_code == 200
    cache.clear()
    dashboard_catalogue_invalidate()
    # An empty cache also lost the viewer's MFA verdict
    # (accounts.selectors.mfa_gate_for), one query; a filter counts the rows that
    # match instead of reading the kept totals, one aggregate; no plan is out for
    # signature among the filtered relationships, so none is read.
    with django_assert_num_queries(PORTFOLIO_QUERIES_COLD + 1 + 1 - 1):
        assert client.get(url, FILTERED).status_code == 200


def test_later_pages_cost_the_same(
    client, django_assert_num_queries, settings, portfolio: int
) -> None:
    size = portfolio
    client = _viewer(client)
    url = reverse("assessments:portfolio_dashboard")
    with django_assert_num_queries(PORTFOLIO_QUERIES_COLD):
        page = 2 if size > PORTFOLIO_PAGE_SIZE else 1
        assert client.get(url, {"page": page}).status_code == 200


def test_relationship_dashboard_queries_do_not_grow(
    client, django_assert_num_queries
) -> None:
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


def test_the_sample_user_sees_ten_of_them(client) -> None:
    assert client.login(username="portfolio.sample", password=PORTFOLIO_PASSWORD)
    response = client.get(reverse("assessments:portfolio_dashboard"))
    assert "10 relationships you can see" in response.content.decode()


def test_without_a_cache_every_request_counts_afresh(
    client, django_assert_num_queries, settings
) -> None:
    settings.DASHBOARD_CACHE_SECONDS = 0
    client = _viewer(client)
    url = reverse("assessments:portfolio_dashboard")
    client.get(url)  # loads the catalogue, which is kept per process
    for _ in range(2):
        with django_assert_num_queries(PORTFOLIO_QUERIES_COLD - 3):
            assert client.get(url).status_code == 200
