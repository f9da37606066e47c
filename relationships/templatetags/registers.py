"""The registers' badges, on their tables (templates/relationships/partials/
register_*_table.html) and detail pages."""

from django import template
from django.db.models import Model
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

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
