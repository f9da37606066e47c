from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Fieldset, Layout, Submit
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from config.forms import Form, ModelForm
from relationships.choices import MsmeSize, OrganisationKind
from relationships.forms import DATE_WIDGET
from relationships.forms.concurrency import RevisionFormMixin, RevisionModelForm
from relationships.models import (
    JointManagementTeamMember,
    Organisation,
    Partnership,
    Relationship,
)

# Paths under relationships/ that a reference would hide.
RESERVED_REFERENCES = frozenset({"new"})


def _helper(label: str) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("save", label))
    return helper


class MemberChoiceField(forms.ModelChoiceField):
    """One of an organisation's own people; anyone else is refused by name."""

    def label_from_instance(self, user: Any) -> str:
        return user.get_full_name() or user.get_username()


def _members_of(organisation: Organisation) -> QuerySet:
    return (
        get_user_model()
        .objects.filter(memberships__organisation=organisation, is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _only_members(field: forms.ModelChoiceField, organisation: Organisation) -> None:
    field.queryset = _members_of(organisation)
    field.error_messages["invalid_choice"] = (
        f"Choose one of {organisation}'s own people: a seat for a partner is held "
        "only by its own members."
    )


class RelationshipCreateForm(ModelForm):
    lead = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Lead organisation",
        help_text="Your organisation, which leads the relationship.",
        empty_label=None,
    )

    class Meta:
        model = Relationship
        fields = ["title", "reference", "kind", "description", "start_date", "end_date"]
        widgets = {
            "start_date": DATE_WIDGET,
            "end_date": DATE_WIDGET,
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "reference": {
                "unique": "Another relationship uses this reference: choose another."
            }
        }

    def __init__(self, *args: Any, leads: QuerySet[Organisation], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = leads
        self.fields["lead"].error_messages["invalid_choice"] = (
            "Choose an organisation you manage relationships for."
        )
        self.order_fields(["lead"])
        self.helper = _helper("Start the relationship")

    def clean_reference(self) -> str:
        reference = self.cleaned_data["reference"].lower()
        if reference in RESERVED_REFERENCES:
            raise forms.ValidationError("This reference is reserved: choose another.")
        return reference

    def clean(self) -> dict:
        cleaned_data = super().clean()
        start, end = cleaned_data.get("start_date"), cleaned_data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date cannot be before the start date.")
        return cleaned_data


class PartnerInvitationForm(Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label="Organisation",
    )
    contact_name = forms.CharField(
        max_length=150, required=False, label="Name of the person to write to"
    )
    email = forms.EmailField(required=False, label="Their e-mail address")
    organisation_name = forms.CharField(
        max_length=200, required=False, label="Their organisation's name"
    )
    message = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Message"
    )

    def __init__(
        self,
        *args: Any,
        relationship: Relationship,
        known_organisations: QuerySet[Organisation],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        # Only organisations the inviter already works with are listed: the
        # site's list of tenants is nobody's business.
        self.fields["organisation"].queryset = known_organisations.exclude(
            partnerships__relationship=relationship
        ).order_by("name")
        self.fields["organisation"].error_messages["invalid_choice"] = (
            "That organisation is a partner already, or not one you work with: "
            "write to a person there below."
        )
        self.helper = _helper("Send the invitation")
        self.helper.layout = Layout(
            Fieldset("An organisation you already work with", "organisation"),
            Fieldset(
                "Or write to a person at the organisation",
                HTML(
                    '<p class="form-text">If they already use Partnerplan, the '
                    "invitation goes to their organisation's admins; if not, they "
                    "create their organisation's profile when they accept.</p>"
                ),
                "contact_name",
                "email",
                "organisation_name",
            ),
            "message",
        )

    def clean(self) -> dict:
        cleaned_data = super().clean()
        new_fields = ("contact_name", "email", "organisation_name")
        if cleaned_data.get("organisation"):
            if any(cleaned_data.get(name) for name in new_fields):
                raise forms.ValidationError(
                    "Invite either an organisation on the site or a new one, not both."
                )
            return cleaned_data
        missing = [name for name in new_fields if not cleaned_data.get(name)]
        if len(missing) == len(new_fields) and not self.errors:
            raise forms.ValidationError(
                "Choose an organisation on the site, or name a new one with the "
                "person to write to."
            )
        for name in missing:
            if name not in self.errors:
                self.add_error(name, "Needed to invite a new organisation.")
        return cleaned_data


class NewPartnerForm(Form):
    """What the invited person of a new organisation gives when accepting."""

    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_again = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    organisation_name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(
        choices=OrganisationKind.choices, label="Kind of organisation"
    )
    msme_size = forms.ChoiceField(
        choices=[("", "—"), *MsmeSize.choices],
        required=False,
        label="MSME size",
        help_text="Only for an MSME.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Create my account and join")

    def clean(self) -> dict:
        cleaned_data = super().clean()
        if cleaned_data.get("password") != cleaned_data.get("password_again"):
            self.add_error("password_again", "The two passwords differ.")
        kind, size = cleaned_data.get("kind"), cleaned_data.get("msme_size")
        if kind == OrganisationKind.MSME and not size:
            self.add_error("msme_size", "An MSME declares its size class.")
        if kind and kind != OrganisationKind.MSME and size:
            self.add_error("msme_size", "Only an MSME declares a size class.")
        return cleaned_data


class PartnershipForm(RevisionModelForm):
    class Meta:
        model = Partnership
        fields = ["relationship_manager", "senior_executive"]
        field_classes = {
            "relationship_manager": MemberChoiceField,
            "senior_executive": MemberChoiceField,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("relationship_manager", "senior_executive"):
            _only_members(self.fields[name], self.instance.organisation)
        self.helper = _helper("Save")
        self.helper.form_tag = False  # the page posts each form to its own URL


class TeamSeatForm(Form):
    user = MemberChoiceField(queryset=None, label="Person")
    role_title = forms.CharField(max_length=120, required=False)
    is_leadership = forms.BooleanField(
        required=False,
        label="Plan representative (signs the joint plan for the partner)",
    )

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _only_members(self.fields["user"], partnership.organisation)
        self.helper = _helper("Add to the team")
        self.helper.form_tag = False


class TeamSeatEditForm(RevisionFormMixin, ModelForm):
    class Meta:
        model = JointManagementTeamMember
        fields = ["role_title", "is_leadership"]
        labels = {
            "is_leadership": "Plan representative (signs the joint plan for the "
            "partner)"
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Save")


class PartnershipExitForm(Form):
    exit_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="Why the partner leaves"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Record the exit")
