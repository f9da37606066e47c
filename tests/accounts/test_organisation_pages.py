"""The invitation accept page and the organisation admin pages, as people use
them: forms, messages, and nothing changed on bad input."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import OrganisationInvitation
from accounts.services import organisation_invitation_create
from relationships.choices import MembershipRole
from relationships.models import JointManagementTeamMember, Membership
from relationships.services.partners import partnership_exit
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a long enough passphrase 42"


def _link(world, olive, email="nora@example.org", role=MembershipRole.JMT_MEMBER):
    invitation, link = organisation_invitation_create(
        organisation=world.lead.organisation, email=email, role=role, invited_by=olive
    )
    return invitation, link.removeprefix("http://testserver").split("8000", 1)[-1]


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_new_person_sets_a_password_and_is_logged_in(world, olive, client) -> None:
    _invitation, path = _link(world, olive)
    page = client.get(path)
    assert page.status_code == 200
    assert "Join Lead Org" in page.content.decode()
    response = client.post(
        path,
        {
            "first_name": "Nora",
            "last_name": "New",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("relationships:list")
    assert any("Welcome to Partnerplan, Nora New" in m for m in _messages(response))
    assert response.context["user"].email == "nora@example.org"
    # The link is used up.
    client.logout()
    assert client.get(path).status_code == 410


def test_mismatched_passwords_change_nothing(world, olive, client) -> None:
    invitation, path = _link(world, olive)
    response = client.post(
        path,
        {
            "first_name": "Nora",
            "last_name": "New",
            "password1": PASSWORD,
            "password2": PASSWORD + "x",
        },
    )
    assert response.status_code == 200
    assert "The two passwords differ." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_weak_password_is_shown_on_the_form(world, olive, client) -> None:
    invitation, path = _link(world, olive)
    response = client.post(
        path,
        {"first_name": "N", "last_name": "N", "password1": "1234", "password2": "1234"},
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_forged_link_is_a_404_that_explains(world, client) -> None:
    response = client.get("/invitations/not-a-real-token/")
    assert response.status_code == 404
    assert "invitation link is not valid" in response.content.decode()


def test_expired_link_explains(world, olive, client) -> None:
    invitation, path = _link(world, olive)
    invitation.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    invitation.save()
    response = client.get(path)
    assert response.status_code == 410
    assert "has expired" in response.content.decode()


def test_logged_in_invitee_accepts_in_one_click(world, olive, client) -> None:
    loner = UserFactory(username="loner", email="loner@example.org")
    _invitation, path = _link(world, olive, email="loner@example.org")
    client.force_login(loner)
    assert "Accept and join" in client.get(path).content.decode()
    response = client.post(path, follow=True)
    assert Membership.objects.filter(user=loner).exists()
    assert any("Welcome" in m for m in _messages(response))


def test_someone_else_logged_in_is_told(world, olive, login) -> None:
    _invitation, path = _link(world, olive)
    client = login(world.alice)
    response = client.get(path)
    assert "but this invitation is for nora@example.org" in response.content.decode()
    client.post(path)
    assert not Membership.objects.filter(user__email="nora@example.org").exists()


def test_existing_account_is_asked_to_log_in_first(world, olive, client) -> None:
    UserFactory(username="loner", email="loner@example.org")
    _invitation, path = _link(world, olive, email="loner@example.org")
    content = client.get(path).content.decode()
    assert "Log in to accept" in content
    assert f"next={path.replace('/', '%2F')}" in content


def test_admin_invites_and_sees_the_state(
    world, olive, login, django_capture_on_commit_callbacks
) -> None:
    client = login(olive)
    url = reverse("accounts:organisation_invitations", args=["lead-org"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"email": "Nora@Example.org", "role": "jmt_member"}, follow=True
        )
    assert any("Invitation sent to nora@example.org" in m for m in _messages(response))
    assert "Pending" in response.content.decode()
    assert len(mail.outbox) == 1
    # The same address again: a clear message, nothing sent.
    response = client.post(url, {"email": "nora@example.org", "role": "jmt_member"})
    assert "already pending" in response.content.decode()
    response = client.post(url, {"email": world.bob.email, "role": "jmt_member"})
    assert "another organisation" in response.content.decode()
    assert OrganisationInvitation.objects.count() == 1


def test_resend_and_revoke_from_the_list(
    world, olive, login, django_capture_on_commit_callbacks
) -> None:
    invitation, old_path = _link(world, olive)
    client = login(olive)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(
                "accounts:organisation_invitation_resend",
                args=["lead-org", invitation.pk],
            ),
            follow=True,
        )
    assert any("previous link no longer works" in m for m in _messages(response))
    client.logout()
    assert client.get(old_path).status_code == 404
    new_path = re.search(r"/invitations/[^/\s]+/", mail.outbox[-1].body).group(0)
    assert client.get(new_path).status_code == 200
    client = login(olive)
    client.post(
        reverse(
            "accounts:organisation_invitation_revoke", args=["lead-org", invitation.pk]
        )
    )
    client.logout()
    assert "withdrawn" in client.get(new_path).content.decode()


def test_last_admin_demotion_is_refused_with_a_message(world, olive, login) -> None:
    client = login(olive)
    membership = Membership.objects.get(user=olive)
    response = client.post(
        reverse("accounts:organisation_member_role", args=["lead-org", membership.pk]),
        {"role": "auditor"},
        follow=True,
    )
    assert any("only active admin" in m for m in _messages(response))
    membership.refresh_from_db()
    assert membership.role == MembershipRole.ORG_ADMIN


def test_role_change_from_the_people_page(world, olive, login) -> None:
    client = login(olive)
    membership = Membership.objects.get(user=world.carol)
    response = client.post(
        reverse("accounts:organisation_member_role", args=["lead-org", membership.pk]),
        {"role": "auditor"},
        follow=True,
    )
    assert any("is now auditor" in m for m in _messages(response))


def test_deactivation_page_tells_what_will_happen(world, olive, login) -> None:
    JointManagementTeamMember.objects.create(
        relationship=world.relationship,
        partnership=world.lead,
        user=world.alice,
        role_title="Director",
    )
    client = login(olive)
    url = reverse(
        "accounts:organisation_member_deactivate", args=["lead-org", world.alice.pk]
    )
    content = client.get(url).content.decode()
    assert "can no longer log in" in content
    assert "Joint venture" in content
    assert "lose their relationship manager" in content
    assert Membership.objects.get(user=world.alice).deactivated_at is None
    response = client.post(url, follow=True)
    assert any("1 team seat(s) ended" in m for m in _messages(response))
    assert "Deactivated" in response.content.decode()
    assert not client.login(username="alice", password=TEST_PASSWORD)


def test_profile_form_requires_a_size_for_an_msme(world, olive, login) -> None:
    client = login(olive)
    url = reverse("accounts:organisation_profile", args=["lead-org"])
    data = {"name": "Lead Org", "kind": "msme", "msme_size": "", "country": "UK"}
    response = client.post(url, data)
    assert "An MSME needs a size class." in response.content.decode()
    response = client.post(url, {**data, "msme_size": "micro"}, follow=True)
    assert any("Profile saved" in m for m in _messages(response))
    assert "Country" in response.content.decode()  # the change is listed


def test_access_page_shows_seats_managers_and_signers(world, olive, login) -> None:
    JointManagementTeamMember.objects.create(
        relationship=world.relationship,
        partnership=world.lead,
        user=world.carol,
        is_leadership=True,
    )
    client = login(olive)
    response = client.get(reverse("accounts:organisation_access", args=["lead-org"]))
    rows = {row.person.user.username: row for row in response.context["rows"]}
    assert rows["alice"].cells[0].manager and rows["alice"].cells[0].signs
    assert rows["carol"].cells[0].seat and rows["carol"].cells[0].signs
    assert not rows["olive"].cells[0].signs


def test_access_page_shows_an_exited_partners_people_reading_only(world, login) -> None:
    admin = UserFactory(username="pat")
    Membership.objects.create(
        user=admin, organisation=world.partner.organisation, role="org_admin"
    )
    partnership_exit(partnership=world.partner, reason="Contract ended", user=world.bob)
    response = login(admin).get(
        reverse("accounts:organisation_access", args=[world.partner.organisation.slug])
    )
    [bob] = [row for row in response.context["rows"] if row.person.user == world.bob]
    assert bob.cells[0].sees
    assert not bob.cells[0].edits
    assert not bob.cells[0].signs


def test_navbar_shows_organisation_to_its_admin_only(world, olive, login) -> None:
    assert "/organisation/" in login(olive).get("/relationships/").content.decode()
    assert (
        "/organisation/"
        not in login(world.alice).get("/relationships/").content.decode()
    )
    response = login(olive).get(reverse("accounts:organisation_home"))
    assert response["Location"] == reverse(
        "accounts:organisation_profile", args=["lead-org"]
    )
    assert login(world.alice).get(
        reverse("accounts:organisation_home")
    ).status_code == (404)
