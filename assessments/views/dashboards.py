"""The portfolio and relationship dashboards."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from assessments.filters import PortfolioFilterSet
from assessments.selectors.dashboards import (
    portfolio_dashboard_build,
    portfolio_for_user,
    register_list_urls,
    relationship_dashboard_context,
)
from relationships.access import relationship_get_with_audience
from relationships.caching import cache_seconds


def _filter_key(request: HttpRequest) -> str:
    """The filters and sort of the request, in a stable order, without the page."""
    return urlencode(
        sorted(
            (name, value)
            for name, values in request.GET.lists()
            if name != "page"
            for value in values
        )
    )


@login_required
@require_safe
def portfolio_dashboard(request: HttpRequest) -> HttpResponse:
    portfolio = portfolio_for_user(user=request.user)
    filterset = PortfolioFilterSet(
        request.GET or None, queryset=portfolio.summaries, request=request
    )
    dashboard = portfolio_dashboard_build(
        user=request.user,
        summaries=filterset.qs,
        scale=filterset.scale,
        page_number=request.GET.get("page"),
        filter_key=_filter_key(request),
        # Kept totals count the whole portfolio: a sort leaves it whole.
        totals=None if filterset.narrows else portfolio.totals,
    )
    return render(
        request,
        "assessments/dashboard_portfolio.html",
        {
            "filter": filterset,
            "dashboard": dashboard,
            "sort": filterset.selected_sort,
            "register_urls": register_list_urls(),
            "cache_seconds": cache_seconds(),
            "figures_as_of": portfolio.as_of,
        },
    )


@login_required
@require_safe
def relationship_dashboard(request: HttpRequest, reference: str) -> HttpResponse:
    # Access is checked on every request; only then may the template take the
    # rendered dashboard from the cache (relationship_dashboard_context).
    relationship, audience = relationship_get_with_audience(
        user=request.user, reference=reference
    )
    return render(
        request,
        "assessments/dashboard_relationship.html",
        relationship_dashboard_context(
            user=request.user, relationship=relationship, audience=audience
        ),
    )
