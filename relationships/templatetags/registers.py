"""The registers' badges, on their tables (templates/relationships/partials/
register_*_table.html) and detail pages."""

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from django import template
from django.db.models import Model
from django.http import QueryDict
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django_filters import FilterSet

from relationships.selectors.registers import score_band

register = template.Library()

STATUS_BADGE_CLASSES = {
    "on_track": "text-bg-success",
    "achieved": "text-bg-success",
    "done": "text-bg-success",
    "closed": "text-bg-success",
    "at_risk": "text-bg-warning",
    "mitigating": "text-bg-warning",
    "in_progress": "text-bg-warning",
    "off_track": "text-bg-danger",
    "open": "text-bg-primary",
    "accepted": "text-bg-info",
}


@register.filter
def status_badge(entry: object) -> SafeString:
    """The entry's status (objective, risk or action) as a coloured badge."""
    status = getattr(entry, "status", "")
    return format_html(
        '<span class="badge {}">{}</span>',
        STATUS_BADGE_CLASSES.get(status, "text-bg-secondary"),
        entry.get_status_display(),
    )


@register.filter
def visibility_badge(record: Model) -> SafeString:
    """Whose eyes a partner's record is for: "Joint", or "Private to <partner>"
    and the partners it is shared with. Empty for a common record (no partner),
    which is always joint and already says so. Needs the owner's organisation
    and `shared_with__organisation` fetched with the record."""
    owner = getattr(record, record.owner_partnership_field)
    if owner is None:
        return mark_safe("")
    if not record.is_private:
        return mark_safe(
            '<span class="badge text-bg-light border" title="Every partner sees '
            'it">Joint</span>'
        )
    badge = format_html(
        '<span class="badge text-bg-warning text-wrap text-start">Private to {}</span>',
        owner.organisation.name,
    )
    shared = [partnership.organisation.name for partnership in record.shared_with.all()]
    if shared:
        badge += format_html(
            ' <small class="text-body-secondary">+ shared with {}</small>',
            ", ".join(shared),
        )
    return badge


@register.filter
def score_chip(risk: object) -> SafeString:
    """Likelihood x impact = score, coloured by the score's band."""
    return format_html(
        '<span class="score-chip {}" title="Likelihood {} × impact {}">'
        "{} × {} = {}</span>",
        f"heat-{score_band(risk.score)[0]}",
        risk.likelihood,
        risk.impact,
        risk.likelihood,
        risk.impact,
        risk.score,
    )


# A query string longer than this is rendered each time rather than remembered.
FILTER_FORM_MAX_QUERY = 1000


@register.simple_tag
def filter_form(
    filterset: FilterSet,
    *,
    reset_url: str,
    export_url: str = "",
    hide_relationship: bool = False,
) -> SafeString:
    """The filter form of a register list (partials/register_filters.html).

    Its fields are fixed choices and words typed (CompactFilterSet): what it shows
    follows from the query string and the language alone, never from the user or
    the data. Rendering its widgets costs several milliseconds a page, so each
    process keeps the last few hundred forms it rendered, per filter set, query
    string (the page number aside) and language, as the template loader keeps
    compiled templates; with caching off too, since nothing it holds can go stale
    until the code changes."""
    items = filter_query_items(filterset)
    args = (type(filterset), items, reset_url, export_url, bool(hide_relationship))
    if items is None:
        return _filter_form_render(filterset, *args[2:])
    return _filter_form_remembered(*args, get_language())


def filter_query_items(
    filterset: FilterSet,
) -> tuple[tuple[str, tuple[str, ...]], ...] | None:
    """A filter set's query string (the page number aside) in a stable order, as
    a key for the filter forms each process remembers; None when it is too long
    to be worth remembering (FILTER_FORM_MAX_QUERY)."""
    data = filterset.data
    items = tuple(
        (name, tuple(data.getlist(name) if hasattr(data, "getlist") else [data[name]]))
        for name in sorted(data)
        if name != "page"
    )
    return None if len(repr(items)) > FILTER_FORM_MAX_QUERY else items


@lru_cache(maxsize=512)
def _filter_form_remembered(
    filterset_class: type[FilterSet],
    items: tuple[tuple[str, tuple[str, ...]], ...],
    reset_url: str,
    export_url: str,
    hide_relationship: bool,
    language: str | None,
) -> SafeString:
    data = QueryDict(mutable=True)
    for name, values in items:
        data.setlist(name, list(values))
    model = filterset_class._meta.model
    filterset = filterset_class(data, queryset=model._default_manager.none())
    return _filter_form_render(filterset, reset_url, export_url, hide_relationship)


def _filter_form_render(
    filterset: FilterSet, reset_url: str, export_url: str, hide_relationship: bool
) -> SafeString:
    return render_to_string(
        "relationships/partials/register_filters.html",
        {
            "filter": filterset,
            "reset_url": reset_url,
            "export_url": export_url,
            "hide_relationship": hide_relationship,
        },
    )


# A list shows the same few dates and figures on many rows, and Django takes
# some 40 microseconds to format each one in the active language. Each process
# keeps what it formatted, per value and language: like the filter forms above,
# nothing here can go stale until the code changes.


@register.filter
def day(value: date | None) -> str:
    """A date as '7 Dec 2026' (|date:"j M Y"), its month in the active language;
    empty without one."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = timezone.localdate(value)
    return _day(value, get_language())


@lru_cache(maxsize=4096)
def _day(value: date, language: str | None) -> str:
    return date_format(value, "j M Y")


@register.filter
def figure(value: Decimal | None) -> str:
    """A KPI figure with at most two decimals, none when whole (|floatformat:"-2"),
    in the active language's notation; empty without one."""
    if value is None:
        return ""
    return _figure(value, get_language())


@lru_cache(maxsize=4096)
def _figure(value: Decimal, language: str | None) -> str:
    return floatformat(value, "-2")
