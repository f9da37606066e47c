"""Relationships are started and joined in the app: a relationship manager starts
one, the lead invites partners (on the site, or new by e-mail), each partner seats
its own people, and a partner can leave."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.tokens import InvitationState
from relationships.access import partnerships_exitable_by
from relationships.choices import PartnerRole, PlanVersionStatus
from relationships.models import (
    JointManagementTeamMember,
    Membership,
    Organisation,
    PartnerInvitation,
    Partnership,
    Relationship,
)
from relationships.services import partners as partner_services
from relationships.services.plans import plan_version_decide, plan_version_submit
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    RelationshipFactory,
    UserFactory,
)
from tests.relationships.factories_plans import approve_by_all, start_plan

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough passphrase 42"


def _partners_url(world: Any) -> str:
    return reverse("relationships:partners", args=[world.relationship.reference])


def _invite_url(world: Any) -> str:
    return reverse("relationships:partner_invite", args=[world.relationship.reference])


def _outsider_admin(world: Any) -> Any:
    admin = UserFactory(username="olga", first_name="Olga", last_name="Admin")
    MembershipFactory(
        user=admin, organisation=world.outsider_organisation, role="org_admin"
    )
    return admin


def _link_token(message: Any) -> str:
    found = re.search(r"http://testserver/partner-invitations/([\w-]+)/", message.body)
    assert found, message.body
    return found.group(1)


@pytest.fixture(autouse=True)
def site_url(settings) -> None:
    settings.SITE_URL = "http://testserver"


# --- starting a relationship --------------------------------------------------------


def test_manager_starts_a_relationship_led_by_their_organisation(login, world) -> None:
    client = login(world.alice)
    response = client.post(
        reverse("relationships:create"),
        {
            "lead": world.lead.organisation_id,
            "title": "Ocean sensors",
            "reference": "ocean-sensors",
            "kind": "university_business",
            "start_date": "2026-01-01",
        },
    )
    relationship = Relationship.objects.get(reference="ocean-sensors")
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "relationships:partners", args=["ocean-sensors"]
    )
    assert relationship.stage.number == 1
    lead = relationship.partnerships.get()
    assert (lead.organisation, lead.role, lead.relationship_manager) == (
        world.lead.organisation,
        PartnerRole.LEAD,
        world.alice,
    )
    assert relationship.history.get().history_user == world.alice
    # The list links to it, and the new relationship is the creator's to see.
    assert "Start a relationship" in client.get(reverse("relationships:list")).text
    assert client.get(relationship.get_absolute_url()).status_code == 200


def test_an_organisation_admin_starts_one_without_naming_themselves_manager(
    login, world
) -> None:
    admin = UserFactory(username="ada")
    MembershipFactory(
        user=admin, organisation=world.lead.organisation, role="org_admin"
    )
    login(admin).post(
        reverse("relationships:create"),
        {
            "lead": world.lead.organisation_id,
            "title": "T",
            "reference": "t-1",
            "kind": "general",
        },
    )
    lead = Partnership.objects.get(relationship__reference="t-1")
    assert lead.relationship_manager is None


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("joint-venture", "Another relationship uses this reference"),
        ("new", "This reference is reserved"),
    ],
)
def test_a_taken_or_reserved_reference_is_a_form_error(
    login, world, reference: str, message: str
) -> None:
    before = Relationship.objects.count()
    response = login(world.alice).post(
        reverse("relationships:create"),
        {
            "lead": world.lead.organisation_id,
            "title": "T",
            "reference": reference,
            "kind": "general",
        },
    )
    assert response.status_code == 200
    assert message in response.text
    assert Relationship.objects.count() == before


def test_nobody_starts_a_relationship_for_an_organisation_not_theirs(
    login, world
) -> None:
    response = login(world.alice).post(
        reverse("relationships:create"),
        {
            "lead": world.outsider_organisation.pk,
            "title": "T",
            "reference": "t-2",
            "kind": "general",
        },
    )
    assert "Choose an organisation you manage relationships for" in response.text
    assert not Relationship.objects.filter(reference="t-2").exists()


# --- inviting an organisation on the site -------------------------------------------


def test_an_organisation_on_the_site_joins_only_once_it_accepts(
    login, world, django_capture_on_commit_callbacks
) -> None:
    olga = _outsider_admin(world)
    # Alice does not work with Outsider Org yet, so it is not listed to her: she
    # writes to a person there, and the invitation goes to its admins.
    with django_capture_on_commit_callbacks(execute=True):
        response = login(world.alice).post(
            _invite_url(world),
            {
                "contact_name": "Eve",
                "email": world.eve.email,
                "organisation_name": "Outsider",
            },
            follow=True,
        )
    assert "the invitation went to its admins" in response.text
    invitation = PartnerInvitation.objects.get()
    assert invitation.organisation == world.outsider_organisation
    assert [message.to for message in mail.outbox] == [[olga.email]]
    assert "Invitations to join" in mail.outbox[0].body

    # Until it accepts, the organisation sees nothing of the relationship.
    client = login(world.eve)
    for url in (world.relationship.get_absolute_url(), _partners_url(world)):
        assert client.get(url).status_code == 404
    listing = client.get(reverse("relationships:list")).text
    assert "Invitations to join" in listing and "Joint venture" in listing
    # The lead sees the invitation's state.
    assert "Pending" in login(world.alice).get(_partners_url(world)).text

    client = login(world.eve)
    answer = reverse("relationships:partner_invitation_answer", args=[invitation.pk])
    response = client.post(answer, {"answer": "accept"})
    assert response.status_code == 302
    partnership = world.relationship.partnerships.get(
        organisation=world.outsider_organisation
    )
    assert partnership.role == PartnerRole.PARTNER
    assert partnership.relationship_manager == world.eve
    assert client.get(world.relationship.get_absolute_url()).status_code == 200
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.ACCEPTED
    assert "Accepted" in login(world.alice).get(_partners_url(world)).text

    # Answering again is refused with a message, and changes nothing.
    response = login(world.eve).post(answer, {"answer": "decline"}, follow=True)
    assert "was accepted: it cannot be declined" in response.text
    invitation.refresh_from_db()
    assert invitation.declined_at is None


def test_an_invitation_is_not_mailed_to_a_deactivated_admin(
    login, world, django_capture_on_commit_callbacks
) -> None:
    olga = _outsider_admin(world)
    former = UserFactory(username="oscar", email="oscar@outsider.example")
    MembershipFactory(
        user=former,
        organisation=world.outsider_organisation,
        role="org_admin",
        deactivated_at=timezone.now(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        login(world.alice).post(
            _invite_url(world),
            {
                "contact_name": "Eve",
                "email": world.eve.email,
                "organisation_name": "Outsider",
            },
        )
    assert [message.to for message in mail.outbox] == [[olga.email]]


def test_a_declined_invitation_makes_no_partner(login, world) -> None:
    invitation = partner_services.partner_invitation_create(
        relationship=world.relationship,
        invited_by=world.alice,
        organisation=world.outsider_organisation,
    )
    login(world.eve).post(
        reverse("relationships:partner_invitation_answer", args=[invitation.pk]),
        {"answer": "decline"},
    )
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.DECLINED
    assert not world.relationship.partnerships.filter(
        organisation=world.outsider_organisation
    ).exists()
    assert "Declined" in login(world.alice).get(_partners_url(world)).text


def test_an_organisation_already_a_partner_cannot_be_invited(login, world) -> None:
    response = login(world.alice).post(
        _invite_url(world), {"organisation": world.partner.organisation_id}
    )
    assert response.status_code == 200
    assert "That organisation is a partner already" in response.text
    with pytest.raises(Exception, match="already a partner"):
        partner_services.partner_invitation_create(
            relationship=world.relationship,
            invited_by=world.alice,
            organisation=world.partner.organisation,
        )
    assert not PartnerInvitation.objects.exists()


def test_only_the_leads_writers_invite(login, world) -> None:
    for user, status in ((world.bob, 403), (world.dave, 403), (world.eve, 404)):
        response = login(user).post(
            _invite_url(world), {"organisation": world.outsider_organisation.pk}
        )
        assert response.status_code == status
    assert not PartnerInvitation.objects.exists()


def test_another_organisations_people_cannot_answer_its_invitation(
    login, world
) -> None:
    invitation = partner_services.partner_invitation_create(
        relationship=world.relationship,
        invited_by=world.alice,
        organisation=world.outsider_organisation,
    )
    url = reverse("relationships:partner_invitation_answer", args=[invitation.pk])
    assert login(world.bob).post(url, {"answer": "accept"}).status_code == 404
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.PENDING


# --- inviting a new organisation by e-mail ------------------------------------------


def _invite_new(client: Any, world: Any, captured: Any, **overrides: str) -> Any:
    data = {
        "contact_name": "Nora New",
        "email": "nora@newco.example",
        "organisation_name": "NewCo",
        **overrides,
    }
    with captured(execute=True):
        return client.post(_invite_url(world), data)


def _accept_data(**overrides: str) -> dict[str, str]:
    return {
        "first_name": "Nora",
        "last_name": "New",
        "password": PASSWORD,
        "password_again": PASSWORD,
        "organisation_name": "NewCo Ltd",
        "kind": "msme",
        "msme_size": "small",
        **overrides,
    }


def test_a_new_organisations_person_creates_account_and_organisation_and_joins(
    client, login, world, django_capture_on_commit_callbacks
) -> None:
    _invite_new(login(world.alice), world, django_capture_on_commit_callbacks)
    [message] = mail.outbox
    assert message.to == ["nora@newco.example"]
    token = _link_token(message)
    client.logout()
    url = reverse("relationships:partner_invitation_accept", args=[token])
    assert "Join “Joint venture”" in client.get(url).text

    response = client.post(url, _accept_data())
    assert response.status_code == 302
    # Logged in, on the relationship's partners page.
    assert response["Location"] == reverse(
        "relationships:partners", args=[world.relationship.reference]
    )
    assert "Seat our people" in client.get(response["Location"]).text
    organisation = Organisation.objects.get(name="NewCo Ltd")
    assert (organisation.kind, organisation.msme_size) == ("msme", "small")
    nora = Membership.objects.get(organisation=organisation, role="org_admin").user
    assert nora.email == "nora@newco.example"
    partnership = world.relationship.partnerships.get(organisation=organisation)
    assert partnership.relationship_manager == nora
    assert client.login(username=nora.username, password=PASSWORD)
    assert client.get(world.relationship.get_absolute_url()).status_code == 200

    # The link worked once.
    client.logout()
    response = client.get(url)
    assert response.status_code == 410
    assert "was accepted" in response.text
    response = client.post(url, _accept_data(organisation_name="Again"))
    assert response.status_code == 410
    assert not Organisation.objects.filter(name="Again").exists()


def test_forged_revoked_and_expired_links_are_refused(
    client, login, world, django_capture_on_commit_callbacks
) -> None:
    alice = login(world.alice)
    _invite_new(alice, world, django_capture_on_commit_callbacks)
    token = _link_token(mail.outbox[-1])
    invitation = PartnerInvitation.objects.get()
    accept = reverse("relationships:partner_invitation_accept", args=[token])

    forged = reverse("relationships:partner_invitation_accept", args=["x" * 43])
    response = client.get(forged)
    assert (response.status_code, "not valid" in response.text) == (410, True)

    PartnerInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert "Expired" in login(world.alice).get(_partners_url(world)).text
    client.logout()
    response = client.post(accept, _accept_data())
    assert (response.status_code, "was expired" in response.text) == (410, True)

    # Resent: a new link, the old one dead.
    login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse(
                "relationships:partner_invitation_resend",
                args=[world.relationship.reference, invitation.pk],
            )
        )
    new_token = _link_token(mail.outbox[-1])
    assert new_token != token
    client.post(
        reverse(
            "relationships:partner_invitation_revoke",
            args=[world.relationship.reference, invitation.pk],
        )
    )
    client.logout()
    for used in (token, new_token):
        url = reverse("relationships:partner_invitation_accept", args=[used])
        assert client.post(url, _accept_data()).status_code == 410
    assert (
        "was revoked"
        in client.get(
            reverse("relationships:partner_invitation_accept", args=[new_token])
        ).text
    )
    assert not Organisation.objects.filter(name="NewCo Ltd").exists()
    assert not Membership.objects.filter(user__email="nora@newco.example").exists()


def test_an_address_of_a_partners_member_is_refused_as_already_a_partner(
    login, world, django_capture_on_commit_callbacks
) -> None:
    response = _invite_new(
        login(world.alice),
        world,
        django_capture_on_commit_callbacks,
        email=world.bob.email,
    )
    assert response.status_code == 200
    assert "Partner Org is already a partner." in response.text
    assert not PartnerInvitation.objects.exists()
    assert mail.outbox == []


def test_only_organisations_the_inviter_works_with_are_listed(login, world) -> None:
    known = OrganisationFactory(name="Known Co", slug="known-co")
    other = RelationshipFactory(reference="other-deal")
    PartnershipFactory(
        relationship=other, organisation=world.lead.organisation, role="lead"
    )
    PartnershipFactory(relationship=other, organisation=known)

    page = login(world.alice).get(_invite_url(world)).text

    # The partner of Alice's other relationship is listed; the relationship's own
    # partners are not, nor an organisation she has never worked with.
    assert "Known Co" in page
    assert "Partner Org" not in page and "Outsider Org" not in page
    response = login(world.alice).post(
        _invite_url(world), {"organisation": world.outsider_organisation.pk}
    )
    assert "not one you work with" in response.text
    assert not PartnerInvitation.objects.exists()


def test_a_bad_accept_form_creates_nothing(
    client, login, world, django_capture_on_commit_callbacks
) -> None:
    _invite_new(login(world.alice), world, django_capture_on_commit_callbacks)
    token = _link_token(mail.outbox[-1])
    client.logout()
    url = reverse("relationships:partner_invitation_accept", args=[token])
    for data, message in (
        (_accept_data(password="short", password_again="short"), "too short"),
        (_accept_data(password_again="other"), "The two passwords differ"),
        (_accept_data(msme_size=""), "An MSME declares its size class"),
    ):
        response = client.post(url, data)
        assert response.status_code == 200
        assert message in response.text
    assert not Organisation.objects.filter(name="NewCo Ltd").exists()
    assert PartnerInvitation.objects.get().state == InvitationState.PENDING


def test_a_logged_in_person_is_asked_to_log_out_first(
    login, world, django_capture_on_commit_callbacks
) -> None:
    client = login(world.alice)
    _invite_new(client, world, django_capture_on_commit_callbacks)
    url = reverse(
        "relationships:partner_invitation_accept", args=[_link_token(mail.outbox[-1])]
    )
    response = client.post(url, _accept_data())
    assert "log out first" in response.text
    assert not Organisation.objects.filter(name="NewCo Ltd").exists()


# --- a partner seats its own people -------------------------------------------------


def _edit_url(world: Any) -> str:
    return reverse(
        "relationships:partnership_edit",
        args=[world.relationship.reference, world.partner.pk],
    )


def test_a_partner_names_its_manager_and_senior_executive_from_its_own_people(
    login, world
) -> None:
    client = login(world.bob)
    response = client.post(
        _edit_url(world),
        {
            "relationship_manager": world.bob.pk,
            "senior_executive": world.dave.pk,
            "revision": world.partner.revision,
        },
    )
    assert response.status_code == 302
    world.partner.refresh_from_db()
    assert world.partner.senior_executive == world.dave
    assert world.dave.get_full_name() in client.get(_partners_url(world)).text


def test_a_forged_person_of_another_organisation_is_refused(login, world) -> None:
    revision = world.partner.revision
    response = login(world.bob).post(
        _edit_url(world),
        {"relationship_manager": world.alice.pk, "revision": revision},
    )
    assert response.status_code == 200
    assert "Choose one of Partner Org" in response.text
    world.partner.refresh_from_db()
    assert (world.partner.relationship_manager, world.partner.revision) == (
        world.bob,
        revision,
    )


def test_a_stale_partner_form_is_refused_with_their_values(login, world) -> None:
    partner_services.partnership_update(
        partnership=world.partner,
        changes={"senior_executive": world.dave},
        expected_revision=world.partner.revision,
        user=world.bob,
    )
    response = login(world.bob).post(
        _edit_url(world),
        {"relationship_manager": world.bob.pk, "revision": world.partner.revision - 1},
    )
    assert response.status_code == 200
    assert "someone else changed this record" in response.text
    world.partner.refresh_from_db()
    assert world.partner.senior_executive == world.dave


def test_a_partner_never_edits_another_partners_seats(login, world) -> None:
    for user in (world.alice, world.carol):
        client = login(user)
        assert (
            client.post(
                _edit_url(world), {"relationship_manager": "", "revision": 1}
            ).status_code
            == 403
        )
        assert (
            client.post(
                reverse(
                    "relationships:team_seat_add",
                    args=[world.relationship.reference, world.partner.pk],
                ),
                {"user": world.dave.pk},
            ).status_code
            == 403
        )
    world.partner.refresh_from_db()
    assert world.partner.relationship_manager == world.bob
    assert not JointManagementTeamMember.objects.exists()


def test_a_partner_seats_removes_and_names_plan_representatives(login, world) -> None:
    client = login(world.bob)
    add = reverse(
        "relationships:team_seat_add",
        args=[world.relationship.reference, world.partner.pk],
    )
    response = client.post(
        add,
        {"user": world.dave.pk, "role_title": "Finance lead", "is_leadership": "on"},
    )
    assert response.status_code == 302
    seat = JointManagementTeamMember.objects.get()
    assert (seat.partnership, seat.is_leadership) == (world.partner, True)
    assert "Signs the plan" in client.get(_partners_url(world)).text

    # Someone of another organisation, posted by hand, is refused.
    response = client.post(add, {"user": world.alice.pk})
    assert response.status_code == 400
    assert "Choose one of Partner Org" in response.text
    # Seated twice: refused.
    response = client.post(add, {"user": world.dave.pk})
    assert "has a seat on this team already" in response.text

    edit = reverse(
        "relationships:team_seat_edit",
        args=[world.relationship.reference, world.partner.pk, seat.pk],
    )
    client.post(edit, {"role_title": "CFO", "revision": seat.revision})
    seat.refresh_from_db()
    assert (seat.role_title, seat.is_leadership) == ("CFO", False)
    client.post(
        reverse(
            "relationships:team_seat_remove",
            args=[world.relationship.reference, world.partner.pk, seat.pk],
        )
    )
    assert not JointManagementTeamMember.objects.exists()
    history = client.get(
        reverse(
            "relationships:relationship_history", args=[world.relationship.reference]
        )
    ).text
    assert "Team seat" in history


# --- leaving ------------------------------------------------------------------------


def _exit(
    client: Any, world: Any, partnership: Partnership, reason: str = "Done."
) -> Any:
    return client.post(
        reverse(
            "relationships:partnership_exit",
            args=[world.relationship.reference, partnership.pk],
        ),
        {"exit_reason": reason},
    )


def test_an_exited_partner_reads_but_no_longer_writes_or_signs(login, world) -> None:
    assert _exit(login(world.alice), world, world.partner).status_code == 302
    world.partner.refresh_from_db()
    assert world.partner.has_exited and world.partner.exit_reason == "Done."

    client = login(world.bob)
    assert client.get(world.relationship.get_absolute_url()).status_code == 200
    assert "Exited" in client.get(_partners_url(world)).text
    edit = reverse("relationships:edit", args=[world.relationship.reference])
    assert client.post(edit, {"title": "Changed"}).status_code == 403
    assert client.get(_edit_url(world)).status_code == 403

    # The lead alone now signs a new plan version.
    plan = start_plan(world, filled=True)
    version = plan.versions.get()
    plan_version_submit(
        plan_version=version, relationship=world.relationship, user=world.alice
    )
    plan_version_decide(
        plan_version=version,
        relationship=world.relationship,
        partnership=world.lead,
        user=world.alice,
        decision="approve",
    )
    version.refresh_from_db()
    assert version.status == PlanVersionStatus.APPROVED


def test_a_partners_exit_is_recorded_by_its_own_managers_or_the_leads(world) -> None:
    def exitable(user: Any) -> set[Partnership]:
        return set(partnerships_exitable_by(user=user, relationship=world.relationship))

    assert exitable(world.alice) == {world.lead, world.partner}
    assert exitable(world.bob) == {world.partner}
    assert exitable(world.carol) == set()
    assert exitable(world.dave) == set()


def test_the_partner_itself_may_leave_but_the_lead_cannot(login, world) -> None:
    response = _exit(login(world.alice), world, world.lead)
    assert "The lead partner cannot leave" in response.text
    world.lead.refresh_from_db()
    assert not world.lead.has_exited
    assert _exit(login(world.carol), world, world.partner).status_code == 403
    assert _exit(login(world.bob), world, world.partner).status_code == 302
    # Leaving twice: refused, nothing changed.
    world.partner.refresh_from_db()
    exited_at = world.partner.exited_at
    response = _exit(login(world.alice), world, world.partner, "Again")
    assert "has left already" in response.text
    world.partner.refresh_from_db()
    assert world.partner.exited_at == exited_at


def test_both_partners_still_sign_while_both_take_part(world) -> None:
    plan = start_plan(world, filled=True)
    version = plan.versions.get()
    plan_version_submit(
        plan_version=version, relationship=world.relationship, user=world.alice
    )
    approve_by_all(world, version)
    version.refresh_from_db()
    assert version.status == PlanVersionStatus.APPROVED
