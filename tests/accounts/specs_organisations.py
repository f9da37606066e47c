"""The permission matrix of the organisation admin pages: the lead
organisation's admin (olive) succeeds, a member who is not its admin (alice)
gets 403, someone of another organisation (eve) and an external auditor (erin)
404, anonymous goes to login."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.test import Client
from django.urls import reverse

from relationships.choices import MembershipRole
from tests.factories import MembershipFactory, UserFactory

ORGANISATION_PERSONAS = ["anonymous", "eve", "alice", "olive", "erin"]


def organisation_admin(world: Any) -> AbstractUser:
    user = UserFactory(username="olive", first_name="Olive", last_name="Admin")
    MembershipFactory(
        user=user, organisation=world.lead.organisation, role=MembershipRole.ORG_ADMIN
    )
    return user


def _invitation(world: Any) -> dict[str, Any]:
    from accounts.services import organisation_invitation_create

    invitation, _link = organisation_invitation_create(
        organisation=world.lead.organisation,
        email="nora@example.org",
        role=MembershipRole.JMT_MEMBER,
        invited_by=world.olive,
    )
    return {"slug": "lead-org", "pk": invitation.pk}


def _grant(world: Any) -> dict[str, Any]:
    from tests.accounts.factories_external import external_grant

    grant = external_grant(
        user=None,
        organisation=world.lead.organisation,
        relationships=[world.relationship],
        granted_by=world.olive,
    )
    return {"slug": "lead-org", "pk": grant.pk}


@dataclass(frozen=True)
class OrganisationViewSpec:
    url_name: str
    kwargs: Callable[[Any], dict[str, Any]] = field(
        default=lambda world: {"slug": "lead-org"}
    )
    # POST-only actions answer the admin with a redirect.
    post_only: bool = False
    post_data: Callable[[Any], dict[str, Any]] = field(default=lambda world: {})

    def __str__(self) -> str:
        return self.url_name


ORGANISATION_VIEWS = [
    OrganisationViewSpec("accounts:organisation_profile"),
    OrganisationViewSpec("accounts:organisation_people"),
    OrganisationViewSpec(
        "accounts:organisation_member_role",
        kwargs=lambda world: {
            "slug": "lead-org",
            "pk": world.carol.memberships.get().pk,
        },
        post_only=True,
        post_data=lambda world: {"role": MembershipRole.AUDITOR},
    ),
    OrganisationViewSpec(
        "accounts:organisation_member_deactivate",
        kwargs=lambda world: {"slug": "lead-org", "user_id": world.carol.pk},
    ),
    OrganisationViewSpec(
        "accounts:organisation_member_reactivate",
        kwargs=lambda world: {"slug": "lead-org", "user_id": world.carol.pk},
        post_only=True,
    ),
    OrganisationViewSpec("accounts:organisation_invitations"),
    OrganisationViewSpec(
        "accounts:organisation_invitation_resend", kwargs=_invitation, post_only=True
    ),
    OrganisationViewSpec(
        "accounts:organisation_invitation_revoke", kwargs=_invitation, post_only=True
    ),
    OrganisationViewSpec("accounts:organisation_access"),
    OrganisationViewSpec(
        "accounts:organisation_external",
        post_data=lambda world: {
            "name": "Hijacked",
            "email": "hijack@certbody.example",
            "relationships": [world.relationship.pk],
            "ends_on": "2099-01-01",
        },
    ),
    OrganisationViewSpec(
        "accounts:organisation_external_revoke", kwargs=_grant, post_only=True
    ),
    OrganisationViewSpec("accounts:organisation_external_log", kwargs=_grant),
]

# Reached without an organisation in the URL: the invitation link answers anyone
# (its token is the key; a forged one is a 404), and the navbar's entry sends an
# admin to their organisation (404 for a person who administers none).
OTHER_ACCOUNTS_VIEWS = {
    "accounts:invitation_accept",
    "accounts:external_grant_accept",
    "accounts:organisation_home",
}


def expected_organisation_status(persona: str, *, post_only: bool) -> int:
    return {"anonymous": 302, "eve": 404, "alice": 403, "erin": 404}.get(
        persona, 302 if post_only else 200
    )


def check_organisation_view_access(
    client: Client, world: Any, spec: OrganisationViewSpec, persona: str
) -> None:
    url = reverse(spec.url_name, kwargs=spec.kwargs(world))
    expected = expected_organisation_status(persona, post_only=spec.post_only)
    before = _state(world)
    if spec.post_only:
        response = client.post(url, spec.post_data(world))
    else:
        response = client.get(url)
    assert response.status_code == expected, (spec.url_name, persona)
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    if expected in (302, 403, 404) and persona != "olive":
        response = client.post(url, spec.post_data(world))
        assert response.status_code == expected, (spec.url_name, persona, "POST")
        assert _state(world) == before, (spec.url_name, persona, "changed")


def _state(world: Any) -> tuple:
    from accounts.models import ExternalAccessGrant, OrganisationInvitation
    from relationships.models import Membership

    return (
        sorted(Membership.objects.values_list("pk", "role", "deactivated_at")),
        sorted(
            OrganisationInvitation.objects.values_list(
                "pk", "token_digest", "revoked_at"
            )
        ),
        sorted(ExternalAccessGrant.objects.values_list("pk", "revoked_at")),
    )
