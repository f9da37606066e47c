"""The registers across relationships: scoping, each filter, CSV, query counts."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.urls import reverse

from assessments.receivers import summaries_refresh_noted
from relationships.exports import csv_safe
from relationships.models import Action, Relationship
from tests.factories import ActionFactory, ObjectiveFactory, RiskFactory
from tests.relationships.factories_registers import (
    FUTURE,
    PAST,
    csv_rows,
    second_relationship,
)

pytestmark = pytest.mark.django_db

OBJECTIVES = reverse("relationships:objective_list")
RISKS = reverse("relationships:risk_list")
ACTIONS = reverse("relationships:action_list")


@dataclass
class Registers:
    research: Relationship


@pytest.fixture
def registers(world) -> Registers:
    """Rows in the world's relationship, a second one of alice's, and the outsider's."""
    joint = world.relationship
    research = second_relationship(world)
    research_lead = research.partnerships.get(organisation=world.lead.organisation)

    ObjectiveFactory(
        relationship=joint,
        title="Common goal",
        horizon="short",
        status="on_track",
        milestone_date=PAST,
    )
    ObjectiveFactory(
        relationship=joint,
        owner=world.lead,
        title="Lead goal",
        description="Build optical sensors.",
        horizon="medium",
        status="at_risk",
        milestone_date=FUTURE,
    )
    ObjectiveFactory(
        relationship=joint,
        owner=world.partner,
        title="Partner goal",
        horizon="long",
        status="achieved",
        milestone_date=PAST,
    )
    ObjectiveFactory(
        relationship=research,
        owner=research_lead,
        title="Research goal",
        horizon="short",
        status="not_started",
    )
    ObjectiveFactory(
        relationship=world.outsider_relationship, title="Outsider objective"
    )

    joint_big = RiskFactory(
        relationship=joint,
        title="Joint big",
        likelihood=5,
        impact=5,
        owner=world.carol,
        review_date=PAST,
    )
    RiskFactory(
        relationship=joint,
        owner_partnership=world.lead,
        title="Lead medium",
        likelihood=2,
        impact=3,
        status="mitigating",
        owner=world.alice,
        review_date=FUTURE,
    )
    RiskFactory(
        relationship=joint,
        owner_partnership=world.partner,
        title="Partner closed",
        likelihood=4,
        impact=4,
        status="closed",
        owner=world.bob,
        review_date=PAST,
    )
    RiskFactory(
        relationship=research,
        title="Research risk",
        description="A patent dispute.",
        likelihood=1,
        impact=1,
    )
    RiskFactory(relationship=world.outsider_relationship, title="Outsider risk")

    ActionFactory(
        relationship=joint,
        title="Late action",
        owner=world.bob,
        due_date=PAST,
        principle_key="governance_processes",
        source="meeting",
    )
    ActionFactory(
        relationship=joint,
        title="Done action",
        owner=world.alice,
        due_date=PAST,
        status="done",
        principle_key="exit_strategy",
        source="review",
    )
    ActionFactory(
        relationship=joint,
        title="Risk action",
        owner=world.carol,
        due_date=FUTURE,
        status="in_progress",
        risk=joint_big,
        source="risk",
    )
    ActionFactory(
        relationship=research,
        title="Research action",
        description="Find a second supervisor.",
    )
    ActionFactory(relationship=world.outsider_relationship, title="Outsider action")
    return Registers(research=research)


def _table_rows(response) -> str:
    return response.content.decode().split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def _titles(response, name: str) -> set[str]:
    return {row.title for row in response.context[name]}


# --- scoping --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "name", "alice_sees", "bob_sees"),
    [
        (
            OBJECTIVES,
            "objectives",
            {"Common goal", "Lead goal", "Partner goal", "Research goal"},
            {"Common goal", "Lead goal", "Partner goal"},
        ),
        (
            RISKS,
            "risks",
            {"Joint big", "Lead medium", "Partner closed", "Research risk"},
            {"Joint big", "Lead medium", "Partner closed"},
        ),
        (
            ACTIONS,
            "actions",
            {"Late action", "Done action", "Risk action", "Research action"},
            {"Late action", "Done action", "Risk action"},
        ),
    ],
)
def test_lists_show_only_rows_of_the_users_relationships(
    login, world, registers, url, name, alice_sees, bob_sees
) -> None:
    assert _titles(login(world.alice).get(url), name) == alice_sees
    assert _titles(login(world.bob).get(url), name) == bob_sees
    assert _titles(login(world.dave).get(url), name) == bob_sees
    eve_response = login(world.eve).get(url)
    assert _titles(eve_response, name) == {f"Outsider {name[:-1]}"}
    assert world.relationship.title not in eve_response.content.decode()


@pytest.mark.parametrize("url", [OBJECTIVES, RISKS, ACTIONS])
def test_filtering_by_an_invisible_relationship_reveals_nothing(
    login, world, registers, url
) -> None:
    response = login(world.eve).get(url, {"relationship": world.relationship.reference})
    assert response.status_code == 200
    assert "Nothing matches these filters." in response.content.decode()
    assert "Common goal" not in response.content.decode()
    assert "Joint big" not in response.content.decode()
    assert response.context["page_obj"].paginator.count == 0


def test_relationship_filter_finds_nothing_outside_what_the_user_sees(
    login, world, registers
) -> None:
    client = login(world.alice)
    outsider = world.outsider_relationship

    by_reference = client.get(RISKS, {"relationship": outsider.reference})
    by_title = client.get(OBJECTIVES, {"relationship": outsider.title})

    assert _titles(by_reference, "risks") == set()
    assert _titles(by_title, "objectives") == set()


def test_owner_filter_finds_nobody_outside_what_the_user_sees(
    login, world, registers
) -> None:
    # A name no Faker-made owner of bob's rows can share ("eve" could: Steven).
    world.eve.first_name, world.eve.last_name = "Zephyrine", "Outsider"
    world.eve.save()
    Action.objects.filter(title="Outsider action").update(owner=world.eve)
    eve_sees = login(world.eve).get(ACTIONS, {"owner": "Zephyrine"})
    assert _titles(eve_sees, "actions") == {"Outsider action"}
    response = login(world.bob).get(ACTIONS, {"owner": "Zephyrine"})
    assert _titles(response, "actions") == set()


def test_filters_are_search_boxes_not_lists_of_everyone(
    login, world, registers
) -> None:
    """Relationship, partner and owner are typed, so the form does not list every
    relationship, organisation or person of a large portfolio."""
    html = login(world.alice).get(RISKS).content.decode()
    form = html.split('aria-label="Filter"', 1)[1].split("</form>", 1)[0]
    for name in ("relationship", "partner", "owner"):
        assert f'type="search" name="{name}"' in form
    assert world.partner.organisation.name not in form


# --- each filter ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "OPTICAL"}, {"Lead goal"}),
        ({"q": "sensor research"}, {"Research goal"}),
        (
            {"relationship": "joint-venture"},
            {"Common goal", "Lead goal", "Partner goal"},
        ),
        ({"relationship": "sensor-research"}, {"Research goal"}),
        ({"whose": "common"}, {"Common goal"}),
        ({"whose": "partner"}, {"Lead goal", "Partner goal", "Research goal"}),
        ({"relationship": "venture"}, {"Common goal", "Lead goal", "Partner goal"}),
        ({"relationship": "SENSOR research"}, {"Research goal"}),
        ({"horizon": "short"}, {"Common goal", "Research goal"}),
        ({"horizon": "long"}, {"Partner goal"}),
        ({"status": "at_risk"}, {"Lead goal"}),
        ({"overdue": "true"}, {"Common goal"}),
        ({"overdue": "false"}, {"Lead goal", "Partner goal", "Research goal"}),
        ({"horizon": "short", "relationship": "joint-venture"}, {"Common goal"}),
    ],
)
def test_objective_filters(login, world, registers, query, expected) -> None:
    response = login(world.alice).get(OBJECTIVES, query)
    assert _titles(response, "objectives") == expected


def test_objective_filter_by_partner_organisation(login, world, registers) -> None:
    response = login(world.alice).get(OBJECTIVES, {"partner": "lead"})
    assert _titles(response, "objectives") == {"Lead goal", "Research goal"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "patent"}, {"Research risk"}),
        ({"q": "BIG"}, {"Joint big"}),
        ({"relationship": "sensor-research"}, {"Research risk"}),
        ({"whose": "joint"}, {"Joint big", "Research risk"}),
        ({"status": "active"}, {"Joint big", "Lead medium", "Research risk"}),
        ({"status": "closed"}, {"Partner closed"}),
        ({"status": "mitigating"}, {"Lead medium"}),
        ({"min_score": "10"}, {"Joint big", "Partner closed"}),
        ({"min_score": "6"}, {"Joint big", "Partner closed", "Lead medium"}),
        ({"likelihood": "5"}, {"Joint big"}),
        ({"impact": "3"}, {"Lead medium"}),
        ({"likelihood": "4", "impact": "4"}, {"Partner closed"}),
        ({"overdue": "true"}, {"Joint big"}),
        ({"overdue": "false"}, {"Lead medium", "Partner closed", "Research risk"}),
    ],
)
def test_risk_filters(login, world, registers, query, expected) -> None:
    response = login(world.alice).get(RISKS, query)
    assert _titles(response, "risks") == expected


def test_risk_filters_by_partner_and_owner(login, world, registers) -> None:
    # Names no Faker-made owner can share ("carol" could: Caroline).
    world.carol.first_name, world.carol.last_name = "Quillon", "Marsh-Tabbot"
    world.carol.save()
    client = login(world.alice)
    by_partner = client.get(RISKS, {"partner": "partner org"})
    assert _titles(by_partner, "risks") == {"Partner closed"}
    by_owner = client.get(RISKS, {"owner": "quillon"})
    assert _titles(by_owner, "risks") == {"Joint big"}
    full_name = world.carol.get_full_name()
    assert _titles(client.get(RISKS, {"owner": full_name}), "risks") == {"Joint big"}


def test_risk_list_is_ordered_by_score(login, world, registers) -> None:
    response = login(world.alice).get(RISKS)
    assert [risk.score for risk in response.context["risks"]] == [25, 16, 6, 1]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"min_score": "99"}, "min_score"),
        ({"min_score": "many"}, "min_score"),
        ({"likelihood": "9"}, "likelihood"),
        ({"status": "lost"}, "status"),
        ({"overdue": "maybe"}, "overdue"),
    ],
)
def test_invalid_risk_filter_shows_an_error_not_a_crash(
    login, world, registers, query, field
) -> None:
    response = login(world.alice).get(RISKS, query)
    assert response.status_code == 200
    assert field in response.context["filter"].form.errors


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "supervisor"}, {"Research action"}),
        ({"q": "joint big"}, {"Risk action"}),
        (
            {"relationship": "joint-venture"},
            {"Late action", "Done action", "Risk action"},
        ),
        ({"status": "active"}, {"Late action", "Risk action", "Research action"}),
        ({"status": "done"}, {"Done action"}),
        ({"principle": "governance_processes"}, {"Late action"}),
        ({"principle": "exit_strategy"}, {"Done action"}),
        ({"source": "risk"}, {"Risk action"}),
        ({"overdue": "true"}, {"Late action"}),
        ({"overdue": "false"}, {"Done action", "Risk action", "Research action"}),
    ],
)
def test_action_filters(login, world, registers, query, expected) -> None:
    response = login(world.alice).get(ACTIONS, query)
    assert _titles(response, "actions") == expected


def test_action_filter_by_owner(login, world, registers) -> None:
    # A name no Faker-made owner can share ("bob" could: Bobby).
    world.bob.first_name, world.bob.last_name = "Ottokar", "Vendramin"
    world.bob.save()
    response = login(world.alice).get(ACTIONS, {"owner": "ottokar"})
    assert _titles(response, "actions") == {"Late action"}


def test_action_list_offers_mark_done_only_where_the_user_may_edit(
    login, world, registers
) -> None:
    page = login(world.alice).get(ACTIONS).content.decode()
    assert page.count(">Mark done</button>") == 3  # 2 open in joint, 1 in research
    assert ">Mark done</button>" not in login(world.dave).get(ACTIONS).content.decode()


def test_action_list_marks_overdue_actions(login, world, registers) -> None:
    page = login(world.alice).get(ACTIONS).content.decode()
    assert page.count(">overdue</span>") == 1


def test_empty_list_explains_where_rows_come_from(login, world) -> None:
    page = login(world.alice).get(RISKS).content.decode()
    assert "No risk has been recorded in your relationships yet." in page
    filtered = login(world.alice).get(RISKS, {"q": "nothing"}).content.decode()
    assert "Nothing matches these filters." in filtered


# --- pagination and query counts ------------------------------------------------------


def test_lists_are_paginated_by_25(login, world) -> None:
    ActionFactory.create_batch(30, relationship=world.relationship)
    client = login(world.alice)
    assert len(client.get(ACTIONS).context["actions"]) == 25
    assert len(client.get(ACTIONS, {"page": 2}).context["actions"]) == 5


def test_objectives_alike_in_every_sorted_field_each_show_on_one_page(
    login, world, settings
) -> None:
    settings.DASHBOARD_CACHE_SECONDS = 0
    made = {
        ObjectiveFactory(relationship=world.relationship, title="Same").pk
        for _ in range(30)
    }
    client = login(world.alice)
    shown = [
        objective.pk
        for page in (1, 2)
        for objective in client.get(OBJECTIVES, {"page": page}).context["objectives"]
    ]
    # By relationship, milestone and title they are all equal; the id orders them.
    assert shown == sorted(made)


def _rows_in(relationships: list[Relationship], world, url: str) -> None:
    """Two rows of the list's register in each relationship, one of them with
    what the row shows at most (an owner, a partner's, a linked risk)."""
    for relationship in relationships:
        owner = relationship.partnerships.get(organisation=world.lead.organisation)
        if url == OBJECTIVES:
            ObjectiveFactory(relationship=relationship)
            ObjectiveFactory(relationship=relationship, owner=owner)
        elif url == RISKS:
            RiskFactory(relationship=relationship)
            RiskFactory(
                relationship=relationship, owner=world.alice, owner_partnership=owner
            )
        else:
            ActionFactory(relationship=relationship)
            ActionFactory(
                relationship=relationship,
                owner=world.alice,
                risk=RiskFactory(relationship=relationship),
            )


# Queries of a list page: the session, the user, their organisations (the cache
# keys), the page's ids, the count of all rows, the page's rows; the actions
# list also asks where the user may mark actions done and, as its rows link
# risks, which of those the user may see.
LIST_QUERIES = {OBJECTIVES: 6, RISKS: 6, ACTIONS: 8}
# Seen again (the page's ids and rows cached): the session, the user, their
# organisations, the ids checked again for this user; and for actions where the
# user may edit.
CACHED_LIST_QUERIES = {OBJECTIVES: 4, RISKS: 4, ACTIONS: 5}


@pytest.mark.parametrize("url", [OBJECTIVES, RISKS, ACTIONS])
@pytest.mark.parametrize("cache_seconds", [60, 0], ids=["cached", "uncached"])
def test_list_query_count_is_the_same_at_2_and_20_relationships(
    login, world, django_assert_num_queries, settings, url, cache_seconds
) -> None:
    settings.DASHBOARD_CACHE_SECONDS = cache_seconds
    client = login(world.alice)
    relationships = [world.relationship, second_relationship(world)]
    _rows_in(relationships, world, url)
    summaries_refresh_noted()  # as after the commit of a save
    with django_assert_num_queries(LIST_QUERIES[url]):
        client.get(url, {"q": "", "status": ""})

    more = [
        second_relationship(world, title=f"Venture {n}", reference=f"venture-{n}")
        for n in range(18)
    ]
    _rows_in(more, world, url)
    summaries_refresh_noted()
    with django_assert_num_queries(LIST_QUERIES[url]):
        first = client.get(url, {"q": "", "status": ""})
    seen_again = LIST_QUERIES[url] if cache_seconds == 0 else CACHED_LIST_QUERIES[url]
    with django_assert_num_queries(seen_again):
        again = client.get(url, {"q": "", "status": ""})

    assert first.context["page_obj"].paginator.count == 40
    assert _table_rows(again) == _table_rows(first)


@pytest.mark.parametrize(
    ("url", "make"),
    [
        (
            "relationships:objective_export",
            lambda world, count: ObjectiveFactory.create_batch(
                count, relationship=world.relationship, owner=world.partner
            ),
        ),
        (
            "relationships:risk_export",
            lambda world, count: RiskFactory.create_batch(
                count, relationship=world.relationship, owner=world.bob
            ),
        ),
        (
            "relationships:action_export",
            lambda world, count: ActionFactory.create_batch(
                count,
                relationship=world.relationship,
                owner=world.carol,
                risk=RiskFactory(relationship=world.relationship),
            ),
        ),
    ],
    ids=["objectives", "risks", "actions"],
)
def test_export_query_count_is_the_same_at_5_and_30_rows(
    login, world, django_assert_num_queries, url, make
) -> None:
    client = login(world.alice)
    make(world, 5)
    with django_assert_num_queries(3) as few:  # session, user, rows
        csv_rows(client.get(reverse(url)))
    make(world, 25)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(csv_rows(client.get(reverse(url)))) == 31


# --- CSV ------------------------------------------------------------------------------


def test_objective_csv_has_a_header_and_one_row_per_objective(
    login, world, registers
) -> None:
    response = login(world.alice).get(
        reverse("relationships:objective_export"), {"relationship": "joint-venture"}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="objectives-'
    )
    rows = csv_rows(response)
    assert rows[0][:4] == [
        "Relationship reference",
        "Relationship",
        "Whose",
        "Objective",
    ]
    by_title = {row[3]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert set(by_title) == {"Common goal", "Lead goal", "Partner goal"}
    assert by_title["Common goal"]["Whose"] == "Common"
    assert by_title["Common goal"]["Milestone overdue"] == "yes"
    assert by_title["Lead goal"]["Whose"] == "Lead Org"
    assert by_title["Lead goal"]["Horizon"] == "Medium term"
    assert by_title["Partner goal"]["Milestone date"] == PAST.isoformat()


def test_risk_csv_honours_the_filters(login, world, registers) -> None:
    rows = csv_rows(
        login(world.alice).get(
            reverse("relationships:risk_export"), {"status": "active", "min_score": 5}
        )
    )
    header = rows[0]
    assert [row[header.index("Risk")] for row in rows[1:]] == [
        "Joint big",
        "Lead medium",
    ]
    joint_big = dict(zip(header, rows[1], strict=True))
    assert joint_big["Whose"] == "Joint"
    assert (joint_big["Likelihood"], joint_big["Impact"], joint_big["Score"]) == (
        "5",
        "5",
        "25",
    )
    assert joint_big["Review overdue"] == "yes"
    assert joint_big["Owner"] == world.carol.get_full_name()


def test_action_csv_lists_principle_risk_and_completion(
    login, world, registers
) -> None:
    rows = csv_rows(
        login(world.alice).get(
            reverse("relationships:action_export"), {"relationship": "joint-venture"}
        )
    )
    header = rows[0]
    by_title = {
        row[header.index("Action")]: dict(zip(header, row, strict=True))
        for row in rows[1:]
    }
    assert by_title["Risk action"]["Risk"] == "Joint big"
    assert by_title["Late action"]["Principle"] == "Governance and processes"
    assert by_title["Late action"]["Overdue"] == "yes"
    assert by_title["Done action"]["Status"] == "Done"


def test_csv_of_an_outsider_holds_no_rows_of_other_tenants(
    login, world, registers
) -> None:
    for name in ("objective_export", "risk_export", "action_export"):
        response = login(world.eve).get(reverse(f"relationships:{name}"))
        body = "\n".join(",".join(row) for row in csv_rows(response))
        assert "Outsider" in body
        assert "Joint venture" not in body
        assert "Sensor research" not in body


def test_csv_with_an_invalid_filter_exports_only_the_header(
    login, world, registers
) -> None:
    rows = csv_rows(
        login(world.eve).get(
            reverse("relationships:risk_export"), {"relationship": "joint-venture"}
        )
    )
    assert len(rows) == 1


def test_csv_neutralises_spreadsheet_formulas(login, world) -> None:
    ObjectiveFactory(
        relationship=world.relationship,
        title='=HYPERLINK("https://evil.example","Click")',
        description="+cmd|' /C calc'!A0",
        kpi_name="@SUM(A1:A9)",
        kpi_unit="-2+3",
        kpi_actual=Decimal("-5"),
        kpi_target=Decimal("10"),
    )
    rows = csv_rows(login(world.alice).get(reverse("relationships:objective_export")))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Objective"] == '\'=HYPERLINK("https://evil.example","Click")'
    assert row["Description"] == "'+cmd|' /C calc'!A0"
    assert row["KPI"] == "'@SUM(A1:A9)"
    assert row["KPI unit"] == "'-2+3"
    assert row["KPI actual"] == "-5.00"  # a number, not text: left as it is


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("\t=1", "'\t=1"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (None, ""),
        (True, "yes"),
        (7, "7"),
        (Decimal("-1.50"), "-1.50"),
    ],
)
def test_csv_safe(value, expected) -> None:
    assert csv_safe(value) == expected


def test_an_exact_reference_picks_that_relationship_alone(
    login, world, registers
) -> None:
    longer = second_relationship(
        world, title="Joint venture two", reference="joint-venture-2"
    )
    ObjectiveFactory(relationship=longer, title="Second venture goal")
    client = login(world.alice)

    exact = client.get(OBJECTIVES, {"relationship": "joint-venture"})
    words = client.get(OBJECTIVES, {"relationship": "joint venture"})

    assert "Second venture goal" not in _titles(exact, "objectives")
    assert "Second venture goal" in _titles(words, "objectives")


def test_a_new_row_shows_at_once_although_the_sorted_ids_are_cached(
    login, world, registers
) -> None:
    client = login(world.alice)
    assert "Fresh goal" not in _titles(client.get(OBJECTIVES), "objectives")

    ObjectiveFactory(relationship=world.relationship, title="Fresh goal")

    assert "Fresh goal" in _titles(client.get(OBJECTIVES), "objectives")


def test_paging_reads_only_the_pages_rows(
    login, world, django_assert_num_queries
) -> None:
    ObjectiveFactory.create_batch(30, relationship=world.relationship)
    client = login(world.alice)
    first = client.get(OBJECTIVES)
    # The session, the user, their organisations, the page's ids, the count,
    # its rows.
    with django_assert_num_queries(6):
        second = client.get(OBJECTIVES, {"page": 2})

    first_ids = {objective.pk for objective in first.context["objectives"]}
    second_ids = {objective.pk for objective in second.context["objectives"]}
    assert len(first_ids) == 25 and len(second_ids) == 5
    assert not first_ids & second_ids


@pytest.mark.parametrize("url", [OBJECTIVES, RISKS, ACTIONS])
def test_with_caching_off_a_list_never_asks_the_cache(
    login, world, registers, settings, request, url
) -> None:
    # Caching off, not even a key is worked out: that would read the versions.
    settings.DASHBOARD_CACHE_SECONDS = 0
    client = login(world.alice)
    # Recorded from here: logging in asks the cache too (rate limits).
    asked = request.getfixturevalue("cache_keys_asked")

    response = client.get(url)

    assert response.status_code == 200
    assert response.context["page_obj"].object_list
    # The MFA gate asks on every page (accounts.selectors.mfa_gate_for).
    assert [key for key in asked if not key.startswith("accounts:mfa-gate")] == []
    assert asked


def test_lists_work_with_caching_turned_off(login, world, registers, settings) -> None:
    settings.DASHBOARD_CACHE_SECONDS = 0
    ObjectiveFactory.create_batch(30, relationship=world.relationship)
    client = login(world.alice)

    first = client.get(OBJECTIVES)
    second = client.get(OBJECTIVES, {"page": 2})
    ObjectiveFactory(relationship=world.relationship, title="Unannounced goal")
    searched = client.get(OBJECTIVES, {"q": "unannounced"})

    assert len(first.context["objectives"]) == 25
    assert len(second.context["objectives"]) == 34 - 25  # 30 + the registers' 4
    assert _titles(searched, "objectives") == {"Unannounced goal"}
