from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts

from config.forms import Form, ModelForm
from relationships.choices import MembershipRole, OrganisationKind
from relationships.models import Organisation


def _helper(label: str) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("save", label))
    return helper


class OrganisationProfileForm(ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "kind", "msme_size", "country", "website"]
        help_texts = {"msme_size": "Only for an MSME, which must give one."}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Save profile")

    def clean(self) -> dict:
        cleaned_data = super().clean()
        kind, size = cleaned_data.get("kind"), cleaned_data.get("msme_size")
        if kind == OrganisationKind.MSME and not size:
            self.add_error("msme_size", "An MSME needs a size class.")
        elif kind and kind != OrganisationKind.MSME and size:
            self.add_error(
                "msme_size", "Only an MSME has a size class: leave it empty."
            )
        return cleaned_data


class OrganisationInvitationForm(Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(
        choices=MembershipRole.choices, initial=MembershipRole.RELATIONSHIP_MANAGER
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Send invitation")

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class MembershipRoleForm(Form):
    role = forms.ChoiceField(choices=MembershipRole.choices, label="Role")


class InvitationAcceptForm(Form):
    """A new person's name and password, for the account the invitation opens."""

    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    password1 = forms.CharField(
        label="Password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=" ".join(password_validators_help_texts()),
    )
    password2 = forms.CharField(
        label="Password again",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Create my account and join")

    def clean(self) -> dict:
        cleaned_data = super().clean()
        first, second = cleaned_data.get("password1"), cleaned_data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        return cleaned_data


class ExternalAccessGrantForm(Form):
    """A grant of read-only access for a person outside the partners; the
    service states the rules (`external_grant_errors`), the form shows them."""

    name = forms.CharField(label="Person's name", max_length=200)
    email = forms.EmailField(label="E-mail address")
    relationships = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        label="Relationships they may read",
        error_messages={
            "required": "Choose at least one relationship.",
            "invalid_choice": (
                "Choose among the relationships in which your organisation is a "
                "partner."
            ),
        },
    )
    management_system = forms.BooleanField(
        label="Also your organisation's management-system records",
        required=False,
        help_text="Findings, internal audits and management reviews.",
    )
    ends_on = forms.DateField(
        label="Last day of access",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="At most a year from today. Access ends at the end of this day.",
        error_messages={
            "required": "Choose the last day of access: a grant always ends."
        },
    )

    def __init__(self, *args, relationships, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["relationships"].queryset = relationships
        self.helper = _helper("Grant access and send invitation")

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()
