from django import forms

from config.forms import Form
from relationships.choices import MembershipRole


class OrganisationSecurityPolicyForm(Form):
    """Which members must use two-factor authentication."""

    mfa_required_for_all = forms.BooleanField(
        label="Require two-factor authentication for every member",
        required=False,
    )
    mfa_required_roles = forms.MultipleChoiceField(
        label="Or require it for these roles",
        choices=MembershipRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="People holding any of these roles must enrol an authenticator "
        "app or a security key before they can use the site.",
    )
