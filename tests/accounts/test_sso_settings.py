"""An organisation's admin (or the site admin) ties it to its sign-on provider."""

import socket

import pytest
from allauth.socialaccount.models import SocialApp
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.choices import SsoNewMemberRole
from accounts.models import IdentityProvider, IdentityProviderDomain
from accounts.services import identity_provider_save
from relationships.choices import MembershipRole
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org_admin(world):
    admin = UserFactory(username="olga")
    MembershipFactory(
        user=admin,
        organisation=world.lead.organisation,
        role=MembershipRole.ORG_ADMIN,
    )
    return admin


def _form(**changes: str) -> dict[str, str]:
    return {
        "name": "Lead login",
        "server_url": "https://login.lead.example/realms/staff",
        "client_id": "partnerplan",
        "client_secret": "s3cret",
        "domains": "Lead.example\n@staff.lead.example",
        "new_member_role": "",
        "enabled": "on",
        **changes,
    }


def _url(world) -> str:
    return reverse(
        "accounts:organisation_sso", kwargs={"slug": world.lead.organisation.slug}
    )


def test_the_page_shows_the_redirect_url_to_register_at_the_provider(
    login, world, org_admin, settings
) -> None:
    response = login(org_admin).get(_url(world))
    assert response.status_code == 200
    organisation_id = world.lead.organisation.id
    assert (
        f"{settings.SITE_URL}/accounts/oidc/org-{organisation_id}/login/callback/"
        in response.text
    )


def test_an_admin_ties_the_organisation_to_its_provider(
    login, world, org_admin
) -> None:
    response = login(org_admin).post(_url(world), _form())
    assert response.status_code == 302
    identity_provider = IdentityProvider.objects.get(
        organisation=world.lead.organisation
    )
    assert identity_provider.domain_names == ["lead.example", "staff.lead.example"]
    assert identity_provider.new_member_role == SsoNewMemberRole.NOBODY
    social_app = identity_provider.social_app
    assert (social_app.provider, social_app.provider_id) == (
        "openid_connect",
        f"org-{world.lead.organisation.id}",
    )
    assert social_app.settings["server_url"] == (
        "https://login.lead.example/realms/staff"
    )
    assert (social_app.client_id, social_app.secret) == ("partnerplan", "s3cret")


def test_a_change_keeps_the_secret_and_the_social_app_in_step(
    login, world, org_admin
) -> None:
    client = login(org_admin)
    client.post(_url(world), _form())
    response = client.post(
        _url(world),
        _form(
            client_secret="",
            name="Staff login",
            domains="lead.example",
            new_member_role="auditor",
        ),
    )
    assert response.status_code == 302
    assert SocialApp.objects.count() == 1
    social_app = SocialApp.objects.get()
    assert (social_app.name, social_app.secret) == ("Staff login", "s3cret")
    identity_provider = IdentityProvider.objects.get()
    assert identity_provider.domain_names == ["lead.example"]
    assert identity_provider.new_member_role == "auditor"


def test_a_domain_of_another_organisation_is_refused(login, world, org_admin) -> None:
    identity_provider_save(
        organisation=world.partner.organisation,
        name="Partner login",
        server_url="https://login.partner.example",
        client_id="pp",
        client_secret="x",
        domains=["lead.example"],
        enabled=True,
        new_member_role="",
    )
    response = login(org_admin).post(_url(world), _form(domains="LEAD.example"))
    assert response.status_code == 200
    assert (
        "lead.example is already used for single sign-on by another organisation"
        in response.text
    )
    assert not IdentityProvider.objects.filter(organisation=world.lead.organisation)
    assert IdentityProviderDomain.objects.get().identity_provider.organisation == (
        world.partner.organisation
    )
    assert SocialApp.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"server_url": "http://login.lead.example"}, "must start with https://"),
        ({"server_url": "http://127.0.0.1:9000"}, "must start with https://"),
        ({"domains": "not a domain!"}, "is not an e-mail domain"),
        ({"domains": " "}, "This field is required"),
        ({"client_secret": ""}, "This field is required"),
        ({"new_member_role": "org_admin"}, "Select a valid choice"),
    ],
)
def test_bad_input_gets_a_message_and_changes_nothing(
    login, world, org_admin, changes: dict[str, str], message: str
) -> None:
    response = login(org_admin).post(_url(world), _form(**changes))
    assert response.status_code == 200
    assert message in response.text
    assert not IdentityProvider.objects.exists()
    assert not SocialApp.objects.exists()


def test_a_local_http_provider_is_allowed_only_where_the_settings_say_so(
    login, world, org_admin, settings
) -> None:
    settings.SOCIALACCOUNT_LOCAL_HTTP_ALLOWED = True
    response = login(org_admin).post(
        _url(world), _form(server_url="http://127.0.0.1:9000")
    )
    assert response.status_code == 302
    assert IdentityProvider.objects.get().server_url == "http://127.0.0.1:9000"


def test_the_site_admin_ties_an_organisation_in_the_admin(admin_client) -> None:
    organisation = OrganisationFactory(name="Admin Org")
    claimed = OrganisationFactory(name="Claimed Org")
    identity_provider_save(
        organisation=claimed,
        name="Claimed login",
        server_url="https://login.claimed.example",
        client_id="pp",
        client_secret="x",
        domains=["claimed.example"],
        enabled=True,
        new_member_role="",
    )
    data = {
        "organisation": organisation.id,
        "protocol": "openid_connect",
        "name": "Admin login",
        "server_url": "https://login.admin.example",
        "client_id": "pp",
        "client_secret": "y",
        "enabled": "on",
        "new_member_role": "jmt_member",
        "domains_text": "claimed.example",
    }
    url = reverse("admin:accounts_identityprovider_add")
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "claimed.example is already used" in response.text

    response = admin_client.post(url, {**data, "domains_text": "admin.example"})
    assert response.status_code == 302
    identity_provider = IdentityProvider.objects.get(organisation=organisation)
    assert identity_provider.domain_names == ["admin.example"]
    assert identity_provider.social_app.provider_id == f"org-{organisation.id}"

    change_url = reverse(
        "admin:accounts_identityprovider_change", args=[identity_provider.id]
    )
    assert admin_client.get(change_url).status_code == 200
    response = admin_client.post(
        change_url,
        {**data, "domains_text": "admin.example\nmore.example", "name": "Renamed"},
    )
    assert response.status_code == 302
    identity_provider.refresh_from_db()
    assert identity_provider.domain_names == ["admin.example", "more.example"]
    assert identity_provider.social_app.name == "Renamed"


def test_deleting_a_provider_in_the_admin_removes_its_social_app(
    admin_client, world
) -> None:
    identity_provider = identity_provider_save(
        organisation=world.lead.organisation,
        name="Lead login",
        server_url="https://login.lead.example",
        client_id="pp",
        client_secret="x",
        domains=["lead.example"],
        enabled=True,
        new_member_role="",
    )
    url = reverse("admin:accounts_identityprovider_delete", args=[identity_provider.id])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not IdentityProvider.objects.exists()
    assert not SocialApp.objects.exists()
    assert not IdentityProviderDomain.objects.exists()


def test_a_provider_that_does_not_answer_gets_a_clear_message(
    client, world, settings
) -> None:
    settings.SOCIALACCOUNT_LOCAL_HTTP_ALLOWED = True
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    identity_provider_save(
        organisation=world.lead.organisation,
        name="Lead login",
        server_url=f"http://127.0.0.1:{closed_port}",
        client_id="pp",
        client_secret="x",
        domains=["lead.example"],
        enabled=True,
        new_member_role="",
    )
    response = client.post(reverse("accounts:sso_start"), {"email": "a@lead.example"})
    assert response.status_code == 200
    assert "Lead login does not answer just now" in response.text
    assert "_auth_user_id" not in client.session


def test_the_login_page_offers_single_sign_on_and_keeps_next(client, db) -> None:
    response = client.get("/accounts/login/?next=/dashboard/")
    assert response.status_code == 200
    assert 'action="/accounts/sso/"' in response.text
    assert 'name="next" value="/dashboard/"' in response.text


def test_a_domain_claimed_between_check_and_save_is_refused_cleanly(
    world, monkeypatch
) -> None:
    provider = {
        "name": "Login",
        "server_url": "https://login.example",
        "client_id": "pp",
        "client_secret": "x",
        "domains": ["shared.example"],
        "enabled": True,
        "new_member_role": "",
    }
    identity_provider_save(organisation=world.partner.organisation, **provider)
    # The race: the other organisation's claim lands after this one's check.
    monkeypatch.setattr(
        "accounts.services.identity_provider_errors", lambda **kwargs: {}
    )
    with pytest.raises(ValidationError, match="was just claimed"):
        identity_provider_save(organisation=world.lead.organisation, **provider)
    assert not IdentityProvider.objects.filter(organisation=world.lead.organisation)
    assert SocialApp.objects.count() == 1
