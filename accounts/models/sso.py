from allauth.socialaccount.models import SocialApp
from django.db import models

from accounts.choices import SsoNewMemberRole, SsoProtocol
from relationships.models import Organisation


class IdentityProvider(models.Model):
    """An organisation's own sign-on service, which its members log in with."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="identity_provider"
    )
    protocol = models.CharField(
        max_length=20, choices=SsoProtocol.choices, default=SsoProtocol.OPENID_CONNECT
    )
    name = models.CharField(
        max_length=100, help_text="Shown to people as “Log in with …”."
    )
    server_url = models.URLField(
        "issuer (server) URL",
        max_length=500,
        help_text="The provider's issuer; its /.well-known/openid-configuration "
        "is read from there.",
    )
    client_id = models.CharField("client ID", max_length=200)
    client_secret = models.CharField(max_length=500)
    enabled = models.BooleanField(default=True)
    new_member_role = models.CharField(
        "people without an account",
        max_length=30,
        choices=SsoNewMemberRole.choices,
        default=SsoNewMemberRole.NOBODY,
        blank=True,
        help_text="What a person of your domains becomes the first time they "
        "log in here without an invitation.",
    )
    # allauth's record of the same provider, kept in step by the services.
    social_app = models.OneToOneField(
        SocialApp,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="identity_provider",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation"]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

    @property
    def provider_id(self) -> str:
        """allauth's id of this provider, in its login and callback URLs."""
        return f"org-{self.organisation_id}"

    @property
    def domain_names(self) -> list[str]:
        return sorted(domain.domain for domain in self.domains.all())


class IdentityProviderDomain(models.Model):
    """An e-mail domain whose people an identity provider vouches for; a domain
    belongs to one organisation only."""

    identity_provider = models.ForeignKey(
        IdentityProvider, on_delete=models.CASCADE, related_name="domains"
    )
    domain = models.CharField(max_length=253, unique=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain
