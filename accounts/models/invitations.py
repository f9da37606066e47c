from django.conf import settings
from django.db import models
from django.urls import reverse

from accounts.tokens import Invitation
from relationships.choices import MembershipRole
from relationships.models import Organisation


class OrganisationInvitation(Invitation):
    """An invitation to join an organisation with a role, sent by its admin (or by
    the first-run command, for the first admin)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(max_length=30, choices=MembershipRole.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the first admin, invited by the first-run command.",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} to {self.organisation} ({self.get_role_display()})"

    def get_absolute_url(self) -> str:
        return reverse(
            "accounts:organisation_invitations", args=[self.organisation.slug]
        )
