"""The portfolio dashboard's filter form (templates/assessments/partials/
dashboard_filters.html), remembered per process."""

import threading

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from assessments.filters import PortfolioFilterSet
from relationships.templatetags.registers import filter_query_items

register = template.Library()

# Like the register lists' filter forms (relationships/templatetags/registers.py):
# what the form shows follows from the query string, the catalogue's stage names
# and the language alone, never from the user or the data, and rendering its
# select widgets cost about a tenth of the page. Each process keeps the last few
# hundred it rendered; with caching off too, since nothing it holds can go stale
# (the stage names are part of the key).
FORMS_KEPT = 512
_forms: dict[tuple, SafeString] = {}
_forms_lock = threading.Lock()


@register.simple_tag
def portfolio_filter_form(filterset: PortfolioFilterSet, sort: str) -> SafeString:
    items = filter_query_items(filterset)
    if items is None:
        return _render(filterset, sort)
    key = (
        items,
        filterset.is_bound,
        sort,
        tuple(filterset.catalogue.stages),
        get_language(),
    )
    form = _forms.get(key)
    if form is None:
        form = _render(filterset, sort)
        with _forms_lock:
            if len(_forms) >= FORMS_KEPT:
                _forms.clear()
            _forms[key] = form
    return form


def _render(filterset: PortfolioFilterSet, sort: str) -> SafeString:
    return render_to_string(
        "assessments/partials/dashboard_filters.html",
        {"filter": filterset, "sort": sort},
    )
