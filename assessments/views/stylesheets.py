"""Stylesheets made from the code that also draws the charts, so that pages can
link them instead of carrying inline styles (Content-Security-Policy)."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from assessments.charts import chart_stylesheet


@require_GET
def chart_css(request: HttpRequest) -> HttpResponse:
    """pygal's chart styles, for the SVG charts the dashboards show inline."""
    return HttpResponse(chart_stylesheet(), content_type="text/css; charset=utf-8")
