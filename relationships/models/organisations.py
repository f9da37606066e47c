from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from relationships.choices import (
    MembershipRole,
    MsmeSize,
    OrganisationKind,
)


class Organisation(models.Model):
    """A company, university or public body that takes part in relationships."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    msme_size = models.CharField(
        "MSME size",
        max_length=10,
        choices=MsmeSize.choices,
        blank=True,
        help_text="Self-declared; only for MSMEs.",
    )
    country = models.CharField(max_length=80, blank=True)
    website = models.URLField(blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        through_fields=("organisation", "user"),
        related_name="organisations",
    )
    history = HistoricalRecords(excluded_fields=["slug"])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=OrganisationKind.MSME) & ~Q(msme_size=""))
                | (~Q(kind=OrganisationKind.MSME) & Q(msme_size="")),
                name="organisation_msme_size_only_for_msme",
                violation_error_message="An MSME needs a size class; other kinds none.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_msme(self) -> bool:
        return self.kind == OrganisationKind.MSME


class Membership(models.Model):
    """A user's role in an organisation; it is what grants access to relationships."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=30, choices=MembershipRole.choices)
    # Deactivation keeps the row (and its history): the person no longer counts as
    # a member for access, seats or sign-off, and can be reactivated.
    deactivated_at = models.DateTimeField(null=True, blank=True)
    deactivated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                name="membership_unique_role_per_user_and_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} at {self.organisation}"

    @property
    def is_active(self) -> bool:
        return self.deactivated_at is None
