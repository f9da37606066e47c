"""The unfiltered objectives, risks and actions lists of a member of one
organisation take their number of rows from the organisation's kept totals
(`kept_register_count`), not from a count of every row the member sees: equal,
after every kind of change, to what a live count of the member's list gives. A
filtered list, a member of two organisations and an external auditor count
their rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import PortfolioTotals, RelationshipSummary
from assessments.receivers import summaries_refresh_noted
from assessments.selectors.dashboards.portfolio import kept_register_count
from assessments.services.summaries import portfolio_totals_recount
from relationships.access import (
    actions_visible_to,
    objectives_visible_to,
    risks_visible_to,
)
from relationships.choices import Visibility
from relationships.services.registers import (
    action_create,
    objective_revise,
    risk_create,
    risk_update,
)
from tests.accounts.factories_external import external_auditor
from tests.factories import (
    ActionFactory,
    MembershipFactory,
    ObjectiveFactory,
    PartnershipFactory,
    RelationshipFactory,
    RiskFactory,
)

pytestmark = pytest.mark.django_db

VISIBLE = {
    "objectives": objectives_visible_to,
    "risks": risks_visible_to,
    "actions": actions_visible_to,
}
URLS = {
    "objectives": reverse("relationships:objective_list"),
    "risks": reverse("relationships:risk_list"),
    "actions": reverse("relationships:action_list"),
}


def _assert_kept_as_live(world) -> None:
    summaries_refresh_noted()  # what a commit would have run
    for user in (world.alice, world.bob, world.dave, world.eve):
        for register, visible in VISIBLE.items():
            live = visible(user).count()
            assert kept_register_count(user, register) == live, (user, register)


def _counts_rows(queries: CaptureQueriesContext) -> bool:
    return any("COUNT(" in query["sql"] for query in queries.captured_queries)


def test_the_kept_counts_follow_every_change_as_a_live_count_would(world) -> None:
    _assert_kept_as_live(world)

    ObjectiveFactory(relationship=world.relationship)
    objective = ObjectiveFactory(
        relationship=world.relationship,
        visibility=Visibility.PARTNER,
        owner=world.partner,
    )
    _assert_kept_as_live(world)
    assert kept_register_count(world.bob, "objectives") == 2
    assert kept_register_count(world.alice, "objectives") == 1

    # The partner's own risk, shared with the lead, then with no one.
    risk = risk_create(
        relationship=world.relationship,
        values={
            "title": "Supplier insolvency",
            "likelihood": 2,
            "impact": 4,
            "owner_partnership": world.partner,
            "visibility": Visibility.PARTNER,
            "shared_with": [world.lead],
        },
        created_by=world.bob,
    )
    RiskFactory(relationship=world.relationship)
    _assert_kept_as_live(world)
    assert kept_register_count(world.alice, "risks") == 2
    risk_update(
        risk=risk,
        changes={"shared_with": []},
        expected_revision=risk.revision,
        updated_by=world.bob,
    )
    _assert_kept_as_live(world)
    assert kept_register_count(world.alice, "risks") == 1

    # The lead's own action, and a private objective made joint.
    action_create(
        relationship=world.relationship,
        values={
            "title": "Brief the board",
            "owner_partnership": world.lead,
            "visibility": Visibility.PARTNER,
        },
        created_by=world.alice,
    )
    ActionFactory(relationship=world.relationship)
    objective_revise(
        objective=objective,
        changes={"visibility": Visibility.JOINT},
        reason="Agreed to share it.",
        expected_revision=objective.revision,
        revised_by=world.bob,
    )
    _assert_kept_as_live(world)
    assert kept_register_count(world.alice, "objectives") == 2
    assert kept_register_count(world.bob, "actions") == 1

    # Rows deleted, and a second relationship whose partner then leaves.
    objective.delete()
    second = RelationshipFactory(title="Second", reference="second")
    PartnershipFactory(relationship=second, organisation=world.lead.organisation)
    leaving = PartnershipFactory(
        relationship=second, organisation=world.partner.organisation
    )
    ObjectiveFactory.create_batch(3, relationship=second)
    _assert_kept_as_live(world)
    assert kept_register_count(world.bob, "objectives") == 4
    leaving.delete()
    _assert_kept_as_live(world)
    assert kept_register_count(world.bob, "objectives") == 1


def test_a_recount_puts_right_register_totals_written_around_the_services(
    world,
) -> None:
    ObjectiveFactory.create_batch(2, relationship=world.relationship)
    summaries_refresh_noted()
    # Rows changed with update(), which sends no signal and moves no total.
    RelationshipSummary.objects.filter(partnership=world.lead).update(objectives=9)
    PortfolioTotals.objects.update(objectives=0)
    assert kept_register_count(world.alice, "objectives") == 0

    portfolio_totals_recount()

    assert kept_register_count(world.alice, "objectives") == 9


@pytest.mark.parametrize("register", list(URLS))
def test_an_unfiltered_list_takes_its_number_of_rows_from_the_kept_totals(
    login, world, register
) -> None:
    ObjectiveFactory.create_batch(3, relationship=world.relationship)
    RiskFactory.create_batch(3, relationship=world.relationship)
    ActionFactory.create_batch(3, relationship=world.relationship)
    summaries_refresh_noted()
    client = login(world.alice)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(URLS[register], {"q": "", "page": "1"})

    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 3
    assert len(response.context["page_obj"].object_list) == 3
    assert not _counts_rows(queries)


@pytest.mark.parametrize("register", list(URLS))
def test_a_filtered_list_counts_its_rows(login, world, register) -> None:
    ObjectiveFactory(relationship=world.relationship, title="Cut energy use")
    RiskFactory(relationship=world.relationship, title="Cut energy supply")
    ActionFactory(relationship=world.relationship, title="Cut energy bills")
    ObjectiveFactory(relationship=world.relationship, title="Hire")
    RiskFactory(relationship=world.relationship, title="Hire")
    ActionFactory(relationship=world.relationship, title="Hire")
    summaries_refresh_noted()
    client = login(world.alice)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(URLS[register], {"q": "energy"})

    assert response.context["page_obj"].paginator.count == 1
    assert _counts_rows(queries)


def test_a_member_of_two_organisations_counts_the_rows(login, world) -> None:
    # Alice also joins the partner: her list is both organisations' rows, once.
    MembershipFactory(user=world.alice, organisation=world.partner.organisation)
    ObjectiveFactory.create_batch(2, relationship=world.relationship)
    ObjectiveFactory(
        relationship=world.relationship,
        visibility=Visibility.PARTNER,
        owner=world.partner,
    )
    summaries_refresh_noted()
    client = login(world.alice)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(URLS["objectives"])

    assert kept_register_count(world.alice, "objectives") is None
    assert response.context["page_obj"].paginator.count == 3
    assert _counts_rows(queries)


def test_an_external_auditor_counts_the_rows(login, world) -> None:
    erin = external_auditor(world)
    ObjectiveFactory.create_batch(2, relationship=world.relationship)
    summaries_refresh_noted()
    client = login(erin)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(URLS["objectives"])

    assert kept_register_count(erin, "objectives") is None
    assert response.context["page_obj"].paginator.count == 2
    assert _counts_rows(queries)
