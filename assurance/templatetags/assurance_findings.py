"""Links and badges of the findings pages, which serve a relationship's findings
and an organisation's own alike (`FindingScope`)."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from assurance.selectors.findings import FindingScope

register = template.Library()

KIND_BADGE_CLASSES = {
    "major_nc": "text-bg-danger",
    "minor_nc": "text-bg-warning",
    "observation": "text-bg-info",
    "improvement": "text-bg-light border",
    "good_practice": "text-bg-success",
}
ACTION_STATUS_BADGE_CLASSES = {
    "open": "text-bg-primary",
    "completed": "text-bg-warning",
    "verified": "text-bg-success",
}


@register.simple_tag
def scope_url(
    scope: FindingScope, name: str, pk: int | None = None, action_pk: int | None = None
) -> str:
    """The URL of a findings page of the scope: `finding_detail` is
    `assurance:relationship_finding_detail` or `…organisation_finding_detail`."""
    kwargs: dict[str, object] = dict(scope.url_kwargs)
    if pk is not None:
        kwargs["pk"] = pk
    if action_pk is not None:
        kwargs["action_pk"] = action_pk
    return reverse(f"assurance:{scope.prefix}_{name}", kwargs=kwargs)


@register.filter
def finding_kind_badge(finding: object) -> SafeString:
    return format_html(
        '<span class="badge {}">{}</span>',
        KIND_BADGE_CLASSES.get(finding.kind, "text-bg-secondary"),
        finding.get_kind_display(),
    )


@register.filter
def finding_status_badge(finding: object) -> SafeString:
    css_class = "text-bg-primary" if finding.status == "open" else "text-bg-secondary"
    return format_html(
        '<span class="badge {}">{}</span>', css_class, finding.get_status_display()
    )


@register.filter
def action_status_badge(corrective_action: object) -> SafeString:
    return format_html(
        '<span class="badge {}">{}</span>',
        ACTION_STATUS_BADGE_CLASSES.get(corrective_action.status, "text-bg-secondary"),
        corrective_action.get_status_display(),
    )
