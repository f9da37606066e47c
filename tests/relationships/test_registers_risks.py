"""Risk register: create and edit with validation, heat map, overdue reviews."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from relationships.models import Risk
from relationships.selectors.registers import risk_heat_map
from relationships.services.registers import risk_create
from tests.factories import ActionFactory, RiskFactory
from tests.relationships.factories_registers import (
    FUTURE,
    PAST,
    form_errors,
    post,
    second_relationship,
)

pytestmark = pytest.mark.django_db


def _register_url(world) -> str:
    return reverse(
        "relationships:relationship_risks",
        kwargs={"reference": world.relationship.reference},
    )


def _create_url(world) -> str:
    return reverse(
        "relationships:risk_create", kwargs={"reference": world.relationship.reference}
    )


def _url(name: str, risk: Risk) -> str:
    return reverse(
        f"relationships:{name}",
        kwargs={"reference": risk.relationship.reference, "pk": risk.pk},
    )


def _valid_data(world, **overrides) -> dict:
    data = {
        "owner_partnership": "",
        "title": "Key researcher leaves",
        "description": "",
        "likelihood": "2",
        "impact": "4",
        "mitigation": "Second supervisor named.",
        "owner": world.carol.pk,
        "review_date": FUTURE.isoformat(),
        "status": "open",
    }
    data.update(overrides)
    return data


def test_manager_records_a_joint_risk(login, world) -> None:
    response = post(login(world.alice), _create_url(world), _valid_data(world))
    risk = Risk.objects.get()
    assert response["Location"] == _url("risk_detail", risk)
    assert risk.is_joint
    assert (risk.likelihood, risk.impact, risk.score) == (2, 4, 8)
    assert risk.owner == world.carol
    assert risk.history.get().history_user == world.alice


def test_partner_records_its_own_risk_owned_by_its_manager(login, world) -> None:
    post(
        login(world.bob),
        _create_url(world),
        _valid_data(world, owner_partnership=world.partner.pk, owner=world.bob.pk),
    )
    risk = Risk.objects.get()
    assert risk.owner_partnership == world.partner
    assert risk.owner == world.bob


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"likelihood": "0"}, "likelihood", "Choose the likelihood, from 1 to 5."),
        ({"likelihood": "6"}, "likelihood", "Choose the likelihood, from 1 to 5."),
        ({"likelihood": "high"}, "likelihood", "Choose the likelihood, from 1 to 5."),
        ({"likelihood": ""}, "likelihood", "Choose the likelihood, from 1 to 5."),
        ({"impact": "-1"}, "impact", "Choose the impact, from 1 to 5."),
        ({"impact": "99"}, "impact", "Choose the impact, from 1 to 5."),
        ({"title": ""}, "title", "This field is required."),
        ({"title": "r" * 201}, "title", "at most 200 characters"),
        ({"mitigation": "m" * 5001}, "mitigation", "at most 5000 characters"),
        ({"review_date": "2024-06-01"}, "review_date", "before the relationship"),
        ({"review_date": "soon"}, "review_date", "Enter a valid date."),
        ({"status": "forgotten"}, "status", "Select a valid choice."),
    ],
)
def test_bad_risk_input_is_refused_with_a_field_error(
    login, world, overrides, field, message
) -> None:
    response = post(
        login(world.alice), _create_url(world), _valid_data(world, **overrides)
    )
    assert response.status_code == 200
    assert any(message in error for error in form_errors(response)[field])
    assert Risk.objects.count() == 0


@pytest.mark.parametrize("persona", ["eve", "dave"])
def test_owner_must_be_a_working_member_of_a_partner(login, world, persona) -> None:
    owner = world.persona(persona)
    response = post(
        login(world.alice), _create_url(world), _valid_data(world, owner=owner.pk)
    )
    assert "Select a valid choice" in form_errors(response)["owner"][0]
    assert Risk.objects.count() == 0


def test_owner_choices_are_the_partners_working_members(login, world) -> None:
    response = login(world.alice).get(_create_url(world))
    offered = set(response.context["form"].fields["owner"].queryset)
    assert offered == {world.alice, world.bob, world.carol}


def test_service_refuses_an_owner_outside_the_partners(world) -> None:
    with pytest.raises(ValidationError) as error:
        risk_create(
            relationship=world.relationship,
            values={"title": "X", "likelihood": 1, "impact": 1, "owner": world.eve},
        )
    assert "owner" in error.value.message_dict
    assert Risk.objects.count() == 0


def test_service_refuses_a_partner_of_another_relationship(world) -> None:
    other = second_relationship(world)
    with pytest.raises(ValidationError) as error:
        risk_create(
            relationship=world.relationship,
            values={
                "title": "X",
                "likelihood": 1,
                "impact": 1,
                "owner_partnership": other.partnerships.first(),
            },
        )
    assert "owner_partnership" in error.value.message_dict


def test_service_refuses_a_likelihood_outside_the_scale(world) -> None:
    with pytest.raises(ValidationError):
        risk_create(
            relationship=world.relationship,
            values={"title": "X", "likelihood": 6, "impact": 1},
        )
    assert Risk.objects.count() == 0


def test_edit_saves_changes_and_refuses_bad_ones_without_saving(login, world) -> None:
    risk = RiskFactory(relationship=world.relationship, title="Cash gap", impact=2)
    client = login(world.bob)
    refused = post(
        client,
        _url("risk_edit", risk),
        _valid_data(world, title="Cash gap", impact="7", likelihood="5", revision=1),
    )
    assert refused.status_code == 200
    risk.refresh_from_db()
    assert (risk.likelihood, risk.impact) == (3, 2)
    saved = post(
        client,
        _url("risk_edit", risk),
        _valid_data(
            world, title="Cash gap", impact="5", status="mitigating", revision=1
        ),
    )
    assert saved.status_code == 302
    risk.refresh_from_db()
    assert (risk.likelihood, risk.impact, risk.status) == (2, 5, "mitigating")
    assert risk.history.first().history_user == world.bob


def test_risk_of_another_relationship_is_404_under_this_one(login, world) -> None:
    foreign = RiskFactory(relationship=second_relationship(world))
    url = reverse(
        "relationships:risk_edit",
        kwargs={"reference": world.relationship.reference, "pk": foreign.pk},
    )
    assert login(world.alice).get(url).status_code == 404


# --- heat map -----------------------------------------------------------------------


def _cell(heat_map, likelihood: int, impact: int):
    row = next(row for row in heat_map.rows if row.likelihood == likelihood)
    return row.cells[impact - 1]


def test_heat_map_counts_open_risks_per_cell(world) -> None:
    relationship = world.relationship
    RiskFactory.create_batch(2, relationship=relationship, likelihood=4, impact=5)
    RiskFactory(relationship=relationship, likelihood=4, impact=5, status="mitigating")
    RiskFactory(relationship=relationship, likelihood=4, impact=5, status="closed")
    RiskFactory(relationship=relationship, likelihood=1, impact=1, status="accepted")
    RiskFactory(relationship=relationship, likelihood=1, impact=2)
    RiskFactory(relationship=second_relationship(world), likelihood=4, impact=5)
    heat_map = risk_heat_map(risks=Risk.objects.filter(relationship=relationship))
    assert _cell(heat_map, 4, 5).count == 3
    assert _cell(heat_map, 1, 1).count == 0
    assert _cell(heat_map, 1, 2).count == 1
    assert heat_map.total_open == 4
    assert [row.likelihood for row in heat_map.rows] == [5, 4, 3, 2, 1]
    assert sum(cell.count for row in heat_map.rows for cell in row.cells) == 4
    assert [(c.likelihood, c.impact, c.count) for c in heat_map.occupied_cells] == [
        (4, 5, 3),
        (1, 2, 1),
    ]


@pytest.mark.parametrize(
    ("likelihood", "impact", "band"),
    [
        (1, 1, "low"),
        (2, 2, "low"),
        (1, 5, "medium"),
        (3, 3, "medium"),
        (2, 5, "high"),
        (3, 4, "high"),
        (3, 5, "very-high"),
        (5, 5, "very-high"),
    ],
)
def test_heat_map_cells_are_banded_by_score(world, likelihood, impact, band) -> None:
    heat_map = risk_heat_map(risks=Risk.objects.none())
    assert _cell(heat_map, likelihood, impact).band == band


def test_register_page_renders_heat_map_cells_that_link_to_the_filtered_list(
    login, world
) -> None:
    RiskFactory(relationship=world.relationship, title="Big", likelihood=4, impact=5)
    RiskFactory(relationship=world.relationship, title="Small", likelihood=1, impact=2)
    client = login(world.dave)
    page = client.get(_register_url(world)).content.decode()
    link = "?likelihood=4&amp;impact=5&amp;status=active#risk-table"
    assert (
        f'<a href="{link}" aria-label="1 open risk with likelihood 4 and impact 5'
        in page
    )
    assert 'class="heat-very-high' in page
    assert "The heat map as a list (2 open risks)" in page
    filtered = client.get(
        _register_url(world), {"likelihood": 4, "impact": 5, "status": "active"}
    )
    assert [risk.title for risk in filtered.context["risks"]] == ["Big"]
    assert "Showing risks with likelihood 4 and impact 5." in filtered.content.decode()


def test_register_page_flags_overdue_reviews_and_counts_them(login, world) -> None:
    RiskFactory(relationship=world.relationship, title="Late", review_date=PAST)
    RiskFactory(
        relationship=world.relationship,
        title="Closed late",
        review_date=PAST,
        status="closed",
    )
    RiskFactory(relationship=world.relationship, title="On time", review_date=FUTURE)
    response = login(world.alice).get(_register_url(world))
    summary = response.context["summary"]
    assert (summary.total, summary.open, summary.reviews_overdue) == (3, 2, 1)
    assert response.content.decode().count(">review overdue</span>") == 1
    risks = {risk.title: risk.review_overdue for risk in response.context["risks"]}
    assert risks == {"Late": True, "Closed late": False, "On time": False}


def test_register_page_lists_only_this_relationships_risks(login, world) -> None:
    RiskFactory(relationship=world.relationship, title="Ours")
    RiskFactory(relationship=second_relationship(world), title="Theirs")
    RiskFactory(relationship=world.outsider_relationship, title="Outsider's")
    response = login(world.alice).get(_register_url(world))
    assert [risk.title for risk in response.context["risks"]] == ["Ours"]


def test_register_page_query_count_does_not_grow(
    login, world, django_assert_num_queries
) -> None:
    client = login(world.alice)
    RiskFactory.create_batch(
        5,
        relationship=world.relationship,
        owner=world.bob,
        owner_partnership=world.lead,
    )
    with django_assert_num_queries(9) as few:
        client.get(_register_url(world))
    RiskFactory.create_batch(
        25, relationship=world.relationship, owner=world.carol, likelihood=5
    )
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(_register_url(world))


def test_detail_shows_scores_and_linked_actions(login, world) -> None:
    risk = RiskFactory(
        relationship=world.relationship, title="IP dispute", likelihood=4, impact=4
    )
    ActionFactory(relationship=world.relationship, risk=risk, title="Agree IP terms")
    page = login(world.bob).get(_url("risk_detail", risk)).content.decode()
    assert "4 – Likely" in page
    assert "4 × 4 = 16" in page
    assert "Agree IP terms" in page
    assert f"?risk={risk.pk}" in page
