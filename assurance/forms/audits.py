"""Forms of the internal audit programme and audit records. Each takes the
organisation, so that relationships, auditors and programme entries on offer
are only its own."""

from typing import Any

from django import forms

from assurance.forms.findings import (
    LaidOutForm,
    StageChoiceField,
    _empty_choice,
    _limit_length,
    _textarea,
)
from assurance.models import InternalAudit, PlannedAudit
from assurance.selectors.audits import planned_audit_choices
from config.forms import ModelForm
from principles.models import LifecycleStage
from relationships.access import organisation_auditors, relationships_of_organisation
from relationships.forms import DATE_WIDGET
from relationships.forms.registers import OwnerChoiceField
from relationships.models import Organisation

SCOPE_HELP = {
    "scope_relationship": "If the audit looks at one relationship.",
    "scope_clause": "If the audit looks at one clause of ISO 44001.",
    "scope_stage": "If the audit looks at one stage of the lifecycle.",
}


class AuditScopeForm(LaidOutForm, ModelForm):
    """Shared set-up: the organisation scopes the relationships and people."""

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        relationship = self.fields["scope_relationship"]
        relationship.queryset = relationships_of_organisation(
            organisation=organisation
        ).order_by("title")
        relationship.empty_label = "No particular relationship"
        self.fields["scope_stage"].queryset = LifecycleStage.objects.order_by("number")
        self.fields["scope_stage"].empty_label = "No particular stage"
        _empty_choice(self.fields["scope_clause"], "No particular clause")
        self.fields["lead_auditor"].queryset = organisation_auditors(
            organisation=organisation
        )
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea):
                _limit_length(field)
        self.lay_out()


class PlannedAuditForm(AuditScopeForm):
    """Add an audit to the programme, or change one."""

    submit_label = "Save planned audit"
    layout_rows = (
        ("title",),
        ("scope",),
        ("scope_relationship",),
        ("scope_clause", "scope_stage"),
        ("planned_for", "lead_auditor"),
        ("status",),
    )

    class Meta:
        model = PlannedAudit
        fields = [
            "title",
            "scope",
            "scope_relationship",
            "scope_clause",
            "scope_stage",
            "planned_for",
            "lead_auditor",
            "status",
        ]
        field_classes = {
            "scope_stage": StageChoiceField,
            "lead_auditor": OwnerChoiceField,
        }
        labels = {"title": "What will be audited", "planned_for": "When"}
        help_texts = SCOPE_HELP
        widgets = {"planned_for": DATE_WIDGET, "scope": _textarea(2)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["status"]
            self.lay_out()  # laid out before, with the status


class InternalAuditForm(AuditScopeForm):
    """Record an audit performed, or correct its record."""

    submit_label = "Save audit record"
    layout_rows = (
        ("title",),
        ("planned_audit",),
        ("scope",),
        ("scope_relationship",),
        ("scope_clause", "scope_stage"),
        ("criteria",),
        ("lead_auditor", "audit_team"),
        ("performed_on",),
        ("summary",),
        ("conclusion",),
    )

    class Meta:
        model = InternalAudit
        fields = [
            "title",
            "planned_audit",
            "scope",
            "scope_relationship",
            "scope_clause",
            "scope_stage",
            "criteria",
            "lead_auditor",
            "audit_team",
            "performed_on",
            "summary",
            "conclusion",
        ]
        field_classes = {
            "scope_stage": StageChoiceField,
            "lead_auditor": OwnerChoiceField,
        }
        labels = {"planned_audit": "Carries out planned audit"}
        help_texts = SCOPE_HELP
        widgets = {
            "performed_on": DATE_WIDGET,
            "scope": _textarea(2),
            "criteria": _textarea(2),
            "summary": _textarea(4),
            "conclusion": _textarea(3),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        planned = self.fields["planned_audit"]
        choices = planned_audit_choices(organisation=self.organisation)
        if self.instance.planned_audit_id is not None:
            # The entry this record already carries out stays on offer.
            choices = choices | PlannedAudit.objects.filter(
                pk=self.instance.planned_audit_id
            )
        planned.queryset = choices
        planned.empty_label = "Not from the programme"
        planned.label_from_instance = lambda entry: (
            f"{entry.title} ({entry.planned_for:%b %Y})"
        )
