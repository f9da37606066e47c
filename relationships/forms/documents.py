"""Forms for the evidence library: a new revision of a document, its review and
expiry dates, and the field other records use to link a document revision."""

from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.core.files.uploadedfile import UploadedFile

from config.forms import Form
from relationships.access import AnyUser
from relationships.forms import DATE_WIDGET
from relationships.forms.concurrency import RevisionFormMixin
from relationships.models import DocumentRevision, Relationship
from relationships.selectors.documents import (
    document_revision_choices_for_relationship,
)
from relationships.services.documents import (
    CHANGE_NOTE_MAX_LENGTH,
    review_dates_errors,
)
from relationships.services.lifecycle import document_file_validate

REVIEW_DATE_HELP = (
    "When to check it is still right; the uploader and the partner's "
    "relationship manager are reminded two weeks before."
)
EXPIRY_DATE_HELP = (
    "Optional: when it stops being valid (a certificate, a policy). Reminded "
    "two weeks before."
)


def revision_choice_label(revision: DocumentRevision) -> str:
    """'Charter, Rev 2 (sha 1a2b3c4d5e6f)'."""
    return f"{revision.document.title}, {revision.label}"


class DocumentRevisionChoiceField(forms.ModelChoiceField):
    """One document revision among those a person may see in a relationship.

    For any record that cites evidence (a finding, a management review):
    `DocumentRevisionChoiceField.for_relationship(relationship=…, user=…)`."""

    def label_from_instance(self, revision: DocumentRevision) -> str:
        return revision_choice_label(revision)

    @classmethod
    def for_relationship(
        cls, *, relationship: Relationship, user: AnyUser, **kwargs: Any
    ) -> "DocumentRevisionChoiceField":
        kwargs.setdefault("required", False)
        kwargs.setdefault("empty_label", "—")
        kwargs.setdefault("label", "Document revision")
        return cls(
            queryset=document_revision_choices_for_relationship(
                user=user, relationship=relationship
            ),
            **kwargs,
        )


class DocumentRevisionMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several document revisions among those a person may see in a
    relationship (`for_relationship` as DocumentRevisionChoiceField's)."""

    def label_from_instance(self, revision: DocumentRevision) -> str:
        return revision_choice_label(revision)

    @classmethod
    def for_relationship(
        cls, *, relationship: Relationship, user: AnyUser, **kwargs: Any
    ) -> "DocumentRevisionMultipleChoiceField":
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Document revisions")
        return cls(
            queryset=document_revision_choices_for_relationship(
                user=user, relationship=relationship
            ),
            **kwargs,
        )


class DocumentRevisionUploadForm(Form):
    """A new file for a document, which becomes its current revision."""

    file = forms.FileField(label="New file")
    change_note = forms.CharField(
        label="What changed",
        max_length=CHANGE_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: updated after the joint review of 12 March.",
        error_messages={"required": "Say what changed in this revision."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Imported here: the lifecycle forms import this module's field.
        from relationships.forms.lifecycle import ACCEPT_ATTRIBUTE, UPLOAD_HELP

        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = UPLOAD_HELP
        self.fields["file"].widget.attrs["accept"] = ACCEPT_ATTRIBUTE
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_file(self) -> UploadedFile:
        file = self.cleaned_data["file"]
        document_file_validate(file)
        return file


class DocumentReviewDatesForm(RevisionFormMixin):
    """When a document is next reviewed, and when it expires."""

    review_due_on = forms.DateField(
        label="Review date",
        required=False,
        widget=DATE_WIDGET,
        help_text=REVIEW_DATE_HELP,
    )
    expires_on = forms.DateField(
        label="Expiry date",
        required=False,
        widget=DATE_WIDGET,
        help_text=EXPIRY_DATE_HELP,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.render_hidden_fields = True

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        for name, message in review_dates_errors(
            cleaned_data.get("review_due_on"), cleaned_data.get("expires_on")
        ).items():
            self.add_error(name, message)
        return cleaned_data
