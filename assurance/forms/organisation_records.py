"""The form of an organisation's own lifecycle record of one stage."""

from typing import Any

from django import forms

from assurance.models import OrganisationStageRecord
from assurance.services.organisation_records import stage_record_fields
from config.forms import ModelForm
from principles.models import LifecycleStage
from relationships.access import organisation_members
from relationships.forms import DATE_WIDGET
from relationships.forms.concurrency import RevisionFormMixin
from relationships.models import Organisation

TEXT_MAX_LENGTH = 10000


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


def _text(name: str, label: str = "", rows: int = 3) -> forms.CharField:
    model_field = OrganisationStageRecord._meta.get_field(name)
    return forms.CharField(
        label=label or str(model_field.verbose_name).capitalize(),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        help_text=model_field.help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class OrganisationStageRecordForm(RevisionFormMixin, ModelForm):
    """Only the fields of its stage; a new record is guarded from revision 0."""

    revision_on_create = True

    policy_statement = _text("policy_statement", "Policy statement", rows=5)
    readiness_assessment = _text(
        "readiness_assessment", "Internal assessment of readiness", rows=5
    )
    notes = _text("notes")
    evidence = _text("evidence")

    class Meta:
        model = OrganisationStageRecord
        fields = [
            "status",
            "recorded_on",
            "policy_statement",
            "senior_executive",
            "readiness_assessment",
            "notes",
            "evidence",
        ]
        widgets = {"recorded_on": DATE_WIDGET}
        field_classes = {"senior_executive": MemberChoiceField}

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        stage: LifecycleStage,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        shown = stage_record_fields(stage)
        for name in list(self.fields):
            if name != "revision" and name not in shown:
                del self.fields[name]
        if "senior_executive" in self.fields:
            self.fields["senior_executive"].queryset = organisation_members(
                organisation
            )
            self.fields["senior_executive"].empty_label = "Not appointed yet"

    def record_values(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in self.fields
            if name != "revision" and name in self.cleaned_data
        }
