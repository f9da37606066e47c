"""Two-factor authentication: TOTP enrolment and login, recovery codes, the
organisation policy and the admin site's requirement."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from accounts.selectors import mfa_gate_for
from accounts.services import security_policy_update
from relationships.choices import MembershipRole
from tests.accounts.helpers import is_logged_in, page_login, reauthenticate, totp_code
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

ENROL = reverse("mfa_activate_totp")


def _enrol_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


# --- enrolment and login ---------------------------------------------------------


def test_a_user_enrols_totp_and_gets_recovery_codes_and_a_notice(
    client, django_capture_on_commit_callbacks
) -> None:
    UserFactory(username="alice", email="alice@lead.example.org")
    page_login(client, "alice")
    reauthenticate(client)
    page = client.get(ENROL)
    secret = page.context["form"].secret
    assert page.context["totp_svg_data_uri"].startswith("data:image/svg+xml")

    refused = client.post(ENROL, {"code": "000000"})
    assert refused.status_code == 200
    assert not Authenticator.objects.filter(type="totp").exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ENROL, {"code": totp_code(secret)})

    assert response.status_code == 302
    types = set(Authenticator.objects.values_list("type", flat=True))
    assert types == {"totp", "recovery_codes"}
    assert any("authenticator" in message.subject.lower() for message in mail.outbox)


def test_logging_in_with_totp_asks_for_the_code(client) -> None:
    alice = UserFactory(username="alice", email="alice@lead.example.org")
    secret = _enrol_totp(alice)

    response = page_login(client, "alice@lead.example.org")
    assert response["Location"] == reverse("mfa_authenticate")
    assert not is_logged_in(client)

    wrong = client.post(reverse("mfa_authenticate"), {"code": "123456"})
    assert wrong.status_code == 200
    assert not is_logged_in(client)

    right = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert right.status_code == 302
    assert is_logged_in(client)


def test_a_recovery_code_logs_in_once(client) -> None:
    alice = UserFactory(username="alice", email="alice@lead.example.org")
    _enrol_totp(alice)
    codes = RecoveryCodes.activate(alice).get_unused_codes()
    assert len(codes) == 10

    page_login(client, "alice")
    client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert is_logged_in(client)

    client.logout()
    page_login(client, "alice")
    client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert not is_logged_in(client)


def test_totp_codes_are_rate_limited_too(client) -> None:
    alice = UserFactory(username="alice", email="alice@lead.example.org")
    secret = _enrol_totp(alice)
    page_login(client, "alice")
    for _ in range(5):
        client.post(reverse("mfa_authenticate"), {"code": "000000"})

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    assert not is_logged_in(client)
    assert "Too many failed" in response.content.decode()


def test_security_keys_and_passkey_login_are_offered(client) -> None:
    UserFactory(username="alice", email="alice@lead.example.org")
    assert 'id="passkey_login"' in client.get(reverse("login")).content.decode()
    page_login(client, "alice")
    reauthenticate(client)
    page = client.get(reverse("mfa_add_webauthn"))
    assert page.status_code == 200
    assert "passwordless" in page.context["form"].fields


# --- the organisation's policy ---------------------------------------------------


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_required_role_without_mfa_is_sent_to_enrol(login, world) -> None:
    security_policy_update(
        organisation=world.partner.organisation,
        mfa_required_for_all=False,
        mfa_required_roles=[MembershipRole.AUDITOR],
        updated_by=world.bob,
    )
    client = login(world.dave)  # auditor of the partner organisation

    response = client.get(reverse("relationships:list"))

    assert response.status_code == 302
    assert response["Location"] == ENROL
    assert "requires two-factor" in " ".join(_messages(response))
    # The enrolment, account and logout pages stay open.
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302


def test_a_required_role_with_totp_passes(login, world) -> None:
    security_policy_update(
        organisation=world.partner.organisation,
        mfa_required_for_all=False,
        mfa_required_roles=[MembershipRole.AUDITOR],
        updated_by=world.bob,
    )
    _enrol_totp(world.dave)
    client = login(world.dave)

    assert client.get(reverse("relationships:list")).status_code == 200


def test_other_roles_and_other_organisations_are_unaffected(login, world) -> None:
    security_policy_update(
        organisation=world.partner.organisation,
        mfa_required_for_all=False,
        mfa_required_roles=[MembershipRole.AUDITOR],
        updated_by=world.bob,
    )
    for person in (world.bob, world.alice, world.eve):
        assert login(person).get(reverse("relationships:list")).status_code == 200


def test_requiring_it_for_everyone_applies_to_logged_in_people_at_once(
    login, world
) -> None:
    client = login(world.bob)
    assert client.get(reverse("relationships:list")).status_code == 200

    security_policy_update(
        organisation=world.partner.organisation,
        mfa_required_for_all=True,
        mfa_required_roles=[],
        updated_by=world.bob,
    )

    assert client.get(reverse("relationships:list"))["Location"] == ENROL


def test_the_verdict_is_cached_until_something_changes(
    world, django_assert_num_queries
) -> None:
    with django_assert_num_queries(1):
        mfa_gate_for(world.dave)
    with django_assert_num_queries(0):
        assert not mfa_gate_for(world.dave).enrolled
    _enrol_totp(world.dave)
    assert mfa_gate_for(world.dave).enrolled


# --- the admin site --------------------------------------------------------------


@pytest.fixture
def staff():
    return UserFactory(
        username="root", email="root@example.org", is_staff=True, is_superuser=True
    )


def test_staff_without_mfa_cannot_use_the_admin_site(client, staff, settings) -> None:
    settings.ADMIN_MFA_REQUIRED = True
    client.force_login(staff)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"] == ENROL
    assert "admin site requires two-factor" in " ".join(_messages(response))


def test_staff_with_mfa_use_the_admin_site(client, staff, settings) -> None:
    settings.ADMIN_MFA_REQUIRED = True
    _enrol_totp(staff)
    client.force_login(staff)

    assert client.get(reverse("admin:index")).status_code == 200


def test_the_admin_requirement_can_be_switched_off(client, staff, settings) -> None:
    settings.ADMIN_MFA_REQUIRED = False
    client.force_login(staff)

    assert client.get(reverse("admin:index")).status_code == 200


def test_an_organisation_member_who_is_staff_is_not_asked_outside_admin(
    client, staff, settings
) -> None:
    settings.ADMIN_MFA_REQUIRED = True
    MembershipFactory(user=staff, role=MembershipRole.RELATIONSHIP_MANAGER)
    client.force_login(staff)

    assert client.get(reverse("relationships:list")).status_code == 200
