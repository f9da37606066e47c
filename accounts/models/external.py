from datetime import date

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from accounts.tokens import Invitation
from relationships.models import Organisation, Relationship


class ExternalGrantState(models.TextChoices):
    INVITED = "invited", "Invited"
    ACTIVE = "active", "Active"
    LAPSED = "lapsed", "Lapsed"
    REVOKED = "revoked", "Revoked"


class ExternalAccessGrant(Invitation):
    """Read-only access for a named person outside every partner (a certification
    body's auditor) to some of an organisation's relationships, until a last day.

    It is also the invitation: the person accepts its single-use link with a new
    or existing account (`accepted_by`), and from then on the grant counts until
    it is revoked or its last day has passed."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="external_grants"
    )
    name = models.CharField("Person's name", max_length=200)
    relationships = models.ManyToManyField(Relationship, related_name="external_grants")
    management_system = models.BooleanField(
        "Management-system records",
        default=False,
        help_text=(
            "Also the organisation's own findings, internal audits and management "
            "reviews."
        ),
    )
    ends_on = models.DateField(
        "Last day of access",
        help_text="Access ends at the end of this day.",
    )
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["accepted_by", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}> for {self.organisation}"

    def get_absolute_url(self) -> str:
        return reverse("accounts:organisation_external", args=[self.organisation.slug])

    def grant_state(self, today: date | None = None) -> str:
        """The grant's state as its list shows it (the access rule,
        `relationships.access.external`, states the same in a query)."""
        today = today or timezone.localdate()
        if self.revoked_at:
            return ExternalGrantState.REVOKED
        if self.ends_on < today:
            return ExternalGrantState.LAPSED
        if self.accepted_at:
            return ExternalGrantState.ACTIVE
        return ExternalGrantState.INVITED

    @property
    def state_label(self) -> str:
        return ExternalGrantState(self.grant_state()).label


class ExternalAccessLog(models.Model):
    """One request by an external auditor, kept for the organisation that granted
    the access."""

    grant = models.ForeignKey(
        ExternalAccessGrant, on_delete=models.CASCADE, related_name="log"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status_code = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.method} {self.path} {self.status_code}"
