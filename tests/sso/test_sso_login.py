"""Single sign-on against a real OpenID Connect provider (node-oidc-provider,
started by the fixtures), driven with plain HTTP through our login page, the
provider's login and consent pages and back: each refusal, and the ways in.
The same path in chromium is tests/browser/test_sso_browser.py."""

import re
from urllib.parse import urljoin

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model

from accounts.choices import SsoNewMemberRole
from relationships.models import Membership
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True)]


def _sso_login(
    live_server_url: str, email: str, next_url: str = ""
) -> requests.Response:
    """Our login page → the provider's login and consent pages → back to us;
    the last page the person sees."""
    session = requests.Session()
    session.get(f"{live_server_url}/accounts/login/").raise_for_status()
    response = session.post(
        f"{live_server_url}/accounts/sso/",
        data={
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
            "email": email,
            "next": next_url,
        },
    )
    for prompt in ("login", "consent"):
        if "/interaction/" not in response.url:
            break
        action = re.search(r'<form[^>]*action="([^"]+)"', response.text).group(1)
        response = session.post(
            urljoin(response.url, action),
            data={"prompt": prompt, "login": email, "password": "secret"},
        )
    assert response.url.startswith(live_server_url), response.url
    assert response.status_code == 200
    response.logged_in = "Log out" in response.text
    return response


def test_the_same_member_logs_in_again_through_the_tied_account(
    live_server, sso_world
) -> None:
    for _ in range(2):
        response = _sso_login(live_server.url, "ana@uni.example")
        assert response.logged_in
        assert response.url == f"{live_server.url}/relationships/"
    assert SocialAccount.objects.filter(user=sso_world.ana).count() == 1


def test_the_member_lands_on_the_page_they_asked_for(live_server, sso_world) -> None:
    response = _sso_login(live_server.url, "ana@uni.example", next_url="/dashboard/")
    assert response.logged_in
    assert response.url == f"{live_server.url}/dashboard/"
    # An address elsewhere is not followed.
    response = _sso_login(
        live_server.url, "ana@uni.example", next_url="https://evil.example/"
    )
    assert response.url == f"{live_server.url}/relationships/"


def test_an_unverified_address_is_refused(live_server, sso_world) -> None:
    response = _sso_login(live_server.url, "unverified@uni.example")
    assert not response.logged_in
    assert response.url.startswith(f"{live_server.url}/accounts/login/")
    assert "has not verified your e-mail address unverified@uni.example" in (
        response.text
    )
    assert not get_user_model().objects.filter(email="unverified@uni.example")
    assert not SocialAccount.objects.exists()


def test_an_address_outside_the_providers_domains_is_refused(
    live_server, sso_world
) -> None:
    # Somebody the provider knows, whose address it does not vouch for here.
    UserFactory(username="mallory", email="mallory@elsewhere.example")
    response = _sso_login_via_provider_of(live_server.url, "mallory@elsewhere.example")
    assert not response.logged_in
    assert "signs on people of uni.example only" in response.text
    assert not SocialAccount.objects.exists()


def _sso_login_via_provider_of(live_server_url: str, email: str) -> requests.Response:
    """Starts as an uni.example person, then signs in at the provider as `email`
    (the provider, not our form, names who logs in)."""
    session = requests.Session()
    session.get(f"{live_server_url}/accounts/login/").raise_for_status()
    response = session.post(
        f"{live_server_url}/accounts/sso/",
        data={
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
            "email": "someone@uni.example",
        },
    )
    for prompt in ("login", "consent"):
        if "/interaction/" not in response.url:
            break
        action = re.search(r'<form[^>]*action="([^"]+)"', response.text).group(1)
        response = session.post(
            urljoin(response.url, action),
            data={"prompt": prompt, "login": email, "password": "secret"},
        )
    response.logged_in = "Log out" in response.text
    return response


def test_an_unknown_person_is_asked_to_get_an_invitation(
    live_server, sso_world
) -> None:
    response = _sso_login(live_server.url, "new.person@uni.example")
    assert not response.logged_in
    assert "There is no Partnerplan account for new.person@uni.example yet" in (
        response.text
    )
    assert not get_user_model().objects.filter(email="new.person@uni.example")


def test_an_unknown_person_joins_with_the_role_the_organisation_chose(
    live_server, sso_world
) -> None:
    sso_world.set_new_member_role(SsoNewMemberRole.AUDITOR)
    response = _sso_login(live_server.url, "new.person@uni.example")
    assert response.logged_in
    user = get_user_model().objects.get(email="new.person@uni.example")
    assert (user.first_name, user.last_name) == ("Nina", "Neu")
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    membership = Membership.objects.get(user=user)
    assert (membership.organisation, membership.role) == (
        sso_world.organisation,
        "auditor",
    )


def test_a_person_of_another_organisation_is_refused(live_server, sso_world) -> None:
    # Ana's address, but her account is another organisation's member.
    Membership.objects.filter(user=sso_world.ana).delete()
    MembershipFactory(user=sso_world.ana, organisation=OrganisationFactory())
    response = _sso_login(live_server.url, "ana@uni.example")
    assert not response.logged_in
    assert "is not a member of University of Example" in response.text
    assert not SocialAccount.objects.exists()


def test_a_domain_without_single_sign_on_gets_a_clear_message(
    live_server, sso_world
) -> None:
    session = requests.Session()
    session.get(f"{live_server.url}/accounts/login/")
    response = session.post(
        f"{live_server.url}/accounts/sso/",
        data={
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
            "email": "someone@nowhere.example",
        },
    )
    assert response.status_code == 200
    assert "No organisation logs in people of nowhere.example" in response.text


def test_a_disabled_provider_is_not_offered(live_server, sso_world) -> None:
    sso_world.identity_provider.enabled = False
    sso_world.identity_provider.save()
    session = requests.Session()
    session.get(f"{live_server.url}/accounts/login/")
    response = session.post(
        f"{live_server.url}/accounts/sso/",
        data={
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
            "email": "ana@uni.example",
        },
    )
    assert "No organisation logs in people of uni.example" in response.text


def test_a_login_cancelled_at_the_provider_comes_back_with_a_message(
    live_server, sso_world
) -> None:
    session = requests.Session()
    session.get(f"{live_server.url}/accounts/login/")
    response = session.post(
        f"{live_server.url}/accounts/sso/",
        data={
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
            "email": "ana@uni.example",
        },
    )
    abort = re.search(r'href="([^"]*/abort)"', response.text).group(1)
    response = session.get(urljoin(response.url, abort))
    assert response.url.startswith(f"{live_server.url}/accounts/login/")
    assert "Logging in through University login did not work" in response.text
    assert "Log out" not in response.text


def test_a_provider_login_tied_to_another_account_is_refused(
    live_server, sso_world
) -> None:
    assert _sso_login(live_server.url, "ana@uni.example").logged_in
    # Ana's address moves to a new account; the provider login stays tied to hers.
    EmailAddress.objects.filter(user=sso_world.ana).delete()
    get_user_model().objects.filter(pk=sso_world.ana.pk).update(email="")
    newcomer = UserFactory(username="ana2", email="ana@uni.example")
    MembershipFactory(user=newcomer, organisation=sso_world.organisation)
    response = _sso_login(live_server.url, "ana@uni.example")
    assert not response.logged_in
    assert "tied to another Partnerplan account" in response.text
