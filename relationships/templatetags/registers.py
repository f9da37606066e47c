"""The register tables' rows and badges (the badges also on the detail pages):
a list page shows 25 rows, and an {% include %} per cell cost more than the rest
of the row."""

import datetime
from collections.abc import Collection, Iterable
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from django import template
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Model
from django.template import Context
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
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


# --- table rows -----------------------------------------------------------------------
# The register tables are built here, row by row, rather than by the template engine:
# a list page shows 25 rows of six cells, and the engine's per-cell cost (variable
# lookups, the date and floatformat filters, url tags) was most of the page's time.
# The markup is the one the templates had.

MONTHS = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
NONE = "—"


def short_date(day: datetime.date | None) -> str:
    """As the template filter date:"j M Y" writes it, or a dash."""
    if day is None:
        return NONE
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def plain_number(value: Decimal | None) -> str:
    """As floatformat:"-2": whole numbers without decimals, others with two."""
    if value is None:
        return "?"
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@cache
def _labels(model: type[Model], field_name: str) -> dict[str, str]:
    return {
        str(value): str(label)
        for value, label in model._meta.get_field(field_name).flatchoices
    }


def _label(entry: Model, field_name: str) -> str:
    value = getattr(entry, field_name)
    return _labels(type(entry), field_name).get(value, value or "")


def _dated(day: datetime.date | None, late: bool, flag: str) -> SafeString:
    """A date, with a red badge when it has passed and the entry is still open."""
    if not late:
        return format_html("{}", short_date(day))
    return format_html(
        '{} <span class="badge text-bg-danger">{}</span>', short_date(day), flag
    )


def _person(user: AbstractBaseUser | None) -> str:
    if user is None:
        return format_html('<span class="text-body-secondary">{}</span>', NONE)
    return user.get_full_name() or user.username


def _title_cell(
    entry: Model, *, detail: str, register: str, show_relationship: bool
) -> SafeString:
    reference = entry.relationship.reference
    cell = format_html(
        '<a href="{}">{}</a>',
        reverse(f"relationships:{detail}", args=[reference, entry.pk]),
        entry.title,
    )
    if show_relationship:
        cell += format_html(
            '<br><small><a class="link-secondary" href="{}">{}</a></small>',
            reverse(f"relationships:{register}", args=[reference]),
            entry.relationship.title,
        )
    badge = visibility_badge(entry)
    if badge:
        cell += format_html('<div class="mt-1 small">{}</div>', badge)
    return cell


def _kpi_cell(objective: Model) -> SafeString:
    if not objective.kpi_name:
        return mark_safe(NONE)
    cell = format_html(
        "{}: {} / {} {}",
        objective.kpi_name,
        plain_number(objective.kpi_actual),
        plain_number(objective.kpi_target),
        objective.kpi_unit,
    )
    progress = objective.progress_percent
    if progress is not None:
        cell += format_html(
            '\n<div class="progress kpi-progress mt-1" role="progressbar" '
            'aria-label="Progress towards the target" aria-valuenow="{}" '
            'aria-valuemin="0" aria-valuemax="100"><div class="progress-bar" '
            'style="width: {}%"></div></div><small class="text-body-secondary">'
            "{}%</small>",
            progress,
            progress,
            progress,
        )
    return cell


@register.simple_tag
def objective_rows(
    objectives: Iterable[Model],
    show_relationship: bool = False,
    show_owner: bool = False,
) -> SafeString:
    rows = []
    for objective in objectives:
        cells = [
            _title_cell(
                objective,
                detail="objective_detail",
                register="relationship_objectives",
                show_relationship=show_relationship,
            )
        ]
        if show_owner:
            cells.append(
                escape(objective.owner.organisation.name)
                if objective.owner
                else mark_safe('<span class="badge text-bg-light border">Common</span>')
            )
        overdue = getattr(objective, "milestone_overdue", False)
        cells += [
            escape(_label(objective, "horizon")),
            _dated(objective.milestone_date, overdue, "overdue"),
            _kpi_cell(objective),
            status_badge(objective),
        ]
        rows.append(_row(cells, nowrap={3 if show_owner else 2}))
    return mark_safe("".join(rows))


@register.simple_tag
def risk_rows(risks: Iterable[Model], show_relationship: bool = False) -> SafeString:
    rows = []
    for risk in risks:
        whose = (
            escape(risk.owner_partnership.organisation.name)
            if risk.owner_partnership
            else mark_safe('<span class="badge text-bg-light border">Joint</span>')
        )
        review = _dated(risk.review_date, risk.review_overdue, "review overdue")
        cells = [
            _title_cell(
                risk,
                detail="risk_detail",
                register="relationship_risks",
                show_relationship=show_relationship,
            ),
            whose,
            score_chip(risk),
            escape(_person(risk.owner)) if risk.owner else _person(None),
            review,
            status_badge(risk),
        ]
        rows.append(_row(cells, nowrap={4}))
    return mark_safe("".join(rows))


@register.simple_tag(takes_context=True)
def action_rows(
    context: Context,
    actions: Iterable[Model],
    show_relationship: bool = False,
    can_edit: bool = False,
    editable_relationship_ids: Collection[int] = (),
) -> SafeString:
    request = context.get("request")
    next_url = request.get_full_path() if request else ""
    token = context.get("csrf_token", "")
    editable = editable_relationship_ids or ()  # "" when the page has none
    rows = []
    for action in actions:
        title = _title_cell(
            action,
            detail="action_detail",
            register="relationship_actions",
            show_relationship=show_relationship,
        )
        # The linked risk is named only where the selector found it visible to
        # the viewer (another partner's private risk stays unnamed).
        risk = action.risk if getattr(action, "risk_visible", False) else None
        if action.principle_key or risk:
            notes = []
            if action.principle_key:
                notes.append(
                    format_html("Principle: {}", _label(action, "principle_key"))
                )
            if risk:
                notes.append(format_html("Risk: {}", risk.title))
            title += format_html(
                '<br><small class="text-body-secondary">{}</small>',
                mark_safe(" · ".join(notes)),
            )
        due = _dated(action.due_date, action.is_overdue, "overdue")
        status = status_badge(action)
        if action.completed_at:
            status += format_html(
                '<br><small class="text-body-secondary">{}</small>',
                short_date(timezone.localdate(action.completed_at)),
            )
        quick = mark_safe("")
        if action.status in ("open", "in_progress") and (
            can_edit or action.relationship_id in editable
        ):
            quick = format_html(
                '<form method="post" action="{}" class="d-inline">'
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                '<input type="hidden" name="next" value="{}">'
                '<input type="hidden" name="revision" value="{}">'
                '<button type="submit" class="btn btn-sm btn-outline-success '
                'text-nowrap" aria-label="Mark “{}” done">Mark done</button></form>',
                reverse(
                    "relationships:action_done",
                    args=[action.relationship.reference, action.pk],
                ),
                token,
                next_url,
                action.revision,
                action.title,
            )
        cells = [
            title,
            escape(_person(action.owner)) if action.owner else _person(None),
            due,
            status,
            quick,
        ]
        rows.append(_row(cells, nowrap={2}, end={4}))
    return mark_safe("".join(rows))


def _row(cells: list[str], *, nowrap: set[int] = frozenset(), end=frozenset()) -> str:
    parts = ["<tr>"]
    for index, cell in enumerate(cells):
        if index in nowrap:
            parts.append(f'<td class="text-nowrap">{cell}</td>')
        elif index in end:
            parts.append(f'<td class="text-end">{cell}</td>')
        else:
            parts.append(f"<td>{cell}</td>")
    parts.append("</tr>")
    return "".join(parts)
