"""The portfolio and relationship dashboards, and a bare health check."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from assessments.filters import PortfolioFilterSet
from assessments.selectors.dashboards import (
    portfolio_dashboard_build,
    portfolio_summaries,
    register_list_urls,
    relationship_dashboard_build,
)
from relationships.access import (
    relationship_get_for_user,
    viewer_audience,
)
from relationships.caching import cache_seconds, relationship_key


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Answers "ok" without touching the database: the process serves requests."""
    return HttpResponse("ok", content_type="text/plain")


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
    filterset = PortfolioFilterSet(
        request.GET or None,
        queryset=portfolio_summaries(user=request.user),
        request=request,
    )
    dashboard = portfolio_dashboard_build(
        user=request.user,
        summaries=filterset.qs,
        scale=filterset.scale,
        page_number=request.GET.get("page"),
        filter_key=_filter_key(request),
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
        },
    )


@login_required
@require_safe
def relationship_dashboard(request: HttpRequest, reference: str) -> HttpResponse:
    # Access is checked on every request; only then is the rendered dashboard
    # taken from the cache. It shows the same to everyone of the same partners
    # (their audience: whose private records they see), and its key changes
    # whenever any of its data is saved (relationship_key) and every day (overdue,
    # next 90 days). The dashboard is built only when the template finds no
    # cached copy.
    relationship = relationship_get_for_user(user=request.user, reference=reference)
    audience = viewer_audience(user=request.user, relationship=relationship)
    today = timezone.localdate()
    return render(
        request,
        "assessments/dashboard_relationship.html",
        {
            "relationship": relationship,
            "dashboard": SimpleLazyObject(
                lambda: relationship_dashboard_build(
                    relationship=relationship, viewer=request.user, today=today
                )
            ),
            "cache_seconds": cache_seconds(),
            "cache_key_parts": relationship_key(relationship.pk, today, *audience),
        },
    )
