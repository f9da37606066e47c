"""Reads for invitations. An organisation's invitations are read through an
organisation its admin obtained from `organisation_get_for_admin`."""

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import OrganisationInvitation
from accounts.tokens import invitation_token_digest
from relationships.models import Organisation


def organisation_invitation_get_by_token(*, token: str) -> OrganisationInvitation:
    """The invitation a link names: Http404 for a link that was never issued (or
    was replaced by a resend)."""
    invitation = (
        OrganisationInvitation.objects.filter(
            token_digest=invitation_token_digest(token)
        )
        .select_related("organisation", "invited_by")
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


def organisation_invitations(
    *, organisation: Organisation
) -> QuerySet[OrganisationInvitation]:
    return organisation.invitations.select_related("invited_by", "accepted_by")


def organisation_invitation_get(
    *, organisation: Organisation, pk: int
) -> OrganisationInvitation:
    return get_object_or_404(organisation_invitations(organisation=organisation), pk=pk)
