"""The findings pages as a person uses them: raising, filtering, closing."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assurance.models import CorrectiveAction, Finding
from assurance.models.findings import CorrectiveActionStatus, FindingKind
from relationships.forms.registers import LONG_TEXT_MAX_LENGTH
from tests.assurance.factories_assurance import make_action, make_finding

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _url(world, name: str, **kwargs) -> str:
    return reverse(
        f"assurance:relationship_{name}",
        kwargs={"reference": world.relationship.reference, **kwargs},
    )


def _finding_data(**values) -> dict:
    return {
        "kind": "minor_nc",
        "title": "No exit plan review",
        "description": "The exit plan was not reviewed this year.",
        "clause": "8.9",
        "raised_on": TODAY.isoformat(),
        **values,
    }


def test_the_relationships_tab_bar_links_its_findings(login, world) -> None:
    page = login(world.alice).get(
        reverse(
            "relationships:detail", kwargs={"reference": world.relationship.reference}
        )
    )
    assert _url(world, "findings") in page.content.decode()


def test_an_empty_register_says_so_and_offers_to_raise_one(login, world) -> None:
    page = login(world.alice).get(_url(world, "findings")).content.decode()
    assert "No findings yet." in page
    assert _url(world, "finding_create") in page


def test_raising_a_finding_confirms_and_shows_it(login, world) -> None:
    client = login(world.alice)
    response = client.post(_url(world, "finding_create"), _finding_data(), follow=True)
    finding = Finding.objects.get()
    assert response.redirect_chain[-1][0] == _url(
        world, "finding_detail", pk=finding.pk
    )
    page = response.content.decode()
    assert "Finding “No exit plan review” raised." in page
    assert "8.9 Exit strategy activation" in page
    assert (
        finding.relationship == world.relationship and finding.raised_by == world.alice
    )


def test_bad_input_is_refused_with_a_message_and_nothing_saved(login, world) -> None:
    client = login(world.alice)
    for data in (
        _finding_data(title="", kind="nonsense"),
        _finding_data(description="x" * (LONG_TEXT_MAX_LENGTH + 1)),
        _finding_data(raised_on=(TODAY + datetime.timedelta(days=3)).isoformat()),
    ):
        response = client.post(_url(world, "finding_create"), data)
        assert response.status_code == 200
        assert "Nothing was saved" in response.content.decode()
    assert not Finding.objects.exists()


def test_the_register_filters_by_kind_and_status(login, world) -> None:
    make_finding(relationship=world.relationship, title="Major one", kind="major_nc")
    make_finding(
        relationship=world.relationship,
        title="Good one",
        kind=FindingKind.GOOD_PRACTICE,
        status="closed",
        closed_at=timezone.now(),
    )
    client = login(world.bob)
    by_kind = client.get(_url(world, "findings"), {"kind": "major_nc"}).content.decode()
    assert "Major one" in by_kind and "Good one" not in by_kind
    by_status = client.get(_url(world, "findings"), {"status": "closed"}).content
    assert b"Good one" in by_status and b"Major one" not in by_status
    none = client.get(_url(world, "findings"), {"kind": "observation"}).content
    assert b"No finding matches these filters." in none


def test_closing_with_an_unverified_action_is_refused_with_a_message(
    login, world
) -> None:
    finding = make_finding(relationship=world.relationship)
    make_action(finding, owner=world.carol, status=CorrectiveActionStatus.COMPLETED)
    client = login(world.alice)
    confirm = client.get(_url(world, "finding_close", pk=finding.pk)).content.decode()
    assert "not yet verified effective" in confirm
    response = client.post(
        _url(world, "finding_close", pk=finding.pk),
        {"revision": finding.revision},
        follow=True,
    )
    assert "not yet verified effective" in response.content.decode()
    assert Finding.objects.get(pk=finding.pk).is_open


def test_the_action_workflow_through_the_pages(login, world) -> None:
    finding = make_finding(relationship=world.relationship)
    alice = login(world.alice)
    response = alice.post(
        _url(world, "corrective_action_create", pk=finding.pk),
        {
            "root_cause": "Nobody owned the minutes.",
            "action": "Name a minute-taker.",
            "owner": world.carol.pk,
            "due_date": (TODAY + datetime.timedelta(days=7)).isoformat(),
        },
    )
    assert response.status_code == 302
    action = CorrectiveAction.objects.get()
    response = alice.post(
        _url(world, "corrective_action_complete", pk=finding.pk, action_pk=action.pk),
        {"completed_on": TODAY.isoformat(), "note": "", "revision": action.revision},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    bob = login(world.bob)
    response = bob.post(
        _url(world, "corrective_action_verify", pk=finding.pk, action_pk=action.pk),
        {
            "result": "effective",
            "verified_on": TODAY.isoformat(),
            "notes": "Three meetings minuted.",
            "revision": action.revision,
        },
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    response = bob.post(
        _url(world, "finding_close", pk=finding.pk),
        {"revision": finding.revision},
        follow=True,
    )
    assert "closed." in response.content.decode()
    assert not Finding.objects.get(pk=finding.pk).is_open


def test_a_stale_edit_keeps_the_input_and_answers_409(login, world) -> None:
    finding = make_finding(relationship=world.relationship)
    opened_at = finding.revision
    Finding.objects.filter(pk=finding.pk).update(revision=opened_at + 1, title="Theirs")
    response = login(world.alice).post(
        _url(world, "finding_edit", pk=finding.pk),
        _finding_data(title="Mine", revision=opened_at),
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Not saved" in page and 'value="Mine"' in page
    assert Finding.objects.get(pk=finding.pk).title == "Theirs"


def test_a_second_verification_of_the_same_action_is_refused(login, world) -> None:
    finding = make_finding(relationship=world.relationship)
    action = make_action(
        finding, owner=world.carol, status=CorrectiveActionStatus.VERIFIED
    )
    response = login(world.bob).post(
        _url(world, "corrective_action_verify", pk=finding.pk, action_pk=action.pk),
        {
            "result": "not_effective",
            "verified_on": TODAY.isoformat(),
            "notes": "x",
            "new_due_date": TODAY.isoformat(),
            "revision": action.revision,
        },
    )
    assert response.status_code == 200
    assert "Only a completed action" in response.content.decode()
    action.refresh_from_db()
    assert action.status == CorrectiveActionStatus.VERIFIED


def test_the_register_costs_the_same_queries_whatever_its_length(login, world) -> None:
    client = login(world.bob)
    url = _url(world, "findings")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    finding = make_finding(relationship=world.relationship)
    make_action(finding, owner=world.carol)
    one = count()
    for number in range(6):
        more = make_finding(relationship=world.relationship, title=f"Finding {number}")
        make_action(more, owner=world.carol, status=CorrectiveActionStatus.COMPLETED)
    assert count() == one
