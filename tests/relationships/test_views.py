import datetime
import re

import pytest
from django.urls import reverse

from assessments.choices import AssessmentKind
from relationships.choices import OrganisationKind, RelationshipKind
from tests.factories import (
    ActionFactory,
    AssessmentFactory,
    ObjectiveFactory,
    OrganisationFactory,
    PartnershipFactory,
    PlanFactory,
    PlanVersionFactory,
    RelationshipFactory,
    RiskFactory,
    rate_all_principles,
)

pytestmark = pytest.mark.django_db
LIST_URL = reverse("relationships:list")


def _titles(response) -> list[str]:
    return [relationship.title for relationship in response.context["relationships"]]


@pytest.fixture
def portfolio(world):
    """Three more relationships of alice's organisation, with different attributes."""
    university = OrganisationFactory(
        name="Northbridge University", kind=OrganisationKind.UNIVERSITY
    )
    ubc = RelationshipFactory(
        title="Sensor research",
        reference="sensor-research",
        kind=RelationshipKind.UNIVERSITY_BUSINESS,
        description="Joint doctoral projects on optical sensors.",
        status="on_hold",
    )
    supply = RelationshipFactory(
        title="Supplier programme",
        reference="supplier-programme",
        kind=RelationshipKind.LARGE_MSME,
        stage=world.relationship.stage.__class__.objects.get(number=7),
    )
    for relationship in (ubc, supply):
        PartnershipFactory(
            relationship=relationship, organisation=world.lead.organisation
        )
    PartnershipFactory(relationship=ubc, organisation=university)
    return {"ubc": ubc, "supply": supply, "university": university}


def test_list_shows_only_visible_relationships(login, world, portfolio) -> None:
    response = login(world.alice).get(LIST_URL)
    assert _titles(response) == [
        "Joint venture",
        "Sensor research",
        "Supplier programme",
    ]
    assert b"Outsider deal" not in response.content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "university_business"}, ["Sensor research"]),
        ({"status": "on_hold"}, ["Sensor research"]),
        ({"q": "optical"}, ["Sensor research"]),
        ({"q": "northbridge"}, ["Sensor research"]),
        ({"q": "SUPPLIER"}, ["Supplier programme"]),
        ({"kind": "general", "status": "active"}, ["Joint venture"]),
    ],
)
def test_list_filters(login, world, portfolio, query, expected) -> None:
    response = login(world.alice).get(LIST_URL, query)
    assert _titles(response) == expected


def test_list_filters_by_stage(login, world, portfolio) -> None:
    stage = portfolio["supply"].stage
    response = login(world.alice).get(LIST_URL, {"stage": stage.pk})
    assert _titles(response) == ["Supplier programme"]


def test_list_filters_by_partner_name(login, world, portfolio) -> None:
    client = login(world.alice)
    name = portfolio["university"].name
    response = client.get(LIST_URL, {"partner": name.upper()})
    assert _titles(response) == ["Sensor research"]


def test_filtering_by_an_invisible_partner_reveals_nothing(login, world) -> None:
    response = login(world.alice).get(
        LIST_URL, {"partner": world.outsider_organisation.name}
    )
    assert response.status_code == 200
    assert b"Outsider deal" not in response.content
    assert _titles(response) == []


def test_list_empty_state_for_a_user_without_relationships(login, world) -> None:
    from tests.factories import UserFactory

    response = login(UserFactory(username="newcomer")).get(LIST_URL)
    assert b"You are not a partner in any relationship yet" in response.content


def test_list_query_count_does_not_grow_with_relationships(
    login, world, django_assert_num_queries
) -> None:
    client = login(world.alice)
    # Among them: may the user start a relationship, and the invitations to
    # join that the user answers for (one query each).
    with django_assert_num_queries(8) as small:
        client.get(LIST_URL)
    for number in range(20):
        relationship = RelationshipFactory(title=f"Extra {number}")
        PartnershipFactory(
            relationship=relationship, organisation=world.lead.organisation
        )
        PartnershipFactory(relationship=relationship)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(LIST_URL)


def test_detail_shows_partners_plan_registers_and_latest_ratings(login, world) -> None:
    relationship = world.relationship
    plan = PlanFactory(relationship=relationship)
    PlanVersionFactory(
        plan=plan,
        number=1,
        status="approved",
        approved_at=datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC),
    )
    PlanVersionFactory(plan=plan, number=2, status="submitted")
    ObjectiveFactory(relationship=relationship, title="Halve lead time")
    RiskFactory(relationship=relationship, title="Key person leaves", likelihood=4)
    ActionFactory(
        relationship=relationship,
        title="Agree escalation path",
        due_date=datetime.date(2020, 1, 1),
    )
    joint = AssessmentFactory(relationship=relationship)
    rate_all_principles(joint, [3] * 11 + [1])
    own = AssessmentFactory(
        relationship=relationship, kind=AssessmentKind.SELF, partnership=world.partner
    )
    rate_all_principles(own, [5] * 12)
    hidden_draft = AssessmentFactory(
        relationship=relationship,
        kind=AssessmentKind.SELF,
        partnership=world.lead,
        status="draft",
    )
    rate_all_principles(hidden_draft, [2] * 12)

    response = login(world.bob).get(relationship.get_absolute_url())

    content = response.content.decode()
    assert "Lead Org" in content and "Partner Org" in content
    assert "version 2" in content and "Awaiting sign-off" in content
    assert "Last approved: version 1" in content
    assert "Halve lead time" in content
    assert "Key person leaves" in content and "4×3" in content
    assert "Agree escalation path" in content and "overdue" in content
    table = response.context["rating_table"]
    assert table.period_label == "2026-Q1"
    assert table.columns == ["Joint", "Partner Org (self)"]
    assert [cell.level for cell in table.rows[11].cells] == [1, 5]
    assert table.rows[11].cells[0].rag == "red"
    assert "Exit strategy" in content


def test_detail_empty_states(login, world) -> None:
    response = login(world.alice).get(world.relationship.get_absolute_url())
    content = response.content.decode()
    assert "No plan drafted yet." in content
    assert "No joint assessment has been submitted yet." in content
    assert "The risk register is empty." in content
    assert "Edit details" in content


def test_auditor_sees_read_only_badge_and_no_edit_link(login, world) -> None:
    response = login(world.dave).get(world.relationship.get_absolute_url())
    assert b"Read-only access" in response.content
    assert b"Edit details" not in response.content


def test_edit_saves_and_confirms(login, world) -> None:
    url = reverse("relationships:edit", kwargs={"reference": "joint-venture"})
    response = login(world.bob).post(
        url,
        {
            "title": "Joint venture II",
            "status": "active",
            "start_date": "2025-01-01",
            "revision": 1,
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == world.relationship.get_absolute_url()
    assert b"Relationship details saved." in response.content
    world.relationship.refresh_from_db()
    assert world.relationship.title == "Joint venture II"


def _input_value(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, f"no input {name}"
    value = re.search(r'value="([^"]*)"', match[0])
    return value[1] if value else ""


def test_edit_shows_the_dates_to_the_date_picker_and_an_unchanged_save_keeps_them(
    login, world
) -> None:
    world.relationship.start_date = datetime.date(2024, 12, 1)
    world.relationship.end_date = datetime.date(2027, 11, 30)
    world.relationship.save()
    url = reverse("relationships:edit", kwargs={"reference": "joint-venture"})
    client = login(world.bob)

    html = client.get(url).content.decode()
    # A browser's date input reads ISO dates only; anything else shows empty and
    # is sent back empty.
    posted = {
        name: _input_value(html, name)
        for name in ("title", "start_date", "end_date", "revision")
    }
    assert posted["start_date"] == "2024-12-01"
    assert posted["end_date"] == "2027-11-30"
    client.post(url, {**posted, "status": world.relationship.status}, follow=True)

    world.relationship.refresh_from_db()
    assert world.relationship.start_date == datetime.date(2024, 12, 1)
    assert world.relationship.end_date == datetime.date(2027, 11, 30)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {
                "title": "X",
                "status": "active",
                "start_date": "2026-05-01",
                "end_date": "2026-01-01",
            },
            "end_date",
            "cannot be before",
        ),
        ({"title": "", "status": "active"}, "title", "required"),
        ({"title": "X" * 201, "status": "active"}, "title", "at most 200"),
        ({"title": "X", "status": "exploded"}, "status", "valid choice"),
        (
            {"title": "X", "status": "active", "start_date": "31/31/2026"},
            "start_date",
            "valid date",
        ),
    ],
)
def test_edit_rejects_bad_input_and_changes_nothing(
    login, world, data, field, message
) -> None:
    url = reverse("relationships:edit", kwargs={"reference": "joint-venture"})
    response = login(world.alice).post(url, data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert b"Nothing was saved" in response.content
    world.relationship.refresh_from_db()
    assert world.relationship.title == "Joint venture"


def test_a_visitor_sent_to_the_login_page_is_told_why(client) -> None:
    response = client.get(reverse("relationships:list"), follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "Please log in to see that page." in response.content.decode()
    direct = client.get(reverse("login")).content.decode()
    assert "Please log in to see that page." not in direct
