from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from config.forms import ModelForm
from relationships.forms import DATE_WIDGET
from relationships.forms.concurrency import RevisionFormMixin
from relationships.models import Relationship


class RelationshipForm(RevisionFormMixin, ModelForm):
    class Meta:
        model = Relationship
        fields = ["title", "description", "status", "start_date", "end_date"]
        widgets = {
            "start_date": DATE_WIDGET,
            "end_date": DATE_WIDGET,
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", "Save changes"))

    def clean(self) -> dict:
        cleaned_data = super().clean()
        start, end = cleaned_data.get("start_date"), cleaned_data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date cannot be before the start date.")
        return cleaned_data
