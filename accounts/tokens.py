"""Single-use invitation links: a random token is e-mailed, only its SHA-256 is
stored, so a leaked database gives no working link."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


def invitation_token_new() -> tuple[str, str]:
    """A fresh token and the digest to store."""
    token = secrets.token_urlsafe(32)
    return token, invitation_token_digest(token)


def invitation_token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_expiry() -> "timezone.datetime":
    return timezone.now() + timedelta(days=settings.INVITATION_DAYS)


def invitation_link_renew(invitation: "Invitation") -> str:
    """Give an invitation a fresh link and expiry, counted as one more sending
    (the caller saves it and sends the mail): the link sent before stops working.
    Returns the new token, for the mail."""
    token, invitation.token_digest = invitation_token_new()
    invitation.expires_at = invitation_expiry()
    invitation.sent_at = timezone.now()
    invitation.send_count += 1
    return token


class InvitationState(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"


class Invitation(models.Model):
    """What every invitation has: an address, a single-use link that expires, and
    who sent it. Concrete invitations (to an organisation, to a relationship) add
    what the invitee is invited to."""

    email = models.EmailField()
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    send_count = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField(default=invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    declined_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def state(self) -> str:
        if self.accepted_at:
            return InvitationState.ACCEPTED
        if self.revoked_at:
            return InvitationState.REVOKED
        if self.declined_at:
            return InvitationState.DECLINED
        if self.expires_at <= timezone.now():
            return InvitationState.EXPIRED
        return InvitationState.PENDING

    @property
    def is_pending(self) -> bool:
        return self.state == InvitationState.PENDING
