"""The organisation admin's security page: who must use two-factor."""

import pytest
from django.urls import reverse

from accounts.models import OrganisationSecurityPolicy
from relationships.choices import MembershipRole
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def olivia(world):
    """The lead organisation's admin."""
    user = UserFactory(username="olivia")
    MembershipFactory(
        user=user, organisation=world.lead.organisation, role=MembershipRole.ORG_ADMIN
    )
    return user


def _url(world) -> str:
    return reverse(
        "accounts:organisation_security",
        kwargs={"slug": world.lead.organisation.slug},
    )


def test_the_admin_sees_the_policy_and_who_has_mfa(login, world, olivia) -> None:
    response = login(olivia).get(_url(world))

    assert response.status_code == 200
    people = {member.membership.user.username for member in response.context["members"]}
    assert people == {"alice", "carol", "olivia"}
    assert not any(member.enrolled for member in response.context["members"])


def test_the_admin_requires_mfa_for_chosen_roles(login, world, olivia) -> None:
    client = login(olivia)
    response = client.post(
        _url(world),
        {"mfa_required_roles": [MembershipRole.AUDITOR, MembershipRole.ORG_ADMIN]},
    )

    assert response.status_code == 302
    policy = OrganisationSecurityPolicy.objects.get(
        organisation=world.lead.organisation
    )
    assert policy.mfa_required_roles == ["auditor", "org_admin"]
    assert not policy.mfa_required_for_all
    assert policy.updated_by == olivia
    # The admin's own role is now covered: they are sent to enrol next.
    assert client.get(reverse("relationships:list"))["Location"] == reverse(
        "mfa_activate_totp"
    )
    # Carol (JMT member) is not.
    assert login(world.carol).get(reverse("relationships:list")).status_code == 200


def test_the_admin_requires_mfa_for_everyone(login, world, olivia) -> None:
    login(olivia).post(_url(world), {"mfa_required_for_all": "on"})

    response = login(world.carol).get(reverse("relationships:list"))

    assert response["Location"] == reverse("mfa_activate_totp")


def test_an_unknown_role_is_refused_and_changes_nothing(login, world, olivia) -> None:
    response = login(olivia).post(_url(world), {"mfa_required_roles": ["superhero"]})

    assert response.status_code == 400
    assert "superhero" in response.content.decode()
    assert not OrganisationSecurityPolicy.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 403), ("carol", 403), ("bob", 404), ("dave", 404), ("eve", 404)],
)
def test_only_the_organisations_admin_may_open_it(
    login, world, persona: str, status: int
) -> None:
    client = login(world.persona(persona))

    assert client.get(_url(world)).status_code == status
    assert client.post(_url(world), {"mfa_required_for_all": "on"}).status_code == (
        status
    )
    assert not OrganisationSecurityPolicy.objects.exists()
