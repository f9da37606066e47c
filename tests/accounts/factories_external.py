"""External auditors for the tests: a person outside every partner with a grant
from the world's lead organisation (active, lapsed or revoked)."""

import datetime
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.utils import timezone

from accounts.models import ExternalAccessGrant
from accounts.tokens import invitation_token_new
from relationships.models import Organisation, Relationship
from tests.factories import UserFactory


def external_grant(
    *,
    user: AbstractUser | None,
    organisation: Organisation,
    relationships: list[Relationship],
    granted_by: AbstractUser,
    ends_on: datetime.date | None = None,
    revoked: bool = False,
    management_system: bool = False,
    email: str | None = None,
) -> ExternalAccessGrant:
    """A grant as it stands once accepted by `user` (or still only sent, without
    a user)."""
    now = timezone.now()
    grant = ExternalAccessGrant.objects.create(
        organisation=organisation,
        name=user.get_full_name() if user else "Invited Auditor",
        email=email or (user.email if user else "invited@certbody.example"),
        token_digest=invitation_token_new()[1],
        invited_by=granted_by,
        sent_at=now,
        send_count=1,
        ends_on=ends_on or timezone.localdate() + datetime.timedelta(days=30),
        accepted_at=now if user else None,
        accepted_by=user,
        revoked_at=now if revoked else None,
        revoked_by=granted_by if revoked else None,
        management_system=management_system,
    )
    grant.relationships.set(relationships)
    return grant


def external_auditor(world: Any, username: str = "erin", **grant: Any) -> AbstractUser:
    """A certification body's auditor with a grant from the lead organisation to
    the world's relationship (`grant` changes it: ends_on, revoked)."""
    user = UserFactory(username=username, email=f"{username}@certbody.example")
    external_grant(
        user=user,
        organisation=world.lead.organisation,
        relationships=[world.relationship],
        granted_by=world.alice,
        **grant,
    )
    return user


def yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)
