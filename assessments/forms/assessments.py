"""Forms of the rating workflow: one form per principle, starting, actions."""

from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import QuerySet

from assessments.models import PrincipleRating
from assessments.selectors.assessments import (
    EvidenceChoices,
    GuidedPrinciple,
    StartOption,
)
from assessments.services.assessments import (
    ACTION_DESCRIPTION_MAX_LENGTH,
    ACTION_TITLE_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    EVIDENCE_MAX_LENGTH,
    PROMPT_ANSWER_MAX_LENGTH,
    RatingInput,
    rating_input_errors,
)
from assessments.services.confirmations import SEND_BACK_REASON_MAX_LENGTH
from config.forms import Form
from principles.models import MaturityLevel
from relationships.forms import DATE_WIDGET
from relationships.models import Partnership, Relationship


class PlainTextField(forms.CharField):
    """Free text with browser line endings (CRLF) normalised, so an untouched
    textarea compares equal to what was saved."""

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        return text.replace("\r\n", "\n").replace("\r", "\n")


class RecordChoiceField(forms.MultipleChoiceField):
    """Pick records of one relationship by id; anything else is a field error."""

    def __init__(self, *, records: list[Any], noun: str, **kwargs: Any) -> None:
        self.records_by_id = {str(record.pk): record for record in records}
        super().__init__(
            choices=[(key, str(record)) for key, record in self.records_by_id.items()],
            required=False,
            widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
            error_messages={
                "invalid_choice": (
                    f"Link {noun} of this relationship only; %(value)s is not one."
                )
            },
            **kwargs,
        )

    def clean(self, value: Any) -> list[Any]:
        return [self.records_by_id[key] for key in super().clean(value)]


class PrincipleRatingForm(Form):
    """One principle's panel: prompts, level, evidence and comment."""

    level = forms.TypedChoiceField(
        label="Maturity level",
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        error_messages={"invalid_choice": "Choose a maturity level between 1 and 5."},
    )
    evidence = PlainTextField(
        label="Evidence",
        required=False,
        max_length=EVIDENCE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What shows this level in practice: meetings, records, results.",
    )
    plan_section_keys = forms.MultipleChoiceField(
        label="Plan sections",
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={
            "invalid_choice": (
                "Choose plan sections from the list; %(value)s is not one."
            )
        },
    )
    comment = PlainTextField(
        label="Comment",
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Anything the partners should discuss, or why the level moved.",
    )

    def __init__(
        self,
        *args: Any,
        guided: GuidedPrinciple,
        relationship: Relationship,
        maturity_levels: list[MaturityLevel],
        evidence_choices: EvidenceChoices,
        rating: PrincipleRating | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("prefix", guided.key)
        super().__init__(*args, **kwargs)
        self.guided = guided
        self.relationship = relationship
        self.rating = rating
        self.maturity_levels = maturity_levels
        self.fields["level"].choices = [
            (level.level, f"{level.level} – {level.name}") for level in maturity_levels
        ]
        self.fields["plan_section_keys"].choices = evidence_choices.plan_sections
        self.fields["objectives"] = RecordChoiceField(
            records=evidence_choices.objectives, noun="objectives", label="Objectives"
        )
        self.fields["risks"] = RecordChoiceField(
            records=evidence_choices.risks, noun="risks", label="Risks"
        )
        self.fields["documents"] = RecordChoiceField(
            records=evidence_choices.documents,
            noun="documents",
            label="Documents",
        )
        self.prompt_field_names = []
        for index, prompt in enumerate(guided.guidance.prompts):
            name = f"prompt_{index}"
            self.fields[name] = PlainTextField(
                label=prompt,
                required=False,
                max_length=PROMPT_ANSWER_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.prompt_field_names.append(name)
        self.extra_answers: list[str] = []
        if rating is not None:
            self._set_initial_from(rating)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def _set_initial_from(self, rating: PrincipleRating) -> None:
        answers = list(rating.prompt_answers)
        self.initial.update(
            {
                "level": rating.level,
                "evidence": rating.evidence,
                "comment": rating.comment,
                "plan_section_keys": list(rating.plan_section_keys),
                "objectives": [str(record.pk) for record in rating.objectives.all()],
                "risks": [str(record.pk) for record in rating.risks.all()],
                "documents": [str(record.pk) for record in rating.documents.all()],
            }
        )
        for index, name in enumerate(self.prompt_field_names):
            if index < len(answers):
                self.initial[name] = answers[index]
        # Answers to prompts the guidance no longer asks are kept, not dropped.
        self.extra_answers = answers[len(self.prompt_field_names) :]

    @property
    def prompt_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.prompt_field_names]

    @property
    def level_options(self) -> list[tuple[Any, MaturityLevel]]:
        """Each level's radio button beside its name and descriptor."""
        return list(zip(self["level"], self.maturity_levels, strict=True))

    @property
    def prompts_answered(self) -> int:
        return sum(bool((field.value() or "").strip()) for field in self.prompt_fields)

    @property
    def prompts_open(self) -> bool:
        """Show the questions unfolded when something is written in them or wrong."""
        return bool(self.prompts_answered) or any(
            field.errors for field in self.prompt_fields
        )

    @property
    def comment_open(self) -> bool:
        return bool((self["comment"].value() or "").strip() or self["comment"].errors)

    @property
    def link_count(self) -> int:
        return sum(
            len(self[name].value() or [])
            for name in ("plan_section_keys", "objectives", "risks", "documents")
        )

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        if self.errors:
            return cleaned_data
        if self.rating is not None and cleaned_data.get("level") is None:
            self.add_error("level", "A rated principle keeps a level; choose one.")
            return cleaned_data
        for field_name, messages in rating_input_errors(
            relationship=self.relationship, entry=self.rating_input
        ).items():
            target = field_name if field_name in self.fields else None
            if field_name == "prompt_answers" and self.prompt_field_names:
                target = self.prompt_field_names[0]
            for message in messages:
                self.add_error(target, message)
        return cleaned_data

    @property
    def rating_input(self) -> RatingInput:
        data = self.cleaned_data
        answers = [data.get(name, "") for name in self.prompt_field_names]
        answers += self.extra_answers
        while answers and not answers[-1].strip():
            answers.pop()
        return RatingInput(
            principle=self.guided.principle,
            level=data.get("level"),
            evidence=data.get("evidence", ""),
            comment=data.get("comment", ""),
            prompt_answers=answers,
            plan_section_keys=list(data.get("plan_section_keys", [])),
            objectives=list(data.get("objectives", [])),
            risks=list(data.get("risks", [])),
            documents=list(data.get("documents", [])),
        )


def principle_rating_forms(
    *,
    data: Any,
    relationship: Relationship,
    guided_principles: list[GuidedPrinciple],
    ratings: dict[str, PrincipleRating],
    maturity_levels: list[MaturityLevel],
    evidence_choices: EvidenceChoices,
) -> list[PrincipleRatingForm]:
    return [
        PrincipleRatingForm(
            data,
            guided=guided,
            relationship=relationship,
            maturity_levels=maturity_levels,
            evidence_choices=evidence_choices,
            rating=ratings.get(guided.key),
        )
        for guided in guided_principles
    ]


class AssessmentStartForm(Form):
    """Which of the current period's assessments to open, and whether to copy."""

    subject = forms.ChoiceField(
        label="Assessment", widget=forms.RadioSelect, choices=[]
    )
    from_previous = forms.BooleanField(
        label="Start from the previous period's assessment",
        required=False,
        help_text=(
            "Copies its levels, answers, evidence and links as a starting point; "
            "each principle is then marked unchanged, changed or new."
        ),
    )

    def __init__(self, *args: Any, options: list[StartOption], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options = {option.value: option for option in options}
        self.fields["subject"].choices = [
            (option.value, option.label) for option in options
        ]
        if len(options) == 1:
            self.initial.setdefault("subject", options[0].value)
        self.fields["subject"].error_messages["invalid_choice"] = (
            "You cannot start that assessment for this period: it exists already or "
            "your role does not allow it."
        )
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        option = self.options.get(cleaned_data.get("subject", ""))
        if option is not None:
            cleaned_data["option"] = option
            if cleaned_data.get("from_previous") and option.previous is None:
                self.add_error(
                    "from_previous",
                    f"There is no earlier {option.label.lower()} to start from.",
                )
        return cleaned_data


class ImprovementActionForm(Form):
    """The improvement action a low rating asks for; the title comes prefilled."""

    title = forms.CharField(max_length=ACTION_TITLE_MAX_LENGTH, required=False)
    description = forms.CharField(
        required=False,
        max_length=ACTION_DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What should change, and how the partners will know it has.",
    )
    due_date = forms.DateField(required=False, widget=DATE_WIDGET)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class PartnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, partnership: Partnership) -> str:
        return partnership.organisation.name


class AssessmentConfirmForm(Form):
    """One partner's confirmation, bound to the ratings the page showed."""

    partnership = PartnerChoiceField(
        queryset=Partnership.objects.none(), widget=forms.HiddenInput
    )
    content_sha256 = forms.RegexField(
        regex=r"^[0-9a-f]{64}$",
        widget=forms.HiddenInput,
        error_messages={"invalid": "The page did not say which ratings you saw."},
    )

    def __init__(
        self, *args: Any, partnerships: QuerySet[Partnership], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = partnerships


class AssessmentSendBackForm(Form):
    """Sending the joint assessment back to draft, for one partner, with a reason."""

    partnership = PartnerChoiceField(
        queryset=Partnership.objects.none(), label="On behalf of", empty_label=None
    )
    reason = forms.CharField(
        max_length=SEND_BACK_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "What needs to change before your side can confirm. The people who "
            "entered the ratings receive it by e-mail, and it is shown on the "
            "assessment."
        ),
        error_messages={
            "required": "Say what needs to change before your partner can confirm."
        },
    )

    def __init__(
        self, *args: Any, partnerships: QuerySet[Partnership], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = partnerships
        self.helper = FormHelper()
        self.helper.form_tag = False
