"""Partners join, seat their people and leave: invitations to a relationship, a
partner's own seats (relationship manager, senior executive, joint management
team, plan representatives), and a partner's exit. Every save records its
author for the History page."""

import logging
from smtplib import SMTPException
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.services import account_create
from accounts.tokens import (
    InvitationState,
    invitation_link_renew,
    invitation_token_digest,
    invitation_token_new,
)
from relationships.access import organisation_admins, user_can_answer_invitation
from relationships.choices import MembershipRole, PartnerRole
from relationships.concurrency import revision_claim
from relationships.models import (
    JointManagementTeamMember,
    Membership,
    Organisation,
    PartnerInvitation,
    Partnership,
    Relationship,
)
from relationships.services.organisations import organisation_create

logger = logging.getLogger(__name__)

PARTNERSHIP_EDITABLE_FIELDS = frozenset({"relationship_manager", "senior_executive"})


class InvitationError(Exception):
    """An invitation link or answer that cannot be used; the message says why."""


# --- e-mails ----------------------------------------------------------------------


def _send(*, template: str, context: dict[str, Any], to: list[str]) -> bool:
    subject = " ".join(
        render_to_string(f"relationships/email/{template}_subject.txt", context).split()
    )
    try:
        EmailMessage(
            subject=subject,
            body=render_to_string(f"relationships/email/{template}.txt", context),
            to=to,
        ).send()
    except (SMTPException, OSError):
        logger.exception("Could not send %s to %s", template, ", ".join(to))
        return False
    return True


def _organisation_admin_addresses(organisation: Organisation) -> list[str]:
    return sorted(
        {
            address
            for address in organisation_admins(organisation).values_list(
                "user__email", flat=True
            )
            if address
        }
    )


def _invitation_send(*, invitation: PartnerInvitation, token: str) -> None:
    context = {
        "invitation": invitation,
        "relationship": invitation.relationship,
        "lead": invitation.relationship.partnerships.filter(role=PartnerRole.LEAD)
        .select_related("organisation")
        .first(),
        "inviter": invitation.invited_by.get_full_name()
        or invitation.invited_by.get_username(),
        "site_url": settings.SITE_URL,
    }
    if invitation.is_for_new_organisation:
        path = reverse("relationships:partner_invitation_accept", args=[token])
        context["accept_url"] = f"{settings.SITE_URL}{path}"
        _send(
            template="partner_invitation_new",
            context=context,
            to=[invitation.email],
        )
        return
    context["answer_url"] = f"{settings.SITE_URL}{reverse('relationships:list')}"
    to = _organisation_admin_addresses(invitation.organisation)
    if to:
        _send(template="partner_invitation_existing", context=context, to=to)


def _send_after_commit(invitation: PartnerInvitation, token: str) -> None:
    transaction.on_commit(lambda: _invitation_send(invitation=invitation, token=token))


# --- invitations ------------------------------------------------------------------


def _organisation_of_address(email: str) -> Organisation | None:
    """The organisation an active member with this address belongs to."""
    return (
        Organisation.objects.filter(
            memberships__user__email__iexact=email,
            memberships__deactivated_at__isnull=True,
        )
        .distinct()
        .first()
    )


def _check_can_be_invited(
    *,
    relationship: Relationship,
    organisation: Organisation | None,
    email: str,
) -> None:
    if organisation is not None:
        if relationship.partnerships.filter(organisation=organisation).exists():
            raise ValidationError(
                {"organisation": f"{organisation} is already a partner."}
            )
        if relationship.partner_invitations.filter(
            organisation=organisation,
            accepted_at__isnull=True,
            declined_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).exists():
            raise ValidationError(
                {
                    "organisation": f"{organisation} has an open invitation already: "
                    "resend it instead."
                }
            )
        return
    if relationship.partner_invitations.filter(
        organisation__isnull=True,
        email__iexact=email,
        accepted_at__isnull=True,
        declined_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).exists():
        raise ValidationError(
            {"email": f"{email} has an open invitation already: resend it instead."}
        )


@transaction.atomic
def partner_invitation_create(
    *,
    relationship: Relationship,
    invited_by: AbstractBaseUser,
    organisation: Organisation | None = None,
    email: str = "",
    contact_name: str = "",
    organisation_name: str = "",
    message: str = "",
) -> PartnerInvitation:
    """Invite an organisation on the site (its admins are told), or a new one by
    e-mail to a named person; the e-mail goes after the commit."""
    Relationship.objects.select_for_update().filter(pk=relationship.pk).first()
    email = email.strip().lower()
    if organisation is None:
        # A person who already uses the site belongs to an organisation here:
        # the invitation goes to that organisation, whose admins answer it.
        organisation = _organisation_of_address(email)
    _check_can_be_invited(
        relationship=relationship, organisation=organisation, email=email
    )
    token, digest = invitation_token_new()
    invitation = PartnerInvitation(
        relationship=relationship,
        organisation=organisation,
        email="" if organisation else email,
        contact_name="" if organisation else contact_name.strip(),
        organisation_name="" if organisation else organisation_name.strip(),
        message=message.strip(),
        invited_by=invited_by,
        token_digest=digest,
        sent_at=timezone.now(),
        send_count=1,
    )
    invitation.full_clean()
    invitation._history_user = invited_by
    invitation._change_reason = "Invitation sent"
    invitation.save()
    _send_after_commit(invitation, token)
    return invitation


def _check_pending(invitation: PartnerInvitation, doing: str) -> None:
    state = invitation.state
    if state != InvitationState.PENDING:
        raise InvitationError(
            f"This invitation was {InvitationState(state).label.lower()}: "
            f"it cannot be {doing}."
        )


def _locked(invitation: PartnerInvitation) -> PartnerInvitation:
    return PartnerInvitation.objects.select_for_update().get(pk=invitation.pk)


@transaction.atomic
def partner_invitation_resend(
    *, invitation: PartnerInvitation, user: AbstractBaseUser
) -> PartnerInvitation:
    """Send again with a new link (the old one stops working) and a new expiry;
    an expired invitation may be resent, a closed one not."""
    invitation = _locked(invitation)
    if invitation.state not in (InvitationState.PENDING, InvitationState.EXPIRED):
        _check_pending(invitation, "resent")
    token = invitation_link_renew(invitation)
    invitation._history_user = user
    invitation._change_reason = "Invitation sent again"
    invitation.save()
    _send_after_commit(invitation, token)
    return invitation


@transaction.atomic
def partner_invitation_revoke(
    *, invitation: PartnerInvitation, user: AbstractBaseUser
) -> PartnerInvitation:
    invitation = _locked(invitation)
    if invitation.state not in (InvitationState.PENDING, InvitationState.EXPIRED):
        _check_pending(invitation, "revoked")
    invitation.revoked_at = timezone.now()
    invitation._history_user = user
    invitation._change_reason = "Invitation revoked"
    invitation.save()
    return invitation


@transaction.atomic
def partner_invitation_decline(
    *, invitation: PartnerInvitation, user: AbstractBaseUser
) -> PartnerInvitation:
    invitation = _locked(invitation)
    _check_pending(invitation, "declined")
    invitation.declined_at = timezone.now()
    invitation._history_user = user
    invitation._change_reason = "Invitation declined"
    invitation.save()
    return invitation


def _join(
    *, invitation: PartnerInvitation, organisation: Organisation, user: AbstractBaseUser
) -> Partnership:
    if invitation.relationship.partnerships.filter(organisation=organisation).exists():
        raise InvitationError(f"{organisation} is already a partner.")
    is_manager = Membership.objects.filter(
        user=user, organisation=organisation, role=MembershipRole.RELATIONSHIP_MANAGER
    ).exists()
    partnership = Partnership(
        relationship=invitation.relationship,
        organisation=organisation,
        role=PartnerRole.PARTNER,
        relationship_manager=user if is_manager else None,
    )
    partnership.full_clean()
    partnership._history_user = user
    partnership._change_reason = "Joined by invitation"
    partnership.save()
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.organisation = organisation
    invitation._history_user = user
    invitation._change_reason = "Invitation accepted"
    invitation.save()
    return partnership


@transaction.atomic
def partner_invitation_accept(
    *, invitation: PartnerInvitation, user: AbstractBaseUser
) -> Partnership:
    """An organisation on the site accepts, by one of its managers: it becomes a
    partner."""
    invitation = _locked(invitation)
    _check_pending(invitation, "accepted")
    if invitation.is_for_new_organisation:
        raise InvitationError("This invitation is answered from its e-mail link.")
    if not user_can_answer_invitation(user=user, invitation=invitation):
        raise InvitationError(
            "Only the organisation's relationship managers and admins answer."
        )
    return _join(invitation=invitation, organisation=invitation.organisation, user=user)


def partner_invitation_by_token(token: str) -> PartnerInvitation:
    """The new-organisation invitation a link is for, if it can still be used."""
    invitation = (
        PartnerInvitation.objects.filter(token_digest=invitation_token_digest(token))
        .exclude(email="")
        .select_related("relationship", "invited_by")
        .first()
    )
    if invitation is None:
        raise InvitationError(
            "This invitation link is not valid: it may have been replaced by a "
            "newer one. Ask the person who invited you to send it again."
        )
    _check_pending(invitation, "used")
    return invitation


@transaction.atomic
def partner_invitation_accept_new(
    *,
    token: str,
    first_name: str,
    last_name: str,
    password: str,
    organisation_name: str,
    kind: str,
    msme_size: str = "",
) -> Partnership:
    """The invited person accepts: their account, their organisation (with them
    as its admin) and its partnership, all or nothing."""
    invitation = _locked(partner_invitation_by_token(token))
    _check_pending(invitation, "used")
    if Membership.objects.filter(user__email__iexact=invitation.email).exists():
        raise InvitationError(
            f"{invitation.email} already belongs to an organisation on the site: "
            "ask the lead to invite that organisation."
        )
    if get_user_model().objects.filter(email__iexact=invitation.email).exists():
        raise InvitationError(
            f"An account for {invitation.email} exists already: ask the lead to "
            "invite your organisation once it is on the site."
        )
    user = account_create(
        email=invitation.email,
        first_name=first_name,
        last_name=last_name,
        password=password,
    )
    organisation = organisation_create(
        name=organisation_name, kind=kind, msme_size=msme_size, admin=user
    )
    # The person who answered speaks for the new partner in the relationship.
    manager = Membership(
        user=user, organisation=organisation, role=MembershipRole.RELATIONSHIP_MANAGER
    )
    manager.full_clean()
    manager._history_user = user
    manager.save()
    return _join(invitation=invitation, organisation=organisation, user=user)


# --- a partner's own seats --------------------------------------------------------


@transaction.atomic
def partnership_update(
    *,
    partnership: Partnership,
    changes: dict[str, Any],
    expected_revision: int | None,
    user: AbstractBaseUser,
) -> Partnership:
    """Name the partner's relationship manager and senior executive (its own
    members: `Partnership.clean`), unless someone changed them since the form was
    opened (StaleEdit)."""
    unknown = set(changes) - PARTNERSHIP_EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Not editable here: {sorted(unknown)}")
    revision_claim(partnership, expected_revision=expected_revision)
    for field_name, value in changes.items():
        setattr(partnership, field_name, value)
    partnership.full_clean()
    partnership._history_user = user
    partnership.save(update_fields=[*changes, "revision"])
    return partnership


@transaction.atomic
def team_seat_add(
    *,
    partnership: Partnership,
    seat_holder: AbstractBaseUser,
    role_title: str,
    is_leadership: bool,
    user: AbstractBaseUser,
) -> JointManagementTeamMember:
    """Seat one of the partner's own people on the joint management team."""
    if partnership.relationship.jmt_members.filter(user=seat_holder).exists():
        raise ValidationError(
            {"user": f"{seat_holder} has a seat on this team already."}
        )
    seat = JointManagementTeamMember(
        relationship=partnership.relationship,
        partnership=partnership,
        user=seat_holder,
        role_title=role_title.strip(),
        is_leadership=is_leadership,
    )
    seat.full_clean()
    seat._history_user = user
    seat.save()
    return seat


@transaction.atomic
def team_seat_update(
    *,
    seat: JointManagementTeamMember,
    role_title: str,
    is_leadership: bool,
    expected_revision: int | None,
    user: AbstractBaseUser,
) -> JointManagementTeamMember:
    revision_claim(seat, expected_revision=expected_revision)
    seat.role_title = role_title.strip()
    seat.is_leadership = is_leadership
    seat.full_clean()
    seat._history_user = user
    seat.save()
    return seat


@transaction.atomic
def team_seat_remove(
    *, seat: JointManagementTeamMember, user: AbstractBaseUser
) -> None:
    seat._history_user = user
    seat.delete()


@transaction.atomic
def partnership_exit(
    *, partnership: Partnership, reason: str, user: AbstractBaseUser
) -> Partnership:
    """Record that a partner left: its records stay, read-only, and it no longer
    signs or confirms. The lead cannot leave its own relationship."""
    partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    if partnership.role == PartnerRole.LEAD:
        raise ValidationError("The lead partner cannot leave its own relationship.")
    if partnership.has_exited:
        raise ValidationError(f"{partnership.organisation} has left already.")
    if not reason.strip():
        raise ValidationError({"exit_reason": "Say why the partner leaves."})
    partnership.exited_at = timezone.now()
    partnership.exit_reason = reason.strip()
    partnership.revision += 1
    partnership.full_clean()
    partnership._history_user = user
    partnership._change_reason = "Partner exited"
    partnership.save()
    return partnership
