"""Forms of the plan editor; the section form is built from plan_schema."""

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet

from config.forms import Form
from relationships.choices import PlanDecisionKind, PlanDepth
from relationships.forms.concurrency import RevisionFormMixin
from relationships.models import Partnership, PlanVersion
from relationships.plan_schema import FieldKind, PlanField, section_completeness


def _form_field(
    plan_field: PlanField, depth: str, *, allow_incomplete: bool
) -> forms.Field:
    options: dict[str, Any] = {
        "label": plan_field.label_at(depth),
        "help_text": plan_field.help,
        "required": plan_field.is_required_at(depth) and not allow_incomplete,
    }
    match plan_field.kind:
        case FieldKind.TEXT:
            return forms.CharField(max_length=plan_field.max_length, **options)
        case FieldKind.TEXTAREA:
            return forms.CharField(
                max_length=plan_field.max_length,
                widget=forms.Textarea(attrs={"rows": 4}),
                **options,
            )
        case FieldKind.CHOICE:
            return forms.ChoiceField(
                choices=[("", "Choose…"), *plan_field.choices], **options
            )
        case FieldKind.DATE:
            return forms.DateField(
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                **options,
            )
        case FieldKind.INTEGER:
            return forms.IntegerField(
                min_value=plan_field.min_value,
                max_value=plan_field.max_value,
                **options,
            )
    raise ValueError(f"Unknown field kind {plan_field.kind}")


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return "" if value is None else value


class PlanSectionForm(RevisionFormMixin):
    """The fields of one plan section, at the plan's depth.

    `revision` is the section's revision when the user opened it: the save is
    refused if someone else saved the section in between. With
    `allow_incomplete`, required fields may stay empty (a work-in-progress save;
    submission still needs them), but every value given is still validated.
    """

    def __init__(
        self,
        *args: Any,
        plan_fields: tuple[PlanField, ...],
        depth: str,
        allow_incomplete: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.plan_fields = plan_fields
        self.depth = depth
        for plan_field in plan_fields:
            self.fields[plan_field.key] = _form_field(
                plan_field, depth, allow_incomplete=allow_incomplete
            )

    @classmethod
    def initial_for(cls, *, content: dict[str, Any], revision: int) -> dict[str, Any]:
        return {**content, "revision": revision}

    def content(self) -> dict[str, Any]:
        """The cleaned values as they are stored in the section's JSON."""
        return {
            plan_field.key: _to_json(self.cleaned_data.get(plan_field.key))
            for plan_field in self.plan_fields
        }

    def missing_required(self) -> tuple[PlanField, ...]:
        """Required fields left empty (possible on a work-in-progress save)."""
        return section_completeness(
            fields=self.plan_fields, content=self.content(), depth=self.depth
        ).missing

    def _bound(self, *, essential: bool) -> list[forms.BoundField]:
        return [
            self[plan_field.key]
            for plan_field in self.plan_fields
            if plan_field.is_required_at(self.depth) == essential
        ]

    @property
    def main_fields(self) -> list[forms.BoundField]:
        """At the essentials depth, the fields it asks for; at full depth, all."""
        if self.depth != PlanDepth.ESSENTIALS:
            return [self[plan_field.key] for plan_field in self.plan_fields]
        return self._bound(essential=True)

    @property
    def optional_fields(self) -> list[forms.BoundField]:
        """At the essentials depth, the rest of the full plan, offered not imposed."""
        if self.depth != PlanDepth.ESSENTIALS:
            return []
        return self._bound(essential=False)

    @property
    def optional_fields_in_use(self) -> bool:
        """Whether to show the optional detail unfolded: it holds input or errors."""
        return any(field.errors or field.value() for field in self.optional_fields)


class PlanDepthForm(Form):
    depth = forms.ChoiceField(
        choices=PlanDepth.choices,
        widget=forms.RadioSelect,
        help_text=(
            "Essentials asks for fewer fields, in plain words: right when a partner "
            "is a small business. The full depth stays available either way."
        ),
    )


class PlanSubmitForm(Form):
    summary = forms.CharField(
        label="What this version changes",
        max_length=300,
        required=False,
        help_text="One or two lines the partners read before signing off.",
    )


class PlanNewDraftForm(Form):
    summary = forms.CharField(
        label="Why a new version",
        max_length=300,
        required=False,
        help_text="Optional: what you mean to change.",
    )


class PlanDecisionForm(Form):
    partnership = forms.ModelChoiceField(
        queryset=Partnership.objects.none(),
        label="On behalf of",
        empty_label=None,
    )
    decision = forms.ChoiceField(
        choices=[
            (PlanDecisionKind.APPROVE, "Sign off this version"),
            (PlanDecisionKind.REJECT, "Reject it and return it to draft"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text="Required when rejecting: what needs to change.",
    )

    def __init__(
        self, *args: Any, partnerships: QuerySet[Partnership], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = partnerships
        self.fields["partnership"].label_from_instance = lambda partnership: str(
            partnership.organisation
        )

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        if (
            cleaned_data.get("decision") == PlanDecisionKind.REJECT
            and not (cleaned_data.get("reason") or "").strip()
        ):
            self.add_error("reason", "Say why the plan is rejected.")
        return cleaned_data


class PlanDiffForm(Form):
    """Which two versions to compare: a GET form with fields `from` and `to`."""

    def __init__(self, *args: Any, versions: list[PlanVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [
            (
                version.number,
                f"Version {version.number} ({version.get_status_display()})",
            )
            for version in versions
        ]
        self.fields["from"] = forms.TypedChoiceField(
            label="Compare version", choices=choices, coerce=int
        )
        self.fields["to"] = forms.TypedChoiceField(
            label="with version", choices=choices, coerce=int
        )

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        if cleaned_data.get("from") is not None and cleaned_data.get(
            "from"
        ) == cleaned_data.get("to"):
            self.add_error("to", "Pick two different versions.")
        return cleaned_data
