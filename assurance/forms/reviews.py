"""Forms of management reviews and their output actions."""

from typing import Any

from django import forms

from assurance.models import ManagementReview, ManagementReviewAction
from config.forms import Form, ModelForm
from relationships.access import (
    AnyUser,
    organisation_members,
    relationship_members,
    review_evidence_revisions_q,
    user_can_record_joint_review,
)
from relationships.forms import DATE_WIDGET
from relationships.forms.concurrency import RevisionFormMixin
from relationships.forms.documents import DocumentRevisionMultipleChoiceField
from relationships.models import Organisation, Relationship

# Long enough for real minutes; short enough that a pasted document is refused.
REVIEW_TEXT_MAX_LENGTH = 10000

INPUT_FIELDS = (
    "previous_actions_input",
    "context_changes_input",
    "performance_input",
    "nonconformities_input",
    "audit_results_input",
    "opportunities_input",
)
OUTPUT_FIELDS = ("decisions", "resource_needs", "plan_changes")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


def _text(label: str, help_text: str = "", rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=REVIEW_TEXT_MAX_LENGTH,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ReviewSubjectForm(Form):
    """What is reviewed (a GET form): the organisation's whole system or one of
    its relationships, and whether the relationship's review is held jointly.
    The record form shows the data gathered for that choice."""

    relationship = forms.ModelChoiceField(
        queryset=Relationship.objects.none(),
        required=False,
        empty_label="The organisation's whole management system",
        label="What is reviewed",
        to_field_name="reference",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    is_joint = forms.BooleanField(
        required=False,
        label="Held jointly by the relationship's joint management team",
        help_text="A joint review is seen by every partner in the relationship; "
        "otherwise only your organisation's people see it.",
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["relationship"].queryset = Relationship.objects.filter(
            partnerships__organisation=organisation
        ).order_by("title")

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        if cleaned_data.get("is_joint") and not cleaned_data.get("relationship"):
            self.add_error(
                "is_joint", "Only a review of a relationship can be held jointly."
            )
        return cleaned_data


class ManagementReviewForm(RevisionFormMixin, ModelForm):
    """Who met when, what they made of each input, and what they decided."""

    other_attendees = _text(
        "Other attendees", "People without an account here, one per line.", rows=2
    )
    previous_actions_input = _text("Status of actions from previous reviews")
    context_changes_input = _text(
        "Changes in external and internal context",
        "Market, organisation, people, law, the partners' own changes.",
    )
    performance_input = _text(
        "Performance and assessment results",
        "Objectives and KPIs, the value the relationships create, principle scores.",
    )
    nonconformities_input = _text("Nonconformities and corrective actions")
    audit_results_input = _text("Results of audits", "Internal and external audits.")
    opportunities_input = _text("Opportunities for improvement")
    decisions = _text("Decisions")
    resource_needs = _text("Resource needs")
    plan_changes = _text(
        "Changes needed to the relationship management plan",
        "What the plan should say differently, if anything.",
    )

    class Meta:
        model = ManagementReview
        fields = [
            "held_on",
            "chair",
            "attendees",
            "other_attendees",
            *INPUT_FIELDS,
            "evidence_revisions",
            *OUTPUT_FIELDS,
        ]
        widgets = {"held_on": DATE_WIDGET}
        field_classes = {"chair": PersonChoiceField, "attendees": PeopleChoiceField}

    def __init__(
        self,
        *args: Any,
        organisation: Organisation | None,
        relationship: Relationship | None,
        is_joint: bool,
        user: AnyUser,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.subject_organisation = organisation
        self.subject_relationship = relationship
        self.is_joint = is_joint
        self.user = user
        people = (
            relationship_members(relationship)
            if is_joint
            else organisation_members(organisation)
        )
        self.fields["chair"].queryset = people
        self.fields["attendees"].queryset = people
        self.fields["attendees"].widget = forms.CheckboxSelectMultiple()
        self.fields["attendees"].widget.choices = self.fields["attendees"].choices
        self.fields["attendees"].help_text = ""
        self.fields["held_on"].error_messages["required"] = (
            "Give the date the review was held."
        )
        if relationship is None:
            del self.fields["evidence_revisions"]
        else:
            field = DocumentRevisionMultipleChoiceField.for_relationship(
                relationship=relationship,
                user=user,
                label="Documents considered",
                help_text="Each is linked at the revision chosen, which stays "
                "linked when the document moves on. "
                + (
                    "A joint review cites joint documents only."
                    if is_joint
                    else "Joint documents and your organisation's own."
                ),
                widget=forms.CheckboxSelectMultiple(),
            )
            field.queryset = field.queryset.filter(
                review_evidence_revisions_q(
                    organisation=organisation,
                    relationship=relationship,
                    is_joint=is_joint,
                )
            )
            self.fields["evidence_revisions"] = field

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        if (
            self.instance.pk is None
            and self.is_joint
            and not user_can_record_joint_review(
                user=self.user, relationship=self.subject_relationship
            )
        ):
            raise forms.ValidationError(
                "Only people who write in the relationship record its joint reviews."
            )
        return cleaned_data

    def input_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in INPUT_FIELDS]

    def output_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in OUTPUT_FIELDS]

    def review_values(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if name in self.cleaned_data
        }

    def review_changes(self) -> dict[str, Any]:
        return self.record_changes()


class ManagementReviewActionForm(RevisionFormMixin, ModelForm):
    """An output action: what, who, by when, and how it stands."""

    description = forms.CharField(
        label="What is to be done",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say what is to be done."},
    )
    status_note = _text("Note on progress", rows=2)

    class Meta:
        model = ManagementReviewAction
        fields = ["description", "owner", "due_date", "status", "status_note"]
        widgets = {"due_date": DATE_WIDGET}
        field_classes = {"owner": PersonChoiceField}

    def __init__(self, *args: Any, review: ManagementReview, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (
            relationship_members(review.relationship)
            if review.is_joint
            else organisation_members(review.organisation)
        )
        self.fields["owner"].empty_label = "Nobody named yet"

    def action_values(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if name in self.cleaned_data
        }
