from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from relationships.choices import MembershipRole
from relationships.models import Organisation


def policy_requires_mfa(
    *, required_for_all: bool | None, required_roles: list[str] | None, role: str
) -> bool:
    """The policy's rule for a member holding `role` (None: no policy)."""
    return bool(required_for_all) or role in (required_roles or [])


class OrganisationSecurityPolicy(models.Model):
    """Which of an organisation's members must use two-factor authentication."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="security_policy"
    )
    mfa_required_for_all = models.BooleanField(
        "Require two-factor authentication for everyone", default=False
    )
    mfa_required_roles = models.JSONField(
        "Require it for these roles",
        default=list,
        blank=True,
        help_text="Role values from MembershipRole.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name_plural = "organisation security policies"

    def __str__(self) -> str:
        return f"Security policy of {self.organisation}"

    def clean(self) -> None:
        unknown = set(self.mfa_required_roles) - set(MembershipRole.values)
        if unknown:
            raise ValidationError(
                {"mfa_required_roles": f"Unknown roles: {', '.join(sorted(unknown))}."}
            )

    def requires_mfa_for(self, role: str) -> bool:
        return policy_requires_mfa(
            required_for_all=self.mfa_required_for_all,
            required_roles=self.mfa_required_roles,
            role=role,
        )
