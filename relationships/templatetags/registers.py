"""Badges of the register tables, as filters: a list page shows 25 rows, and an
{% include %} per cell cost more than the rest of the row."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

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


def _heat_band(score: int) -> str:
    if score >= 15:
        return "heat-very-high"
    if score >= 10:
        return "heat-high"
    if score >= 5:
        return "heat-medium"
    return "heat-low"


@register.filter
def score_chip(risk: object) -> SafeString:
    """Likelihood x impact = score, coloured by the score's band."""
    return format_html(
        '<span class="score-chip {}" title="Likelihood {} × impact {}">'
        "{} × {} = {}</span>",
        _heat_band(risk.score),
        risk.likelihood,
        risk.impact,
        risk.likelihood,
        risk.impact,
        risk.score,
    )
