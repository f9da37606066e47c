"""The register lists' cached rows: keyed by the versions of the page's own
relationships, shared only by viewers who see the same rows the same way, and
never holding one person's controls."""

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from relationships.choices import MembershipRole
from relationships.models import Action, Objective, Risk
from relationships.services.registers import objective_create, risk_create
from tests.factories import (
    ActionFactory,
    MembershipFactory,
    ObjectiveFactory,
    RiskFactory,
    UserFactory,
)
from tests.relationships.factories_registers import second_relationship

pytestmark = pytest.mark.django_db

OBJECTIVES = reverse("relationships:objective_list")
RISKS = reverse("relationships:risk_list")
ACTIONS = reverse("relationships:action_list")
SECRET = "Cash-flow squeeze at Partner Org"

REGISTERS = [
    (OBJECTIVES, Objective, ObjectiveFactory),
    (RISKS, Risk, RiskFactory),
    (ACTIONS, Action, ActionFactory),
]


def _rows(response: Any) -> str:
    assert response.status_code == 200
    return response.content.decode().split("<tbody>", 1)[1].split("</tbody>", 1)[0]


@pytest.mark.parametrize(("url", "model", "factory"), REGISTERS)
def test_a_save_in_one_relationship_leaves_another_relationships_rows_cached(
    login, world, url, model, factory
) -> None:
    research = second_relationship(world)
    factory(relationship=world.relationship, title="Joint entry")
    research_entry = factory(relationship=research, title="Research entry")
    client = login(world.alice)
    joint_page = {"relationship": world.relationship.reference}
    research_page = {"relationship": research.reference}
    assert "Joint entry" in _rows(client.get(url, joint_page))
    assert "Research entry" in _rows(client.get(url, research_page))

    # Changes that send no signal, which only a page read afresh shows...
    model.objects.filter(title="Joint entry").update(title="Joint entry, renamed")
    model.objects.filter(pk=research_entry.pk).update(title="Research, renamed")
    # ...and a save in the research relationship, which moves its version on.
    factory(relationship=research, title="Another research entry")

    joint_rows = _rows(client.get(url, joint_page))
    research_rows = _rows(client.get(url, research_page))
    assert "Joint entry" in joint_rows and "renamed" not in joint_rows
    assert "Research, renamed" in research_rows
    assert "Another research entry" in research_rows


def _three_partner_records(world: Any) -> None:
    """Bob's supplier's own risk and objective, private to it and the lead; a
    joint risk and objective; and a joint action that answers the private risk."""
    RiskFactory(relationship=world.relationship, title="Joint supply risk")
    ObjectiveFactory(relationship=world.relationship, title="Joint goal")
    risk = risk_create(
        relationship=world.relationship,
        values={
            "owner_partnership": world.partner,
            "title": SECRET,
            "likelihood": 4,
            "impact": 5,
        },
        created_by=world.bob,
    )
    objective_create(
        relationship=world.relationship,
        values={"owner": world.partner, "title": SECRET, "horizon": "short"},
        created_by=world.bob,
    )
    ActionFactory(
        relationship=world.relationship, title="Answer the squeeze", risk=risk
    )


JOINT_TITLES = {
    OBJECTIVES: "Joint goal",
    RISKS: "Joint supply risk",
    ACTIONS: "Answer the squeeze",
}


@pytest.mark.parametrize("url", [OBJECTIVES, RISKS, ACTIONS])
@pytest.mark.parametrize("first", ["bob", "frank"])
def test_a_private_record_never_reaches_another_partners_cached_rows(
    login, world, frank, url, first
) -> None:
    """Bob's supplier owns the record; frank, of the other supplier, must not
    read it, whoever of the two renders (and caches) the list first."""
    _three_partner_records(world)
    viewers = [world.bob, frank] if first == "bob" else [frank, world.bob]
    pages = {user.username: _rows(login(user).get(url)) for user in viewers}

    assert SECRET in pages["bob"]
    assert SECRET not in pages["frank"]
    assert JOINT_TITLES[url] in pages["frank"]
    if url == ACTIONS:
        assert "Risk: " + SECRET in pages["bob"]


def _mark_done_form(html: str) -> tuple[str, str, str]:
    """The page's "Mark done" form: its CSRF token; and the first button's
    address and revision."""
    form = html.split('<form id="mark-done"', 1)[1].split("</form>", 1)[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]
    button = re.search(
        r'form="mark-done" formaction="([^"]+)" name="revision" value="(\d+)"', html
    )
    return token, button[1], button[2]


def test_mark_done_form_carries_each_users_own_csrf_token(world) -> None:
    """Alice and a colleague of her organisation share the page's cached rows;
    each page's form carries its own viewer's CSRF token."""
    colleague = UserFactory(username="alina")
    MembershipFactory(
        user=colleague,
        organisation=world.lead.organisation,
        role=MembershipRole.RELATIONSHIP_MANAGER,
    )
    action = ActionFactory(relationship=world.relationship, title="Book the room")
    clients = {}
    for user in (colleague, world.alice):
        clients[user.username] = Client(enforce_csrf_checks=True)
        clients[user.username].force_login(user)
    colleague_page = clients["alina"].get(ACTIONS)
    alice_page = clients["alice"].get(ACTIONS)
    shared_key = colleague_page.context["rows_cache_key"]
    assert shared_key and alice_page.context["rows_cache_key"] == shared_key
    assert "csrfmiddlewaretoken" not in _rows(alice_page)

    colleague_token, _, _ = _mark_done_form(colleague_page.content.decode())
    alice_token, url, revision = _mark_done_form(alice_page.content.decode())
    sent = {"revision": revision, "next": ACTIONS}
    refused = clients["alice"].post(
        url, {**sent, "csrfmiddlewaretoken": colleague_token}
    )
    accepted = clients["alice"].post(url, {**sent, "csrfmiddlewaretoken": alice_token})

    assert refused.status_code == 403
    assert accepted.status_code == 302 and accepted["Location"] == ACTIONS
    action.refresh_from_db()
    assert action.status == "done"
