from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from accounts.tokens import Invitation
from relationships.models.organisations import Organisation
from relationships.models.relationships import Relationship


class PartnerInvitation(Invitation):
    """An invitation for an organisation to join a relationship as a partner: one
    already on the site (its admins answer it in the app), or a new one, by
    e-mail to a named person who creates its profile when accepting."""

    # A new organisation's person is written to; an organisation on the site is
    # told through its admins' own addresses.
    email = models.EmailField(blank=True)
    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="partner_invitations"
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="partner_invitations",
        help_text="An organisation already on the site; empty for a new one.",
    )
    contact_name = models.CharField(max_length=150, blank=True)
    organisation_name = models.CharField(
        "proposed organisation name", max_length=200, blank=True
    )
    message = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["relationship", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False)
                | (~Q(email="") & ~Q(contact_name="") & ~Q(organisation_name="")),
                name="partner_invitation_names_a_new_organisation",
                violation_error_message=(
                    "Invite an organisation on the site, or name the person and "
                    "the new organisation."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invitee_name} to {self.relationship}"

    @property
    def invitee_name(self) -> str:
        if self.organisation_id:
            return self.organisation.name
        return self.organisation_name

    @property
    def is_for_new_organisation(self) -> bool:
        """Written to a person by e-mail (the organisation they then create is
        recorded here once they accept)."""
        return bool(self.email)
