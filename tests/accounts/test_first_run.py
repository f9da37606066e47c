"""The first run in production, as the README says: one command creates the
first organisation and invites its admin; following the printed link makes that
person its admin."""

import io
import re

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from relationships.choices import MembershipRole
from relationships.models import Membership, Organisation, Relationship

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long enough passphrase 42"


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("create_first_organisation", *args, stdout=out)
    return out.getvalue()


def test_first_run_creates_the_organisation_and_its_admin_follows_the_link(
    client, settings
) -> None:
    settings.SITE_URL = "https://partnerplan.example.org"
    output = _run(
        "--name",
        "Northbridge University",
        "--kind",
        "university",
        "--admin-email",
        "Olive@Northbridge.example",
    )
    link = re.search(r"Invitation link: (\S+)", output).group(1)
    assert link.startswith("https://partnerplan.example.org/invitations/")
    assert len(mail.outbox) == 1 and link in mail.outbox[0].body
    organisation = Organisation.objects.get()
    assert organisation.name == "Northbridge University"
    assert not Membership.objects.exists()
    assert not Relationship.objects.exists()  # no demo data

    path = link.removeprefix(settings.SITE_URL)
    response = client.post(
        path,
        {
            "first_name": "Olive",
            "last_name": "Admin",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse(
        "accounts:organisation_people", args=[organisation.slug]
    )
    membership = Membership.objects.get()
    assert membership.role == MembershipRole.ORG_ADMIN
    assert membership.user.email == "olive@northbridge.example"
    assert "Organisation</a>" in response.content.decode()


def test_a_second_run_is_refused(db) -> None:
    args = ["--name", "Acme", "--kind", "business", "--admin-email", "a@acme.example"]
    _run(*args)
    with pytest.raises(CommandError, match="exists already"):
        _run(*args)
    with pytest.raises(CommandError, match="already invited"):
        _run("--name", "Other", "--kind", "business", "--admin-email", "a@acme.example")
    assert Organisation.objects.count() == 1


def test_an_msme_needs_its_size(db) -> None:
    with pytest.raises(CommandError, match="MSME needs a size class"):
        _run("--name", "Tiny", "--kind", "msme", "--admin-email", "t@tiny.example")
    assert not Organisation.objects.exists()
    _run(
        "--name",
        "Tiny",
        "--kind",
        "msme",
        "--msme-size",
        "micro",
        "--admin-email",
        "t@tiny.example",
    )
    assert Organisation.objects.get().msme_size == "micro"


def test_resend_while_nobody_accepted(db) -> None:
    args = ["--name", "Acme", "--kind", "business", "--admin-email", "a@acme.example"]
    first = re.search(r"Invitation link: (\S+)", _run(*args)).group(1)
    second = re.search(r"Invitation link: (\S+)", _run(*args, "--resend")).group(1)
    assert first != second
