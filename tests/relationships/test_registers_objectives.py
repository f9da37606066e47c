"""Objectives: create, revise with a reason, revision history, validation."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from relationships.models import Objective
from relationships.services.registers import objective_create, objective_revise
from tests.factories import ObjectiveFactory
from tests.relationships.factories_registers import (
    FUTURE,
    form_errors,
    post,
    second_relationship,
)

pytestmark = pytest.mark.django_db


def _create_url(world) -> str:
    return reverse(
        "relationships:objective_create",
        kwargs={"reference": world.relationship.reference},
    )


def _url(name: str, objective: Objective) -> str:
    return reverse(
        f"relationships:{name}",
        kwargs={"reference": objective.relationship.reference, "pk": objective.pk},
    )


def _valid_data(**overrides) -> dict:
    data = {
        "owner": "",
        "title": "Place six students",
        "description": "Summer placements at the partner.",
        "horizon": "short",
        "milestone_date": FUTURE.isoformat(),
        "status": "on_track",
        "kpi_name": "Placements",
        "kpi_unit": "students",
        "kpi_target": "6",
        "kpi_actual": "2",
    }
    data.update(overrides)
    return data


def test_manager_creates_a_common_objective(login, world) -> None:
    response = post(login(world.alice), _create_url(world), _valid_data())
    objective = Objective.objects.get(title="Place six students")
    assert response.status_code == 302
    assert response["Location"] == _url("objective_detail", objective)
    assert objective.owner is None
    assert objective.relationship == world.relationship
    assert objective.progress_percent == 33
    record = objective.history.get()
    assert record.history_user == world.alice


def test_partner_creates_its_own_objective(login, world) -> None:
    post(login(world.bob), _create_url(world), _valid_data(owner=world.partner.pk))
    assert Objective.objects.get().owner == world.partner


def test_success_message_follows_creation(login, world) -> None:
    response = login(world.carol).post(_create_url(world), _valid_data(), follow=True)
    assert "Objective “Place six students” recorded." in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"title": "   "}, "title", "This field is required."),
        ({"horizon": ""}, "horizon", "This field is required."),
        ({"horizon": "eternal"}, "horizon", "Select a valid choice."),
        ({"title": "x" * 201}, "title", "at most 200 characters"),
        ({"description": "x" * 5001}, "description", "at most 5000 characters"),
        ({"kpi_target": "1" * 15}, "kpi_target", "no more than 14 digits"),
        ({"kpi_target": "1" * 13}, "kpi_target", "12 digits before the decimal"),
        ({"kpi_actual": "1.234"}, "kpi_actual", "no more than 2 decimal places"),
        ({"kpi_actual": "lots"}, "kpi_actual", "Enter a number."),
        ({"kpi_name": ""}, "kpi_name", "Name the KPI"),
        ({"milestone_date": "2026-02-30"}, "milestone_date", "Enter a valid date."),
        ({"milestone_date": "2024-12-31"}, "milestone_date", "before the relationship"),
        ({"status": "done"}, "status", "Select a valid choice."),
    ],
)
def test_bad_objective_input_is_refused_with_a_field_error(
    login, world, overrides, field, message
) -> None:
    response = post(login(world.alice), _create_url(world), _valid_data(**overrides))
    assert response.status_code == 200
    assert any(message in error for error in form_errors(response)[field])
    assert Objective.objects.count() == 0


def test_owner_from_another_relationship_is_refused(login, world) -> None:
    other = second_relationship(world)
    foreign_partner = other.partnerships.first()
    response = post(
        login(world.alice), _create_url(world), _valid_data(owner=foreign_partner.pk)
    )
    assert "Select a valid choice" in form_errors(response)["owner"][0]
    assert Objective.objects.count() == 0


def test_milestone_after_the_relationship_ends_is_refused(login, world) -> None:
    world.relationship.end_date = datetime.date(2025, 12, 31)
    world.relationship.save()
    response = post(
        login(world.alice), _create_url(world), _valid_data(milestone_date="2026-06-01")
    )
    assert "after the relationship ends" in form_errors(response)["milestone_date"][0]


def test_service_refuses_an_owner_of_another_relationship(world) -> None:
    other = second_relationship(world)
    with pytest.raises(ValidationError) as error:
        objective_create(
            relationship=world.relationship,
            values={
                "title": "Sneaky",
                "horizon": "short",
                "owner": other.partnerships.first(),
            },
        )
    assert "owner" in error.value.message_dict
    assert Objective.objects.count() == 0


# --- revisions --------------------------------------------------------------------


@pytest.fixture
def objective(world) -> Objective:
    return objective_create(
        relationship=world.relationship,
        values={
            "title": "Publish joint papers",
            "horizon": "long",
            "kpi_name": "Papers",
            "kpi_target": Decimal(4),
            "kpi_actual": Decimal(1),
            "status": "on_track",
        },
        created_by=world.alice,
    )


def _revision_data(objective: Objective, **overrides) -> dict:
    data = {
        "owner": objective.owner_id or "",
        "title": objective.title,
        "description": objective.description,
        "horizon": objective.horizon,
        "milestone_date": "",
        "status": objective.status,
        "kpi_name": objective.kpi_name,
        "kpi_unit": objective.kpi_unit,
        "kpi_target": objective.kpi_target,
        "kpi_actual": objective.kpi_actual,
        "reason": "Agreed at the March board",
        "revision": objective.revision,
    }
    data.update(overrides)
    return data


def test_revision_records_who_when_and_why(login, world, objective) -> None:
    response = post(
        login(world.bob),
        _url("objective_edit", objective),
        _revision_data(objective, kpi_target="6", reason="Funding for two more"),
    )
    assert response.status_code == 302
    objective.refresh_from_db()
    assert objective.kpi_target == Decimal(6)
    latest = objective.history.first()
    assert latest.history_type == "~"
    assert latest.history_user == world.bob
    assert latest.history_change_reason == "Funding for two more"


def test_revision_without_a_reason_is_refused_and_changes_nothing(
    login, world, objective
) -> None:
    response = post(
        login(world.alice),
        _url("objective_edit", objective),
        _revision_data(objective, title="Publish more papers", reason="  "),
    )
    assert response.status_code == 200
    assert form_errors(response)["reason"] == [
        "Say why the objective is being revised."
    ]
    objective.refresh_from_db()
    assert objective.title == "Publish joint papers"
    assert objective.history.count() == 1


def test_overlong_reason_is_refused(login, world, objective) -> None:
    response = post(
        login(world.alice),
        _url("objective_edit", objective),
        _revision_data(objective, title="New title", reason="x" * 101),
    )
    assert "at most 100 characters" in form_errors(response)["reason"][0]
    assert objective.history.count() == 1


def test_revision_that_changes_nothing_is_refused(login, world, objective) -> None:
    response = post(
        login(world.alice), _url("objective_edit", objective), _revision_data(objective)
    )
    assert form_errors(response)["__all__"] == [
        "Nothing was changed, so there is nothing to revise."
    ]
    assert objective.history.count() == 1


def test_failed_revision_keeps_the_stored_title_on_the_page(
    login, world, objective
) -> None:
    response = post(
        login(world.alice),
        _url("objective_edit", objective),
        _revision_data(objective, title="", reason="Because"),
    )
    assert response.context["objective"].title == "Publish joint papers"
    assert "Nothing was saved" in response.content.decode()


def test_service_refuses_a_revision_without_reason(objective) -> None:
    with pytest.raises(ValidationError) as error:
        objective_revise(
            objective=objective,
            changes={"title": "X"},
            reason="",
            expected_revision=objective.revision,
        )
    assert "reason" in error.value.message_dict


def test_detail_shows_the_revision_history_with_before_and_after(
    login, world, objective
) -> None:
    objective_revise(
        objective=objective,
        changes={"kpi_target": Decimal(6), "owner": world.partner},
        reason="Partner takes it over",
        expected_revision=1,
        revised_by=world.bob,
    )
    objective_revise(
        objective=objective,
        changes={"status": "at_risk"},
        reason="Reviewer shortage",
        expected_revision=2,
        revised_by=world.carol,
    )
    response = login(world.dave).get(_url("objective_detail", objective))
    revisions = response.context["revisions"]
    assert [revision.reason for revision in revisions] == [
        "Reviewer shortage",
        "Partner takes it over",
        "Objective recorded",
    ]
    assert [revision.who for revision in revisions] == [
        world.carol,
        world.bob,
        world.alice,
    ]
    changes = {
        change.label: (change.before, change.after) for change in revisions[1].changes
    }
    assert changes == {
        "KPI target": ("4", "6"),
        "Owner": ("Common", "Partner Org"),
    }
    assert [(c.label, c.before, c.after) for c in revisions[0].changes] == [
        ("Status", "On track", "At risk")
    ]
    page = response.content.decode()
    assert "Revision history" in page
    assert "Partner takes it over" in page
    assert "On track</del> → At risk" in page


def test_auditor_sees_no_revise_button(login, world, objective) -> None:
    page = login(world.dave).get(_url("objective_detail", objective)).content.decode()
    assert "Read-only access" in page
    assert _url("objective_edit", objective) not in page


def test_objective_of_another_relationship_is_404_under_this_one(login, world) -> None:
    other = second_relationship(world)
    foreign = ObjectiveFactory(relationship=other)
    url = reverse(
        "relationships:objective_detail",
        kwargs={"reference": world.relationship.reference, "pk": foreign.pk},
    )
    client = login(world.alice)
    assert client.get(url).status_code == 404
    assert client.get(f"{url}edit/").status_code == 404


def test_outsider_cannot_revise(login, world, objective) -> None:
    response = post(
        login(world.eve),
        _url("objective_edit", objective),
        _revision_data(objective, title="Hijacked"),
    )
    assert response.status_code == 404
    objective.refresh_from_db()
    assert objective.title == "Publish joint papers"


# --- the relationship's objectives page ------------------------------------------


def test_objectives_page_groups_common_and_each_partners_own(login, world) -> None:
    ObjectiveFactory(relationship=world.relationship, title="Shared", owner=None)
    ObjectiveFactory(relationship=world.relationship, title="Lead's", owner=world.lead)
    ObjectiveFactory(
        relationship=world.relationship, title="Partner's", owner=world.partner
    )
    ObjectiveFactory(relationship=second_relationship(world), title="Elsewhere")
    response = login(world.bob).get(
        reverse(
            "relationships:relationship_objectives",
            kwargs={"reference": world.relationship.reference},
        )
    )
    groups = response.context["groups"]
    assert [group.label for group in groups] == [
        "Common objectives",
        "Lead Org's own objectives",
        "Partner Org's own objectives",
    ]
    assert [[o.title for o in group.objectives] for group in groups] == [
        ["Shared"],
        ["Lead's"],
        ["Partner's"],
    ]
    assert "Elsewhere" not in response.content.decode()


def test_objectives_page_orders_by_horizon_and_flags_late_milestones(
    login, world
) -> None:
    ObjectiveFactory(relationship=world.relationship, title="Long", horizon="long")
    ObjectiveFactory(
        relationship=world.relationship,
        title="Late",
        horizon="short",
        milestone_date=datetime.date(2025, 3, 1),
    )
    ObjectiveFactory(
        relationship=world.relationship,
        title="Done late",
        horizon="medium",
        milestone_date=datetime.date(2025, 3, 1),
        status="achieved",
    )
    response = login(world.alice).get(
        reverse(
            "relationships:relationship_objectives",
            kwargs={"reference": world.relationship.reference},
        )
    )
    common = response.context["groups"][0].objectives
    assert [o.title for o in common] == ["Late", "Done late", "Long"]
    assert [o.milestone_overdue for o in common] == [True, False, False]
    assert response.content.decode().count(">overdue</span>") == 1


def test_objectives_page_query_count_does_not_grow(
    login, world, django_assert_num_queries
) -> None:
    client = login(world.alice)
    url = reverse(
        "relationships:relationship_objectives",
        kwargs={"reference": world.relationship.reference},
    )
    ObjectiveFactory.create_batch(5, relationship=world.relationship, owner=world.lead)
    with django_assert_num_queries(7) as few:
        client.get(url)
    ObjectiveFactory.create_batch(25, relationship=world.relationship, owner=None)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)
