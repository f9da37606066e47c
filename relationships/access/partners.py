"""Partners of a relationship: who invites partners (the lead's writers), who
answers an invitation (the invited organisation's managers), who seats a
partner's people and records its exit (its own managers, or the lead's for an
exit)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from relationships.access.memberships import AnyUser, _organisations_of
from relationships.access.relationships import (
    partnerships_taking_part,
    partnerships_writable_by,
    relationship_get_for_editing,
    relationship_get_for_user,
)
from relationships.choices import MANAGE_ROLES, PartnerRole
from relationships.models import PartnerInvitation, Partnership, Relationship


def relationship_get_for_leading(*, user: AnyUser, reference: str) -> Relationship:
    """The relationship if the user writes for its lead (invites partners): 404 if
    unseen, 403 otherwise."""
    relationship = relationship_get_for_editing(user=user, reference=reference)
    if not user_leads_relationship(user=user, relationship=relationship):
        raise PermissionDenied("Only the lead partner's people invite partners.")
    return relationship


def user_leads_relationship(*, user: AnyUser, relationship: Relationship) -> bool:
    return (
        partnerships_writable_by(user)
        .filter(relationship=relationship, role=PartnerRole.LEAD)
        .exists()
    )


def partnerships_managed_by(
    *, user: AnyUser, relationship: Relationship
) -> QuerySet[Partnership]:
    """The relationship's partners whose own seats the user fills (its relationship
    manager or organisation admin), while they take part."""
    if not user.is_authenticated:
        return Partnership.objects.none()
    return partnerships_taking_part(relationship).filter(
        organisation_id__in=_organisations_of(user, roles=MANAGE_ROLES)
    )


def partnership_get_for_managing(
    *, user: AnyUser, reference: str, pk: int
) -> Partnership:
    """A partner in a relationship the user sees, if the user seats its people: 404
    if unseen, 403 for anyone but the partner's own managers."""
    relationship = relationship_get_for_user(user=user, reference=reference)
    partnership = (
        relationship.partnerships.filter(pk=pk)
        .select_related("organisation", "relationship")
        .first()
    )
    if partnership is None:
        raise Http404("No such partner.")
    if (
        not partnerships_managed_by(user=user, relationship=relationship)
        .filter(pk=pk)
        .exists()
    ):
        raise PermissionDenied(
            "Only the partner's own relationship manager or organisation admin "
            "changes its seats, while it takes part."
        )
    return partnership


def partnerships_exitable_by(
    *, user: AnyUser, relationship: Relationship
) -> QuerySet[Partnership]:
    """The partners whose exit the user may record: its own managers, or the
    lead's (every partner, for them). Whether a partner can still leave (not the
    lead, not already gone) is the service's to say."""
    managed = partnerships_managed_by(user=user, relationship=relationship)
    return relationship.partnerships.filter(
        Q(pk__in=managed.values("pk")) | Exists(managed.filter(role=PartnerRole.LEAD))
    )


def partnership_get_for_exit(*, user: AnyUser, reference: str, pk: int) -> Partnership:
    """A partner the user may mark as exited (`partnerships_exitable_by`)."""
    relationship = relationship_get_for_user(user=user, reference=reference)
    partnership = (
        relationship.partnerships.filter(pk=pk).select_related("organisation").first()
    )
    if partnership is None:
        raise Http404("No such partner.")
    if (
        not partnerships_exitable_by(user=user, relationship=relationship)
        .filter(pk=pk)
        .exists()
    ):
        raise PermissionDenied(
            "Only the partner itself or the lead partner records a partner's exit."
        )
    return partnership


def partner_invitations_for_lead(
    *, user: AnyUser, relationship: Relationship
) -> QuerySet[PartnerInvitation]:
    """The relationship's partner invitations, for the lead's people only."""
    if (
        not user.is_authenticated
        or not relationship.partnerships.filter(
            role=PartnerRole.LEAD, organisation_id__in=_organisations_of(user)
        ).exists()
    ):
        return PartnerInvitation.objects.none()
    return relationship.partner_invitations.select_related(
        "organisation", "invited_by", "accepted_by"
    )


def partner_invitation_get_for_lead(
    *, user: AnyUser, reference: str, pk: int
) -> PartnerInvitation:
    relationship = relationship_get_for_leading(user=user, reference=reference)
    invitation = relationship.partner_invitations.filter(pk=pk).first()
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


def partner_invitations_to_answer(user: AnyUser) -> QuerySet[PartnerInvitation]:
    """Invitations for the organisations the user answers for (relationship
    manager or admin) to join a relationship, still open."""
    if not user.is_authenticated:
        return PartnerInvitation.objects.none()
    return PartnerInvitation.objects.filter(
        organisation_id__in=_organisations_of(user, roles=MANAGE_ROLES),
        accepted_at__isnull=True,
        declined_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).select_related("relationship", "organisation", "invited_by")


def partner_invitation_get_to_answer(*, user: AnyUser, pk: int) -> PartnerInvitation:
    """An invitation to one of the user's organisations (any state: the service
    tells why a closed one cannot be answered); 404 for anyone else."""
    if not user.is_authenticated:
        raise Http404("No such invitation.")
    invitation = (
        PartnerInvitation.objects.filter(
            pk=pk, organisation_id__in=_organisations_of(user, roles=MANAGE_ROLES)
        )
        .select_related("relationship", "organisation")
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


def user_can_answer_invitation(*, user: AnyUser, invitation: PartnerInvitation) -> bool:
    """Whether the user answers for the invited organisation (its relationship
    manager or admin): the rule of `partner_invitations_to_answer`, which the
    accepting service checks again under the invitation's lock."""
    if not user.is_authenticated:
        return False
    return (
        _organisations_of(user, roles=MANAGE_ROLES)
        .filter(organisation_id=invitation.organisation_id)
        .exists()
    )
