"""Invitations to an organisation: the rules of accounts.services."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import OrganisationInvitation
from accounts.services import (
    organisation_invitation_accept,
    organisation_invitation_create,
    organisation_invitation_resend,
    organisation_invitation_revoke,
)
from accounts.tokens import InvitationState
from relationships.choices import MembershipRole
from relationships.models import Membership
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a long enough passphrase 42"


def _invite(world, olive, email="nora@example.org", role=MembershipRole.JMT_MEMBER):
    return organisation_invitation_create(
        organisation=world.lead.organisation, email=email, role=role, invited_by=olive
    )


def test_invitation_is_mailed_after_commit_with_a_site_link(
    world, olive, settings, django_capture_on_commit_callbacks
) -> None:
    settings.SITE_URL = "https://pp.example.org"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation, link = _invite(world, olive, email=" Nora@Example.org ")
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nora@example.org"]
    assert link.startswith("https://pp.example.org/invitations/")
    assert link in message.body
    assert "Lead Org" in message.subject
    assert invitation.send_count == 1
    # Only the digest is stored.
    assert link.rsplit("/", 2)[-2] not in invitation.token_digest


def test_invitation_expires_after_the_configured_days(world, olive, settings) -> None:
    settings.INVITATION_DAYS = 3
    invitation, _link = _invite(world, olive)
    assert invitation.expires_at - timezone.now() > datetime.timedelta(days=2, hours=23)
    assert invitation.expires_at - timezone.now() <= datetime.timedelta(days=3)


def test_address_of_another_organisation_is_refused(world, olive) -> None:
    with pytest.raises(ValidationError, match="another organisation"):
        _invite(world, olive, email=world.bob.email.upper())
    assert not OrganisationInvitation.objects.exists()


def test_address_of_a_member_here_is_refused(world, olive) -> None:
    with pytest.raises(ValidationError, match="already a member of Lead Org"):
        _invite(world, olive, email=world.carol.email)
    assert not OrganisationInvitation.objects.exists()


def test_pending_duplicate_is_refused(world, olive) -> None:
    _invite(world, olive)
    with pytest.raises(ValidationError, match="already pending"):
        _invite(world, olive, email="NORA@example.org")
    assert OrganisationInvitation.objects.count() == 1


def test_expired_invitation_does_not_block_a_new_one(world, olive) -> None:
    invitation, _link = _invite(world, olive)
    invitation.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    invitation.save()
    _invite(world, olive)
    assert OrganisationInvitation.objects.count() == 2


def test_unknown_role_is_refused(world, olive) -> None:
    with pytest.raises(ValidationError):
        _invite(world, olive, role="superuser")


def test_accepting_creates_a_verified_account_and_a_membership(world, olive) -> None:
    invitation, _link = _invite(world, olive)
    user = organisation_invitation_accept(
        invitation=invitation, first_name="Nora", last_name="New", password=PASSWORD
    )
    assert user.email == "nora@example.org"
    assert user.emailaddress_set.get().verified
    assert Membership.objects.get(user=user).role == MembershipRole.JMT_MEMBER
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.ACCEPTED
    assert invitation.accepted_by == user


def test_a_used_link_is_refused(world, olive) -> None:
    invitation, _link = _invite(world, olive)
    organisation_invitation_accept(
        invitation=invitation, first_name="N", last_name="N", password=PASSWORD
    )
    with pytest.raises(ValidationError, match="already been used"):
        organisation_invitation_accept(
            invitation=invitation, first_name="X", last_name="X", password=PASSWORD
        )
    assert Membership.objects.filter(user__email="nora@example.org").count() == 1


def test_an_expired_link_is_refused(world, olive) -> None:
    invitation, _link = _invite(world, olive)
    invitation.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    invitation.save()
    with pytest.raises(ValidationError, match="expired"):
        organisation_invitation_accept(
            invitation=invitation, first_name="N", last_name="N", password=PASSWORD
        )
    assert not Membership.objects.filter(user__email="nora@example.org").exists()


def test_a_revoked_link_is_refused(world, olive) -> None:
    invitation, _link = _invite(world, olive)
    organisation_invitation_revoke(invitation=invitation, user=olive)
    with pytest.raises(ValidationError, match="withdrawn"):
        organisation_invitation_accept(
            invitation=invitation, first_name="N", last_name="N", password=PASSWORD
        )
    with pytest.raises(ValidationError, match="already revoked"):
        organisation_invitation_revoke(invitation=invitation, user=olive)


def test_a_weak_password_changes_nothing(world, olive) -> None:
    invitation, _link = _invite(world, olive)
    with pytest.raises(ValidationError):
        organisation_invitation_accept(
            invitation=invitation, first_name="N", last_name="N", password="123"
        )
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.PENDING
    assert not Membership.objects.filter(organisation=world.lead.organisation).filter(
        user__email="nora@example.org"
    )


def test_someone_else_cannot_accept(world, olive) -> None:
    invitation, _link = _invite(world, olive)
    stranger = UserFactory(username="stranger")
    with pytest.raises(ValidationError, match="someone else"):
        organisation_invitation_accept(invitation=invitation, user=stranger)
    assert not Membership.objects.filter(user=stranger).exists()


def test_resend_issues_a_fresh_link_and_counts(
    world, olive, django_capture_on_commit_callbacks
) -> None:
    invitation, first_link = _invite(world, olive)
    old_digest = invitation.token_digest
    with django_capture_on_commit_callbacks(execute=True):
        invitation, second_link = organisation_invitation_resend(
            invitation=invitation, user=olive
        )
    assert second_link != first_link
    assert invitation.token_digest != old_digest
    assert invitation.send_count == 2
    assert second_link in mail.outbox[-1].body
    assert not OrganisationInvitation.objects.filter(token_digest=old_digest).exists()


def test_resend_revives_an_expired_invitation(world, olive) -> None:
    invitation, _link = _invite(world, olive)
    invitation.expires_at = timezone.now() - datetime.timedelta(days=1)
    invitation.save()
    invitation, _link = organisation_invitation_resend(
        invitation=invitation, user=olive
    )
    assert invitation.state == InvitationState.PENDING


def test_accepted_invitation_cannot_be_resent(world, olive) -> None:
    invitation, _link = _invite(world, olive)
    organisation_invitation_accept(
        invitation=invitation, first_name="N", last_name="N", password=PASSWORD
    )
    with pytest.raises(ValidationError, match="accepted"):
        organisation_invitation_resend(invitation=invitation, user=olive)


def test_existing_account_accepts_as_itself(world, olive) -> None:
    loner = UserFactory(username="loner", email="loner@example.org")
    invitation, _link = _invite(world, olive, email="loner@example.org")
    with pytest.raises(ValidationError, match="exists already"):
        organisation_invitation_accept(
            invitation=invitation, first_name="L", last_name="L", password=PASSWORD
        )
    organisation_invitation_accept(invitation=invitation, user=loner)
    assert Membership.objects.get(user=loner).organisation == world.lead.organisation
