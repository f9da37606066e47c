"""Permission-matrix entries for starting relationships, partner invitations, a
partner's own seats and exits (see tests/permissions.py)."""

from accounts.tokens import invitation_token_new
from relationships.models import JointManagementTeamMember, PartnerInvitation
from tests.permissions import ViewSpec

# Only the lead's writers invite; bob writes for the other partner.
LEAD_ONLY = {"bob": 403}
# Only a partner's own relationship manager or admin seats its people: the
# world's partner is bob's organisation.
PARTNER_MANAGERS_ONLY = {"alice": 403, "carol": 403}


def _reference(world) -> dict:
    return {"reference": world.relationship.reference}


def _partner(world) -> dict:
    return {**_reference(world), "pk": world.partner.pk}


def _invitation(world) -> PartnerInvitation:
    _token, digest = invitation_token_new()
    return PartnerInvitation.objects.create(
        relationship=world.relationship,
        email="nora@newco.example",
        contact_name="Nora New",
        organisation_name="NewCo",
        invited_by=world.alice,
        token_digest=digest,
    )


def _lead_invitation(world) -> dict:
    return {**_reference(world), "pk": _invitation(world).pk}


def _seat(world) -> dict:
    seat = JointManagementTeamMember.objects.create(
        relationship=world.relationship, partnership=world.partner, user=world.bob
    )
    return {**_partner(world), "seat_pk": seat.pk}


def _outsider_invitation(world) -> dict:
    _token, digest = invitation_token_new()
    invitation = PartnerInvitation.objects.create(
        relationship=world.relationship,
        organisation=world.outsider_organisation,
        invited_by=world.alice,
        token_digest=digest,
    )
    return {"pk": invitation.pk}


def _token(world) -> dict:
    token, digest = invitation_token_new()
    PartnerInvitation.objects.create(
        relationship=world.relationship,
        email="nora@newco.example",
        contact_name="Nora New",
        organisation_name="NewCo",
        invited_by=world.alice,
        token_digest=digest,
    )
    return {"token": token}


PARTNERS_VIEWS: list[ViewSpec] = [
    ViewSpec(
        "relationships:create",
        tenant_scoped=False,
        writes=True,
        # Relationship managers and organisation admins start relationships.
        statuses={"carol": 403},
        post_data=lambda world: {
            "lead": world.lead.organisation_id,
            "title": "Hijacked",
            "reference": "hijacked",
            "kind": "general",
        },
    ),
    ViewSpec("relationships:partners", kwargs=_reference),
    ViewSpec(
        "relationships:partner_invite",
        kwargs=_reference,
        writes=True,
        statuses=LEAD_ONLY,
        post_data=lambda world: {"organisation": world.outsider_organisation.pk},
    ),
    ViewSpec(
        "relationships:partner_invitation_resend",
        kwargs=_lead_invitation,
        writes=True,
        statuses=LEAD_ONLY,
        post_data=lambda world: {},
    ),
    ViewSpec(
        "relationships:partner_invitation_revoke",
        kwargs=_lead_invitation,
        writes=True,
        statuses=LEAD_ONLY,
        post_data=lambda world: {},
    ),
    ViewSpec(
        "relationships:partnership_edit",
        kwargs=_partner,
        writes=True,
        statuses=PARTNER_MANAGERS_ONLY,
        post_data=lambda world: {
            "relationship_manager": world.alice.pk,
            "revision": world.partner.revision,
        },
    ),
    ViewSpec(
        "relationships:team_seat_add",
        kwargs=_partner,
        writes=True,
        statuses=PARTNER_MANAGERS_ONLY,
        post_data=lambda world: {"user": world.dave.pk, "role_title": "Hijacked"},
    ),
    ViewSpec(
        "relationships:team_seat_edit",
        kwargs=_seat,
        writes=True,
        statuses=PARTNER_MANAGERS_ONLY,
        post_data=lambda world: {"role_title": "Hijacked", "revision": 1},
    ),
    ViewSpec(
        "relationships:team_seat_remove",
        kwargs=_seat,
        writes=True,
        statuses=PARTNER_MANAGERS_ONLY,
        post_data=lambda world: {},
    ),
    ViewSpec(
        "relationships:partnership_exit",
        kwargs=_partner,
        writes=True,
        # The partner itself or the lead's managers; carol is a team member.
        statuses={"carol": 403},
        post_data=lambda world: {"exit_reason": "Hijacked"},
    ),
    ViewSpec(
        "relationships:partner_invitation_answer",
        kwargs=_outsider_invitation,
        writes=True,
        # The invited organisation's managers alone: eve's organisation.
        statuses={"eve": 200, "alice": 404, "bob": 404, "carol": 404, "dave": 404},
        post_data=lambda world: {"answer": "accept"},
    ),
    ViewSpec(
        "relationships:partner_invitation_accept",
        kwargs=_token,
        public=True,
        tenant_scoped=False,
    ),
]

# URLs with a pk that hold no partner-private record.
PARTNERS_NOT_PRIVATE = {
    "relationships:partner_invitation_resend",
    "relationships:partner_invitation_revoke",
    "relationships:partnership_edit",
    "relationships:team_seat_add",
    "relationships:team_seat_edit",
    "relationships:team_seat_remove",
    "relationships:partnership_exit",
    "relationships:partner_invitation_answer",
}
