"""The relationship's change history: plan, versions, sections and registers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from relationships.choices import ObjectiveStatus
from relationships.selectors.history import (
    relationship_history_entries,
    relationship_history_rows,
)
from tests.factories import ActionFactory, ObjectiveFactory, RiskFactory
from tests.relationships.factories_plans import section_post_data, start_plan

pytestmark = pytest.mark.django_db


def _history_url(world) -> str:
    return reverse(
        "relationships:relationship_history", args=[world.relationship.reference]
    )


def _registers(world, count: int) -> None:
    for number in range(count):
        objective = ObjectiveFactory(
            relationship=world.relationship, owner=world.partner, title=f"Obj {number}"
        )
        objective.status = ObjectiveStatus.ON_TRACK
        objective.save()
        risk = RiskFactory(
            relationship=world.relationship, owner=world.alice, title=f"Risk {number}"
        )
        risk.likelihood = 5
        risk.save()
        ActionFactory(
            relationship=world.relationship,
            risk=risk,
            owner=world.bob,
            title=f"Action {number}",
        )


def test_history_shows_who_changed_what_with_before_and_after(login, world) -> None:
    plan = start_plan(world)
    section = plan.versions.get().sections.get(principle_key="governance_processes")
    client = login(world.bob)
    client.post(
        reverse(
            "relationships:plan_section_edit",
            args=[world.relationship.reference, "governance_processes"],
        ),
        section_post_data(section, world.relationship, meeting_cadence="monthly"),
    )
    objective = ObjectiveFactory(relationship=world.relationship, title="Faster pay")
    objective.status = ObjectiveStatus.AT_RISK
    objective.save()

    response = login(world.dave).get(_history_url(world))
    assert response.status_code == 200
    entries = response.context["entries"]
    newest = entries[0]
    assert (newest.action, newest.subject_kind, newest.subject) == (
        "Changed",
        "Objective",
        "Faster pay",
    )
    [status_change] = newest.changes
    assert (status_change.label, status_change.old, status_change.new) == (
        "Status",
        "Not started",
        "At risk",
    )
    section_change = next(
        entry
        for entry in entries
        if entry.subject_kind == "Plan section" and entry.action == "Changed"
    )
    assert section_change.who == world.bob.get_full_name()
    assert section_change.subject == "Governance and processes"
    assert section_change.parent == "Plan version 1"
    cadence = next(c for c in section_change.changes if c.label == "Meeting cadence")
    assert (cadence.old, cadence.new) == ("", "Monthly")
    assert [entry.when for entry in entries] == sorted(
        (entry.when for entry in entries), reverse=True
    )
    content = response.content.decode()
    assert "Meeting cadence" in content and "At risk" in content


def test_history_names_related_objects_and_reasons(world) -> None:
    start_plan(world)
    _registers(world, 1)
    entries = relationship_history_entries(
        rows=relationship_history_rows(relationship=world.relationship)
    )
    action = next(entry for entry in entries if entry.subject_kind == "Action")
    values = {change.label: change.new for change in action.changes}
    assert values["Risk"] == "Risk 0"
    assert values["Owner"] == world.bob.get_full_name()
    objective = next(
        e for e in entries if e.subject_kind == "Objective" and e.action == "Created"
    )
    assert {c.label: c.new for c in objective.changes}["Owner"] == "Partner Org"
    plan_entry = next(e for e in entries if e.subject_kind == "Plan")
    assert plan_entry.reason == "Plan started"
    assert plan_entry.who == world.alice.get_full_name()


def test_history_excludes_other_relationships(login, world) -> None:
    start_plan(world)
    ObjectiveFactory(relationship=world.outsider_relationship, title="Not ours")
    response = login(world.alice).get(_history_url(world))
    assert b"Not ours" not in response.content


def test_history_is_paginated_newest_first(login, world) -> None:
    # The world: the relationship, its 2 partners and their 4 people's memberships.
    start_plan(world)  # 1 plan, 1 version, 12 sections
    _registers(world, 5)  # 5 x (2 objective + 2 risk + 1 action) rows
    client = login(world.alice)
    first_page = client.get(_history_url(world))
    assert first_page.context["page_obj"].paginator.count == 7 + 14 + 25
    assert len(first_page.context["entries"]) == 25
    second_page = client.get(_history_url(world), {"page": 2})
    assert len(second_page.context["entries"]) == 21
    assert first_page.context["entries"][-1].when >= (
        second_page.context["entries"][0].when
    )


def test_history_query_count_does_not_grow_with_rows(
    login, world, django_assert_num_queries
) -> None:
    _registers(world, 5)  # 25 rows: a first page of registers only
    client = login(world.alice)
    client.get(_history_url(world))  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get(_history_url(world))
    _registers(world, 12)  # 60 more rows, 25 a page
    with django_assert_num_queries(len(few)):
        response = client.get(_history_url(world))
    assert len(response.context["entries"]) == 25
    # Session and user (2), the relationship, its plan, the count and the page (4),
    # then per source (objectives, risks, actions) the records, and for objectives
    # and risks their predecessors (5), and the names of the partners, users and
    # risks the changes mention (3).
    assert len(few) == 14


def test_history_without_changes_of_the_chosen_kind_says_so(login, world) -> None:
    response = login(world.dave).get(_history_url(world), {"kind": "document"})
    assert response.status_code == 200
    assert response.context["entries"] == []
    assert b"No changes of this kind recorded yet" in response.content
