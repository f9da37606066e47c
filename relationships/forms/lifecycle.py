"""Forms for the lifecycle pages: stage moves, artefact evidence, documents."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout
from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from config.forms import Form
from principles.models import LifecycleStage
from relationships.access import AnyUser
from relationships.choices import EvidenceStatus
from relationships.filetypes import megabytes
from relationships.forms import DATE_WIDGET
from relationships.forms.concurrency import RevisionFormMixin
from relationships.forms.documents import EXPIRY_DATE_HELP, REVIEW_DATE_HELP
from relationships.forms.registers import PRIVACY_HELP, PRIVACY_LABELS, RegisterForm
from relationships.models import Relationship, RelationshipDocument
from relationships.selectors.lifecycle import (
    document_choices_for_relationship,
    lifecycle_stages,
    objective_choices_for_relationship,
    plan_section_choices,
    risk_choices_for_relationship,
)
from relationships.services.documents import review_dates_errors
from relationships.services.lifecycle import (
    DOCUMENT_EXTENSIONS,
    NOTE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    document_file_validate,
)

ACCEPT_ATTRIBUTE = ",".join(f".{extension}" for extension in DOCUMENT_EXTENSIONS)
UPLOAD_HELP = (
    f"Up to {megabytes(settings.UPLOAD_MAX_BYTES)}. Accepted types: "
    + ", ".join(DOCUMENT_EXTENSIONS)
    + ". Only the partners who may see it can download it."
)


class StageChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, current_number: int, **kwargs) -> None:
        self.current_number = current_number
        super().__init__(*args, **kwargs)

    def label_from_instance(self, stage: LifecycleStage) -> str:
        label = f"{stage.number}. {stage.name} ({stage.get_phase_display()})"
        if stage.number == self.current_number:
            return f"{label}, current stage"
        if stage.number == self.current_number + 1:
            return f"{label}, next"
        if stage.number == self.current_number - 1:
            return f"{label}, back one stage"
        return label


class StageMoveForm(Form):
    """Move a relationship to another stage. Any stage can be chosen: relationships
    join the app part-way through their life, and re-planning may go back several
    stages. The reason and the recorded history keep every move accountable."""

    to_stage = StageChoiceField(
        queryset=LifecycleStage.objects.none(),
        current_number=0,
        label="Move to stage",
        empty_label=None,
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX_LENGTH,
        help_text=(
            "Why now? For example: both partners signed the joint plan; the "
            "relationship is being re-planned after a change of scope."
        ),
    )

    def __init__(self, *args, relationship: Relationship, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.relationship = relationship
        current_number = relationship.stage.number
        field = self.fields["to_stage"]
        field.queryset = lifecycle_stages()
        field.current_number = current_number
        if "to_stage" not in self.initial:
            target = current_number + 1 if current_number < 8 else current_number - 1
            self.initial["to_stage"] = next(
                (stage.pk for stage in field.queryset if stage.number == target), None
            )
        self.fields["reason"].error_messages["required"] = (
            "Say why the relationship moves to this stage."
        )
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_to_stage(self) -> LifecycleStage:
        stage = self.cleaned_data["to_stage"]
        if stage.pk == self.relationship.stage_id:
            raise forms.ValidationError(
                f"The relationship is already at stage {stage}. Choose another stage."
            )
        return stage


class ArtefactEvidenceForm(RevisionFormMixin):
    """Evidence for one expected artefact, or the partners' agreed skip.

    Its revision is the record's, or 0 when the artefact had none.
    """

    stale_excluded_fields = (
        "new_document",
        "new_document_title",
        "link_current_revision",
    )

    status = forms.ChoiceField(
        label="Status",
        choices=[
            (EvidenceStatus.EVIDENCED, "Evidenced: link what shows it"),
            (EvidenceStatus.SKIPPED, "Skipped by agreement of the partners"),
        ],
        widget=forms.RadioSelect,
        initial=EvidenceStatus.EVIDENCED,
    )
    plan_section_key = forms.ChoiceField(
        label="Plan section", required=False, choices=[]
    )
    objective = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="—", label="Objective"
    )
    risk = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="—", label="Risk"
    )
    document = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="—", label="Existing document"
    )
    link_current_revision = forms.BooleanField(
        label="Link the document's current revision",
        required=False,
        help_text=(
            "A document keeps the revision it was linked at; tick this to link "
            "its latest revision instead."
        ),
    )
    new_document = forms.FileField(
        label="Or upload a new document",
        required=False,
        help_text=UPLOAD_HELP,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )
    new_document_title = forms.CharField(
        label="Title of the new document",
        required=False,
        max_length=200,
        help_text="Leave empty to use the file name.",
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "What the evidence shows, or, when skipping, why the partners agree "
            "this item does not apply to them."
        ),
    )

    LINK_FIELDS = ("plan_section_key", "objective", "risk", "document", "new_document")

    def __init__(
        self, *args, relationship: Relationship, user: AnyUser, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.relationship = relationship
        self.fields["plan_section_key"].choices = [
            ("", "—"),
            *plan_section_choices(relationship=relationship),
        ]
        # Only what the user may see can be linked (evidence is read by all).
        self.fields["objective"].queryset = objective_choices_for_relationship(
            user=user, relationship=relationship
        )
        self.fields["risk"].queryset = risk_choices_for_relationship(
            user=user, relationship=relationship
        )
        self.fields["document"].queryset = document_choices_for_relationship(
            user=user, relationship=relationship
        )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field("status"),
            Fieldset(
                "What evidences it (one or more)",
                HTML(
                    '<p class="small text-muted">Any of this relationship’s plan '
                    "sections, register entries or documents.</p>"
                ),
                Div(
                    Div("plan_section_key", css_class="col-md-6"),
                    Div("document", css_class="col-md-6"),
                    Div("objective", css_class="col-md-6"),
                    Div("risk", css_class="col-md-6"),
                    css_class="row",
                ),
                Field("link_current_revision"),
                Div(
                    Div("new_document", css_class="col-md-6"),
                    Div("new_document_title", css_class="col-md-6"),
                    css_class="row",
                ),
                css_id="evidence-links",
            ),
            Field("note"),
        )
        # The template writes the <form> tag, to put Cancel next to Save.
        self.helper.form_tag = False
        self.helper.render_hidden_fields = True  # the revision

    def clean_new_document(self) -> UploadedFile | None:
        file = self.cleaned_data.get("new_document")
        if file:
            document_file_validate(file)
        return file or None

    def clean(self) -> dict:
        cleaned_data = super().clean()
        status = cleaned_data.get("status")
        if status == EvidenceStatus.SKIPPED:
            if not (cleaned_data.get("note") or "").strip():
                self.add_error("note", "Say why the partners agree to skip this item.")
        elif status == EvidenceStatus.EVIDENCED:
            if cleaned_data.get("document") and cleaned_data.get("new_document"):
                self.add_error(
                    "new_document",
                    "Choose an existing document or upload a new one, not both.",
                )
            has_link = any(cleaned_data.get(name) for name in self.LINK_FIELDS)
            link_errors = any(name in self.errors for name in self.LINK_FIELDS)
            if not has_link and not link_errors:
                raise forms.ValidationError(
                    "Link a plan section, an objective, a risk or a document, or "
                    "upload one. If the item does not apply, mark it skipped and "
                    "say why."
                )
        return cleaned_data


class DocumentUploadForm(RegisterForm):
    """A new document: its file, and whose eyes it is for (the same partner and
    privacy fields as the register forms)."""

    partner_field_name = "owner_partnership"
    submit_label = "Upload"
    layout_rows = (
        ("file",),
        ("title",),
        ("description",),
        ("review_due_on", "expires_on"),
        ("owner_partnership",),
        ("visibility",),
        ("shared_with",),
    )

    file = forms.FileField(
        help_text=UPLOAD_HELP,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )
    title = forms.CharField(
        required=False, max_length=200, help_text="Leave empty to use the file name."
    )
    description = forms.CharField(
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: minutes of the joint review of 12 March.",
    )

    class Meta:
        model = RelationshipDocument
        fields = [
            "file",
            "title",
            "description",
            "review_due_on",
            "expires_on",
            "owner_partnership",
            "visibility",
            "shared_with",
        ]
        labels = {"owner_partnership": "Whose document", **PRIVACY_LABELS}
        widgets = {"review_due_on": DATE_WIDGET, "expires_on": DATE_WIDGET}
        help_texts = {
            **PRIVACY_HELP,
            "review_due_on": REVIEW_DATE_HELP,
            "expires_on": EXPIRY_DATE_HELP,
            "owner_partnership": (
                "A joint document is the relationship's as a whole; otherwise pick "
                "the partner whose own document this is."
            ),
        }

    def __init__(self, *args: Any, relationship: Relationship, **kwargs: Any) -> None:
        super().__init__(*args, relationship=relationship, **kwargs)
        self.fields["owner_partnership"].empty_label = "Joint document (all partners)"

    def clean_file(self) -> UploadedFile:
        file = self.cleaned_data["file"]
        document_file_validate(file)
        return file

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        for name, message in review_dates_errors(
            cleaned_data.get("review_due_on"), cleaned_data.get("expires_on")
        ).items():
            self.add_error(name, message)
        return cleaned_data
