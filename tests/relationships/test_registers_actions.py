"""Actions: create and edit with validation, mark done, reopen, overdue flags."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from relationships.models import Action
from relationships.services.registers import action_create, action_mark_done
from tests.factories import ActionFactory, RiskFactory
from tests.relationships.factories_registers import (
    FUTURE,
    PAST,
    form_errors,
    post,
    second_relationship,
)

pytestmark = pytest.mark.django_db


def _create_url(world) -> str:
    return reverse(
        "relationships:action_create",
        kwargs={"reference": world.relationship.reference},
    )


def _url(name: str, action: Action) -> str:
    return reverse(
        f"relationships:{name}",
        kwargs={"reference": action.relationship.reference, "pk": action.pk},
    )


def _valid_data(world, **overrides) -> dict:
    data = {
        "title": "Agree an escalation path",
        "description": "",
        "owner": world.bob.pk,
        "due_date": FUTURE.isoformat(),
        "status": "open",
        "source": "meeting",
        "principle_key": "governance_processes",
        "risk": "",
    }
    data.update(overrides)
    return data


def test_manager_adds_an_action_linked_to_a_principle_and_a_risk(login, world) -> None:
    risk = RiskFactory(relationship=world.relationship)
    response = post(
        login(world.alice), _create_url(world), _valid_data(world, risk=risk.pk)
    )
    action = Action.objects.get()
    assert response["Location"] == _url("action_detail", action)
    assert action.principle_key == "governance_processes"
    assert action.risk == risk
    assert action.owner == world.bob
    assert action.completed_at is None


def test_risk_page_link_prefills_the_risk(login, world) -> None:
    risk = RiskFactory(relationship=world.relationship)
    response = login(world.alice).get(_create_url(world), {"risk": risk.pk})
    assert response.context["form"]["risk"].value() == risk.pk
    assert response.context["form"]["source"].value() == "risk"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"title": "a" * 201}, "title", "at most 200 characters"),
        ({"description": "d" * 5001}, "description", "at most 5000 characters"),
        ({"due_date": "2024-12-31"}, "due_date", "before the relationship started"),
        ({"due_date": "2026-13-45"}, "due_date", "Enter a valid date."),
        ({"principle_key": "world_peace"}, "principle_key", "Select a valid choice."),
        ({"source": ""}, "source", "This field is required."),
        ({"risk": "999999"}, "risk", "Select a valid choice."),
        ({"owner": "abc"}, "owner", "Select a valid choice."),
    ],
)
def test_bad_action_input_is_refused_with_a_field_error(
    login, world, overrides, field, message
) -> None:
    response = post(
        login(world.alice), _create_url(world), _valid_data(world, **overrides)
    )
    assert response.status_code == 200
    assert any(message in error for error in form_errors(response)[field])
    assert Action.objects.count() == 0


def test_risk_of_another_relationship_cannot_be_linked(login, world) -> None:
    foreign_risk = RiskFactory(relationship=second_relationship(world))
    response = post(
        login(world.alice), _create_url(world), _valid_data(world, risk=foreign_risk.pk)
    )
    assert "Select a valid choice" in form_errors(response)["risk"][0]
    assert Action.objects.count() == 0


def test_service_refuses_a_risk_of_another_relationship(world) -> None:
    foreign_risk = RiskFactory(relationship=second_relationship(world))
    with pytest.raises(ValidationError) as error:
        action_create(
            relationship=world.relationship,
            values={"title": "X", "risk": foreign_risk},
        )
    assert error.value.message_dict["risk"] == [
        "Choose a risk from this relationship's own register."
    ]
    assert Action.objects.count() == 0


@pytest.mark.parametrize("persona", ["eve", "dave"])
def test_owner_must_be_a_working_member_of_a_partner(login, world, persona) -> None:
    response = post(
        login(world.alice),
        _create_url(world),
        _valid_data(world, owner=world.persona(persona).pk),
    )
    assert "Select a valid choice" in form_errors(response)["owner"][0]


def test_service_refuses_an_outsider_as_owner(world) -> None:
    with pytest.raises(ValidationError) as error:
        action_create(
            relationship=world.relationship, values={"title": "X", "owner": world.eve}
        )
    assert "owner" in error.value.message_dict


def test_action_created_done_is_stamped(world) -> None:
    action = action_create(
        relationship=world.relationship, values={"title": "X", "status": "done"}
    )
    assert action.completed_at is not None


# --- done and reopened ------------------------------------------------------------


def test_mark_done_stamps_completion_and_returns_to_the_list(login, world) -> None:
    action = ActionFactory(relationship=world.relationship, owner=world.bob)
    list_url = reverse("relationships:action_list") + "?status=active"
    response = login(world.carol).post(
        _url("action_done", action),
        {"next": list_url, "revision": action.revision},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == list_url
    assert f"Action “{action.title}” marked done." in response.content.decode()
    action.refresh_from_db()
    assert action.status == "done"
    assert action.completed_at is not None
    record = action.history.first()
    assert (record.history_user, record.status) == (world.carol, "done")


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "list", "", "a b"]
)
def test_mark_done_ignores_a_next_that_is_not_a_path_here(
    login, world, next_url: str
) -> None:
    action = ActionFactory(relationship=world.relationship)
    response = login(world.alice).post(
        _url("action_done", action), {"next": next_url, "revision": action.revision}
    )
    assert response.status_code == 302
    assert response["Location"] == _url("action_detail", action)
    action.refresh_from_db()
    assert action.status == "done"


def test_mark_done_twice_keeps_the_first_completion_time(login, world) -> None:
    action = ActionFactory(relationship=world.relationship)
    client = login(world.alice)
    opened = {"revision": action.revision}
    client.post(_url("action_done", action), opened)
    action.refresh_from_db()
    first = action.completed_at
    response = client.post(_url("action_done", action), opened, follow=True)
    assert "was already done" in response.content.decode()
    action.refresh_from_db()
    assert action.completed_at == first


def test_cancelled_action_cannot_be_marked_done(login, world) -> None:
    action = ActionFactory(relationship=world.relationship, status="cancelled")
    response = login(world.alice).post(
        _url("action_done", action), {"revision": action.revision}, follow=True
    )
    assert "cannot be marked done" in response.content.decode()
    action.refresh_from_db()
    assert (action.status, action.completed_at) == ("cancelled", None)


def test_mark_done_asks_for_confirmation_on_get(login, world) -> None:
    action = ActionFactory(relationship=world.relationship, title="Book the room")
    response = login(world.alice).get(_url("action_done", action))
    assert response.status_code == 200
    assert "Mark this action done?" in response.content.decode()
    action.refresh_from_db()
    assert action.status == "open"


def test_auditor_cannot_mark_done(login, world) -> None:
    action = ActionFactory(relationship=world.relationship)
    response = login(world.dave).post(_url("action_done", action))
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.status == "open"


def test_reopening_clears_the_completion_time(login, world) -> None:
    action = ActionFactory(relationship=world.relationship)
    action_mark_done(action=action, expected_revision=action.revision)
    response = post(
        login(world.alice),
        _url("action_edit", action),
        _valid_data(
            world, title=action.title, status="in_progress", revision=action.revision
        ),
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.completed_at) == ("in_progress", None)


def test_edit_refuses_bad_input_and_changes_nothing(login, world) -> None:
    action = ActionFactory(relationship=world.relationship, title="Original")
    response = post(
        login(world.alice),
        _url("action_edit", action),
        _valid_data(world, title="Changed", due_date="2020-01-01"),
    )
    assert response.status_code == 200
    assert "Nothing was saved" in response.content.decode()
    assert response.context["action"].title == "Original"
    action.refresh_from_db()
    assert action.title == "Original"
    assert action.history.count() == 1


def test_action_of_another_relationship_is_404_under_this_one(login, world) -> None:
    foreign = ActionFactory(relationship=second_relationship(world))
    client = login(world.alice)
    for name in ("action_detail", "action_edit", "action_done"):
        url = reverse(
            f"relationships:{name}",
            kwargs={"reference": world.relationship.reference, "pk": foreign.pk},
        )
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == "open"


# --- the relationship's actions page -------------------------------------------------


def test_actions_page_flags_overdue_and_offers_mark_done_to_editors(
    login, world
) -> None:
    ActionFactory(relationship=world.relationship, title="Late", due_date=PAST)
    ActionFactory(
        relationship=world.relationship, title="Done late", due_date=PAST, status="done"
    )
    ActionFactory(relationship=world.relationship, title="Later", due_date=FUTURE)
    url = reverse(
        "relationships:relationship_actions",
        kwargs={"reference": world.relationship.reference},
    )
    page = login(world.alice).get(url).content.decode()
    assert page.count(">overdue</span>") == 1
    assert page.count(">Mark done</button>") == 2
    auditor_page = login(world.dave).get(url).content.decode()
    assert ">Mark done</button>" not in auditor_page


def test_actions_page_query_count_does_not_grow(
    login, world, django_assert_num_queries
) -> None:
    client = login(world.alice)
    url = reverse(
        "relationships:relationship_actions",
        kwargs={"reference": world.relationship.reference},
    )
    risk = RiskFactory(relationship=world.relationship)
    ActionFactory.create_batch(
        5, relationship=world.relationship, owner=world.bob, risk=risk
    )
    with django_assert_num_queries(7) as few:
        client.get(url)
    ActionFactory.create_batch(
        25, relationship=world.relationship, owner=world.carol, due_date=PAST
    )
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)
