import re

from django import forms

from accounts.choices import SsoNewMemberRole
from accounts.models import IdentityProvider
from config.forms import Form


def domains_parse(text: str) -> list[str]:
    """Domains typed one a line, or separated by commas or spaces."""
    return [domain for domain in re.split(r"[\s,;]+", text) if domain]


class IdentityProviderForm(Form):
    name = forms.CharField(
        max_length=100,
        help_text="Shown to your people as “Log in with …”, e.g. “University login”.",
    )
    server_url = forms.URLField(
        label="Issuer (server) URL",
        max_length=500,
        assume_scheme="https",
        help_text="Your provider's issuer, e.g. https://login.example.org/realms/staff",
    )
    client_id = forms.CharField(label="Client ID", max_length=200)
    client_secret = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave empty to keep the secret already stored.",
    )
    domains = forms.CharField(
        label="E-mail domains",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One a line. People with an address at these domains log in "
        "through this provider.",
    )
    new_member_role = forms.ChoiceField(
        label="People without an account",
        choices=SsoNewMemberRole.choices,
        required=False,
    )
    enabled = forms.BooleanField(required=False, initial=True)

    def __init__(
        self,
        *args: object,
        identity_provider: IdentityProvider | None,
        **kwargs: object,
    ) -> None:
        if identity_provider is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": identity_provider.name,
                    "server_url": identity_provider.server_url,
                    "client_id": identity_provider.client_id,
                    "domains": "\n".join(identity_provider.domain_names),
                    "new_member_role": identity_provider.new_member_role,
                    "enabled": identity_provider.enabled,
                },
            )
        super().__init__(*args, **kwargs)
        self.secret_stored = bool(identity_provider and identity_provider.client_secret)
        if not self.secret_stored:
            self.fields["client_secret"].required = True
            self.fields["client_secret"].help_text = ""

    def clean_domains(self) -> list[str]:
        return domains_parse(self.cleaned_data["domains"])


class SsoStartForm(Form):
    email = forms.EmailField(
        label="Your work e-mail",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)
