"""Forms of findings and corrective actions. Each takes the finding's scope, so
that the documents, owners and audits on offer are only that scope's."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone

from assurance.models import CorrectiveAction, Finding
from assurance.models.findings import VerificationResult
from assurance.selectors.findings import (
    FindingScope,
)
from config.forms import Form, ModelForm
from principles.models import LifecycleStage
from relationships.access import AnyUser, corrective_action_owner_candidates
from relationships.forms import DATE_WIDGET
from relationships.forms.concurrency import RevisionFormMixin
from relationships.forms.documents import DocumentRevisionChoiceField
from relationships.forms.registers import LONG_TEXT_MAX_LENGTH, OwnerChoiceField


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _empty_choice(field: forms.Field, label: str) -> None:
    """Name what leaving a choice empty means."""
    field.choices = [("", label), *list(field.choices)[1:]]


def _limit_length(field: forms.Field) -> None:
    """Long enough for real notes; short enough that a pasted document is
    refused with a message (model text fields have no limit of their own)."""
    field.max_length = LONG_TEXT_MAX_LENGTH
    field.validators.append(MaxLengthValidator(LONG_TEXT_MAX_LENGTH))
    field.widget.attrs["maxlength"] = str(LONG_TEXT_MAX_LENGTH)


class LaidOutForm(RevisionFormMixin):
    """Crispy lays the fields out in rows; the template adds the form tag and
    its buttons."""

    submit_label = "Save"
    layout_rows: tuple[tuple[str, ...], ...] = ()

    def lay_out(self) -> None:
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.render_hidden_fields = True  # the revision
        self.helper.layout = Layout(
            *(
                Row(*(Column(name, css_class="col-md") for name in row))
                if len(row) > 1
                else row[0]
                for row in self.layout_rows
                if all(name in self.fields for name in row)
            )
        )


class StageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, stage: LifecycleStage) -> str:
        return f"{stage.number}. {stage.name}"


class FindingForm(LaidOutForm, ModelForm):
    """Raise or edit a finding."""

    submit_label = "Save finding"
    layout_rows = (
        ("kind", "raised_on"),
        ("title",),
        ("description",),
        ("clause",),
        ("stage", "principle_key"),
        ("evidence",),
        ("evidence_revision",),
    )

    class Meta:
        model = Finding
        fields = [
            "kind",
            "title",
            "description",
            "clause",
            "stage",
            "principle_key",
            "evidence",
            "evidence_revision",
            "raised_on",
        ]
        field_classes = {"stage": StageChoiceField}
        labels = {"raised_on": "Raised on"}
        help_texts = {
            "kind": (
                "A nonconformity is a requirement not met (major: the system fails "
                "at it; minor: a lapse). An observation may become one if left; an "
                "opportunity for improvement or good practice needs no action."
            ),
            "stage": "The lifecycle stage the finding concerns, if one does.",
            "principle_key": "The principle the finding concerns, if one does.",
        }
        widgets = {
            "raised_on": DATE_WIDGET,
            "description": _textarea(4),
            "evidence": _textarea(3),
        }

    def __init__(
        self, *args: Any, scope: FindingScope, user: AnyUser, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        if self.instance.pk is None:
            self.initial.setdefault("raised_on", timezone.localdate())
        self.fields["stage"].queryset = LifecycleStage.objects.order_by("number")
        self.fields["stage"].empty_label = "No particular stage"
        _empty_choice(self.fields["clause"], "No particular clause")
        _empty_choice(self.fields["principle_key"], "No particular principle")
        for name in ("description", "evidence"):
            _limit_length(self.fields[name])
        if scope.relationship is None:
            del self.fields["evidence_revision"]
        else:
            self.fields["evidence_revision"] = (
                DocumentRevisionChoiceField.for_relationship(
                    relationship=scope.relationship,
                    user=user,
                    label="Evidence document",
                    empty_label="No document",
                    help_text=Finding._meta.get_field("evidence_revision").help_text,
                )
            )
        self.lay_out()


class CorrectiveActionForm(LaidOutForm, ModelForm):
    """Add or edit a corrective action of a finding."""

    submit_label = "Save action"
    layout_rows = (("root_cause",), ("action",), ("owner", "due_date"))

    class Meta:
        model = CorrectiveAction
        fields = ["root_cause", "action", "owner", "due_date"]
        field_classes = {"owner": OwnerChoiceField}
        widgets = {
            "due_date": DATE_WIDGET,
            "root_cause": _textarea(3),
            "action": _textarea(3),
        }
        help_texts = {
            "action": "What will be done to remove the cause.",
            "owner": "Who sees it through. They are e-mailed if it becomes overdue.",
        }

    def __init__(self, *args: Any, finding: Finding, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = corrective_action_owner_candidates(
            finding=finding
        )
        for name in ("root_cause", "action"):
            _limit_length(self.fields[name])
        self.lay_out()


class CorrectiveActionCompleteForm(LaidOutForm, Form):
    """Record that an action was carried out."""

    submit_label = "Record completion"
    layout_rows = (("completed_on",), ("note",))

    completed_on = forms.DateField(label="Completed on", widget=DATE_WIDGET)
    note = forms.CharField(
        label="What was done",
        required=False,
        max_length=LONG_TEXT_MAX_LENGTH,
        widget=_textarea(3),
        help_text="Optional: what was done, where the result can be seen.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("completed_on", timezone.localdate())
        self.lay_out()


class CorrectiveActionVerifyForm(LaidOutForm, Form):
    """Record whether a completed action worked."""

    submit_label = "Record verification"
    layout_rows = (("result",), ("verified_on", "new_due_date"), ("notes",))

    result = forms.ChoiceField(
        label="Did the action work?",
        choices=VerificationResult.choices,
        widget=forms.RadioSelect,
        help_text=(
            "Effective: the cause is removed and the problem has not come back. "
            "Not effective: the action opens again for further work."
        ),
        error_messages={"required": "Say whether the action worked."},
    )
    verified_on = forms.DateField(label="Checked on", widget=DATE_WIDGET)
    new_due_date = forms.DateField(
        label="New due date",
        required=False,
        widget=DATE_WIDGET,
        help_text="Only when not effective: when the further work is due.",
    )
    notes = forms.CharField(
        label="How it was checked",
        required=False,
        max_length=LONG_TEXT_MAX_LENGTH,
        widget=_textarea(3),
        help_text="What was looked at to judge it; required when not effective.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("verified_on", timezone.localdate())
        self.lay_out()
