"""Granting, accepting, revoking and logging external auditors' access: the
rules of accounts.services and the organisation admin's External auditors tab."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import ExternalAccessGrant, ExternalAccessLog
from accounts.services import (
    EXTERNAL_GRANT_MAX_DAYS,
    external_grant_accept,
    external_grant_create,
    external_grant_revoke,
)
from relationships.access import relationships_visible_to
from tests.accounts.factories_external import (
    external_auditor,
    external_grant,
    yesterday,
)
from tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a long enough passphrase 42"


def _in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def _grant(world, olive, **changes):
    arguments = {
        "organisation": world.lead.organisation,
        "name": "Erin Audit",
        "email": "erin@certbody.example",
        "relationships": [world.relationship],
        "management_system": False,
        "ends_on": _in_days(30),
        "granted_by": olive,
    }
    arguments.update(changes)
    return external_grant_create(**arguments)


def _url(world, name: str, **kwargs) -> str:
    return reverse(f"accounts:{name}", kwargs={"slug": "lead-org", **kwargs})


# --- the rules of a grant -------------------------------------------------------


def test_grant_is_mailed_after_commit_with_a_single_use_link(
    world, olive, settings, django_capture_on_commit_callbacks
) -> None:
    settings.SITE_URL = "https://pp.example.org"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        grant, link = _grant(world, olive, email=" Erin@CertBody.example ")
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["erin@certbody.example"]
    assert link.startswith("https://pp.example.org/external-access/")
    assert link in message.body
    assert "Joint venture" in message.body
    assert "Lead Org" in message.subject
    assert grant.grant_state() == "invited"
    assert list(grant.relationships.all()) == [world.relationship]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ends_on": None}, "ends_on", "always ends"),
        ({"ends_on": yesterday()}, "ends_on", "in the past"),
        ({"ends_on": _in_days(EXTERNAL_GRANT_MAX_DAYS + 1)}, "ends_on", "a year"),
        ({"relationships": []}, "relationships", "at least one"),
        ({"name": "  "}, "name", "name"),
    ],
    ids=["no-end", "past-end", "too-far", "no-relationship", "no-name"],
)
def test_bad_grant_is_refused_and_nothing_saved(
    world, olive, changes, field, message
) -> None:
    with pytest.raises(ValidationError) as refused:
        _grant(world, olive, **changes)
    assert message in " ".join(refused.value.message_dict[field])
    assert not ExternalAccessGrant.objects.exists()


def test_longest_grant_is_accepted(world, olive) -> None:
    grant, _link = _grant(world, olive, ends_on=_in_days(EXTERNAL_GRANT_MAX_DAYS))
    assert grant.pk


def test_relationship_the_organisation_is_not_a_partner_in_is_refused(
    world, olive
) -> None:
    with pytest.raises(ValidationError, match="not a partner in Outsider deal"):
        _grant(world, olive, relationships=[world.outsider_relationship])
    assert not ExternalAccessGrant.objects.exists()


@pytest.mark.parametrize("persona", ["bob", "dave", "carol", "alice"])
def test_address_of_a_partners_member_is_refused(world, olive, persona) -> None:
    """Members of the granting organisation (carol, alice) and of the other
    partner (bob, dave) read through their membership; never as outsiders."""
    person = world.persona(persona)
    with pytest.raises(ValidationError) as refused:
        _grant(world, olive, email=person.email.upper())
    assert "belongs to a member" in " ".join(refused.value.message_dict["email"])
    assert not ExternalAccessGrant.objects.exists()


def test_address_of_a_deactivated_member_is_refused_too(world, olive) -> None:
    person = UserFactory(username="gone")
    MembershipFactory(
        user=person,
        organisation=world.partner.organisation,
        deactivated_at=timezone.now(),
    )
    with pytest.raises(ValidationError, match="belongs to a member"):
        _grant(world, olive, email=person.email)


def test_address_of_a_member_elsewhere_is_accepted(world, olive) -> None:
    """Eve's organisation is no partner of the granted relationship."""
    grant, _link = _grant(world, olive, email=world.eve.email)
    assert grant.pk


# --- accepting -----------------------------------------------------------------


def test_new_person_accepts_with_a_new_account_and_reads(world, olive, client) -> None:
    _grant_row, link = _grant(world, olive)
    path = link[link.index("/external-access/") :]
    page = client.get(path)
    assert page.status_code == 200
    assert "Read-only access from Lead Org" in page.content.decode()
    response = client.post(
        path,
        {
            "first_name": "Erin",
            "last_name": "Audit",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    grant = ExternalAccessGrant.objects.get()
    assert grant.accepted_by.email == "erin@certbody.example"
    assert grant.grant_state() == "active"
    detail = client.get(reverse("relationships:detail", args=["joint-venture"]))
    assert detail.status_code == 200
    # The link worked once.
    assert client.get(path).status_code == 410
    # What they did since accepting is in the log.
    assert ExternalAccessLog.objects.filter(
        grant=grant, path="/relationships/joint-venture/", status_code=200
    ).exists()


def test_existing_account_logs_in_then_accepts(world, olive, login) -> None:
    person = UserFactory(username="erin", email="erin@certbody.example")
    _grant_row, link = _grant(world, olive)
    path = link[link.index("/external-access/") :]
    client = login(None)
    assert "Log in to accept" in client.get(path).content.decode()
    client = login(person)
    assert client.post(path).status_code == 302
    assert list(relationships_visible_to(person)) == [world.relationship]


def test_someone_else_cannot_accept(world, olive, login) -> None:
    _grant_row, link = _grant(world, olive)
    path = link[link.index("/external-access/") :]
    client = login(world.eve)
    assert "but this access is for" in client.get(path).content.decode()
    client.post(path)
    assert ExternalAccessGrant.objects.get().accepted_by is None
    with pytest.raises(ValidationError, match="someone else"):
        external_grant_accept(grant=ExternalAccessGrant.objects.get(), user=world.eve)


def test_revoked_grant_cannot_be_accepted(world, olive, client) -> None:
    grant, link = _grant(world, olive)
    external_grant_revoke(grant=grant, user=olive)
    path = link[link.index("/external-access/") :]
    assert client.get(path).status_code == 410
    with pytest.raises(ValidationError, match="withdrawn"):
        external_grant_accept(
            grant=grant, first_name="E", last_name="A", password=PASSWORD
        )


def test_unknown_link_is_a_404(client) -> None:
    assert client.get("/external-access/not-a-token/").status_code == 404


# --- revoking and lapsing --------------------------------------------------------


def test_revocation_ends_access_in_an_open_session(world, olive, login) -> None:
    erin = external_auditor(world)
    client = login(erin)
    url = reverse("relationships:detail", args=["joint-venture"])
    assert client.get(url).status_code == 200
    grant = ExternalAccessGrant.objects.get()
    external_grant_revoke(grant=grant, user=olive)
    assert client.get(url).status_code == 404
    grant.refresh_from_db()
    assert grant.grant_state() == "revoked"
    assert grant.revoked_by == olive
    with pytest.raises(ValidationError, match="already revoked"):
        external_grant_revoke(grant=grant, user=olive)


def test_grant_lapses_after_its_last_day(world, login) -> None:
    erin = external_auditor(world, ends_on=timezone.localdate())
    client = login(erin)
    url = reverse("relationships:detail", args=["joint-venture"])
    assert client.get(url).status_code == 200
    ExternalAccessGrant.objects.update(ends_on=yesterday())
    assert client.get(url).status_code == 404
    assert ExternalAccessGrant.objects.get().grant_state() == "lapsed"


# --- the log -----------------------------------------------------------------------


def test_every_request_of_a_grantee_is_logged_for_its_grant(world, login) -> None:
    erin = external_auditor(world)
    client = login(erin)
    client.get(reverse("relationships:detail", args=["joint-venture"]))
    client.get(reverse("relationships:detail", args=["outsider-deal"]))
    client.post(
        reverse("relationships:edit", args=["joint-venture"]), {"title": "Hijacked"}
    )
    rows = list(
        ExternalAccessLog.objects.order_by("pk").values_list(
            "method", "path", "status_code", "user_id"
        )
    )
    assert rows == [
        ("GET", "/relationships/joint-venture/", 200, erin.pk),
        ("GET", "/relationships/outsider-deal/", 404, erin.pk),
        ("POST", "/relationships/joint-venture/edit/", 403, erin.pk),
    ]


def test_members_requests_are_not_logged(world, login) -> None:
    external_auditor(world)
    login(world.alice).get(reverse("relationships:detail", args=["joint-venture"]))
    assert not ExternalAccessLog.objects.exists()


def test_admin_reads_the_log_of_its_grants(world, olive, login) -> None:
    erin = external_auditor(world)
    login(erin).get(reverse("relationships:detail", args=["joint-venture"]))
    grant = ExternalAccessGrant.objects.get()
    page = login(olive).get(_url(world, "organisation_external_log", pk=grant.pk))
    assert page.status_code == 200
    assert "/relationships/joint-venture/" in page.content.decode()


def test_another_organisations_admin_gets_404_on_the_log(world, login) -> None:
    erin = external_auditor(world)
    grant = ExternalAccessGrant.objects.get(accepted_by=erin)
    eve_admin = UserFactory(username="otto")
    MembershipFactory(
        user=eve_admin, organisation=world.outsider_organisation, role="org_admin"
    )
    client = login(eve_admin)
    url = reverse(
        "accounts:organisation_external_log",
        kwargs={"slug": "outsider-org", "pk": grant.pk},
    )
    assert client.get(url).status_code == 404


# --- the admin's page --------------------------------------------------------------


def test_admin_grants_from_the_page(world, olive, login, mailoutbox) -> None:
    client = login(olive)
    response = client.post(
        _url(world, "organisation_external"),
        {
            "name": "Erin Audit",
            "email": "erin@certbody.example",
            "relationships": [world.relationship.pk],
            "ends_on": _in_days(60).isoformat(),
        },
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Read-only access granted to Erin Audit" in page
    assert "erin@certbody.example" in page
    assert ExternalAccessGrant.objects.get().invited_by == olive


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"ends_on": ""}, "always ends"),
        ({"ends_on": "2001-01-01"}, "in the past"),
        ({"relationships": []}, "Choose at least one relationship"),
        ({"relationships": ["outsider"]}, "Choose among the relationships"),
        ({"email": "bob@example.com"}, "belongs to a member"),
        ({"email": "not an address"}, "valid email"),
    ],
    ids=["no-end", "past", "none", "foreign", "partner-member", "bad-address"],
)
def test_bad_input_on_the_page_is_explained_and_nothing_saved(
    world, olive, login, data, message
) -> None:
    form = {
        "name": "Erin Audit",
        "email": "erin@certbody.example",
        "relationships": [world.relationship.pk],
        "ends_on": _in_days(60).isoformat(),
    }
    form.update(data)
    if form["relationships"] == ["outsider"]:
        form["relationships"] = [world.outsider_relationship.pk]
    response = login(olive).post(_url(world, "organisation_external"), form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ExternalAccessGrant.objects.exists()


def test_list_shows_active_lapsed_and_revoked_grants(world, olive, login) -> None:
    external_auditor(world, username="active")
    external_auditor(world, username="lapsed", ends_on=yesterday())
    external_auditor(world, username="gone", revoked=True)
    page = login(olive).get(_url(world, "organisation_external")).content.decode()
    for state in ("Active", "Lapsed", "Revoked"):
        assert f">{state}</span>" in page


def test_admin_revokes_from_the_page(world, olive, login) -> None:
    erin = external_auditor(world)
    grant = ExternalAccessGrant.objects.get()
    response = login(olive).post(
        _url(world, "organisation_external_revoke", pk=grant.pk), follow=True
    )
    assert "revoked" in response.content.decode()
    assert not relationships_visible_to(erin).exists()


def test_grantee_is_refused_the_admin_pages(world, login) -> None:
    erin = external_auditor(world)
    client = login(erin)
    assert client.get(_url(world, "organisation_external")).status_code == 404
    assert client.get(reverse("accounts:organisation_home")).status_code == 404


def test_unaccepted_grant_for_a_login_is_marked_on_login(world, olive, client) -> None:
    """A person who accepted a grant earlier is logged from their next login on."""
    person = UserFactory(username="erin", email="erin@certbody.example")
    external_grant(
        user=person,
        organisation=world.lead.organisation,
        relationships=[world.relationship],
        granted_by=olive,
    )
    assert client.login(username="erin", password=TEST_PASSWORD)
    client.get("/relationships/")
    assert ExternalAccessLog.objects.filter(path="/relationships/").count() == 1


def test_pages_outside_a_relationship_are_logged_for_the_grants_that_count(
    world, login
) -> None:
    erin = external_auditor(world)
    old = external_grant(
        user=erin,
        organisation=world.outsider_organisation,
        relationships=[world.outsider_relationship],
        granted_by=world.eve,
        ends_on=yesterday(),
    )
    login(erin).get(reverse("relationships:list"))
    rows = ExternalAccessLog.objects.filter(path="/relationships/")
    assert rows.count() == 1
    assert rows.get().grant.organisation == world.lead.organisation
    assert not old.log.exists()
