"""Partner-private records in a programme of several suppliers: the second
supplier never reads the first supplier's own records, on any page."""

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.choices import AssessmentKind, AssessmentStatus
from assessments.selectors.reports import report_data
from relationships.choices import Visibility
from relationships.models import Risk
from relationships.services.registers import risk_create
from tests.assessments.factories_reports import finished_period
from tests.factories import (
    AssessmentFactory,
)
from tests.relationships.factories_registers import csv_rows

SECRET_TITLE = "Cash-flow squeeze at Partner Org"


@pytest.fixture
def private_risk(world, frank) -> Risk:
    """Bob's supplier's own risk, with a review inside the dashboard's horizon."""
    return risk_create(
        relationship=world.relationship,
        values={
            "owner_partnership": world.partner,
            "title": SECRET_TITLE,
            "likelihood": 4,
            "impact": 5,
            "review_date": timezone.localdate() + datetime.timedelta(days=7),
        },
        created_by=world.bob,
    )


def _risk_url(name: str, risk: Risk) -> str:
    return reverse(
        f"relationships:{name}",
        kwargs={"reference": risk.relationship.reference, "pk": risk.pk},
    )


def _page(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_suppliers_own_risk_is_private_and_shared_with_the_lead_by_default(
    world, private_risk
) -> None:
    assert private_risk.visibility == Visibility.PARTNER
    assert list(private_risk.shared_with.all()) == [world.lead]


def test_lead_partners_own_risk_stays_its_own(world, frank) -> None:
    risk = risk_create(
        relationship=world.relationship,
        values={
            "owner_partnership": world.lead,
            "title": "X",
            "likelihood": 1,
            "impact": 1,
        },
    )
    assert risk.visibility == Visibility.PARTNER
    assert list(risk.shared_with.all()) == []


def test_owned_risk_of_a_two_partner_relationship_stays_joint(world) -> None:
    risk = risk_create(
        relationship=world.relationship,
        values={
            "owner_partnership": world.partner,
            "title": "X",
            "likelihood": 1,
            "impact": 1,
        },
    )
    assert risk.visibility == Visibility.JOINT


@pytest.mark.parametrize("name", ["risk_detail", "risk_edit"])
def test_other_supplier_gets_404_on_a_private_risk(
    login, frank, private_risk, name
) -> None:
    assert login(frank).get(_risk_url(name, private_risk)).status_code == 404


def test_lead_reads_a_shared_risk_but_may_not_change_it(
    login, world, private_risk
) -> None:
    client = login(world.alice)
    assert SECRET_TITLE in _page(client, _risk_url("risk_detail", private_risk))
    assert client.get(_risk_url("risk_edit", private_risk)).status_code == 403


def test_owning_supplier_reads_and_changes_its_private_risk(
    login, world, private_risk
) -> None:
    client = login(world.bob)
    assert SECRET_TITLE in _page(client, _risk_url("risk_detail", private_risk))
    assert client.get(_risk_url("risk_edit", private_risk)).status_code == 200


def test_no_list_count_chart_or_export_shows_the_other_suppliers_risk(
    login, world, frank, private_risk
) -> None:
    reference = world.relationship.reference
    # Bob renders (and caches) the pages first: Frank must not get his copy.
    bob_client = login(world.bob)
    dashboard_url = reverse(
        "assessments:relationship_dashboard", kwargs={"reference": reference}
    )
    assert SECRET_TITLE in _page(bob_client, dashboard_url)
    register_url = reverse(
        "relationships:relationship_risks", kwargs={"reference": reference}
    )
    assert SECRET_TITLE in _page(bob_client, register_url)
    client = login(frank)
    for url in (
        register_url,
        reverse("relationships:risk_list"),
        dashboard_url,
        reverse("assessments:portfolio_dashboard"),
    ):
        assert SECRET_TITLE not in _page(client, url), url
    response = client.get(register_url)
    assert response.context["summary"].total == 0
    assert response.context["heat_map"].total_open == 0
    rows = csv_rows(client.get(reverse("relationships:risk_export")))
    assert all(SECRET_TITLE not in row for row in rows)
    dashboard = client.get(dashboard_url).context["dashboard"]
    assert dashboard.risks.count == 0


def test_other_supplier_gets_404_on_a_private_self_assessment(
    login, world, frank
) -> None:
    assessment = AssessmentFactory(
        relationship=world.relationship,
        kind=AssessmentKind.SELF,
        partnership=world.partner,
        status=AssessmentStatus.SUBMITTED,
        visibility=Visibility.PARTNER,
    )
    assessment.shared_with.add(world.lead)
    url = reverse(
        "assessments:assessment_detail",
        kwargs={"reference": world.relationship.reference, "pk": assessment.pk},
    )
    assert login(frank).get(url).status_code == 404
    assert login(world.alice).get(url).status_code == 200


def test_report_shows_joint_records_only_and_counts_those_left_out(
    world, frank, private_risk
) -> None:
    data = report_data(report=finished_period(world))
    assert SECRET_TITLE not in [risk.title for risk in data.open_risks]
    assert data.private_records_left_out == 1


def test_a_joint_risk_cannot_be_private(world) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        risk_create(
            relationship=world.relationship,
            values={
                "title": "X",
                "likelihood": 1,
                "impact": 1,
                "visibility": Visibility.PARTNER,
            },
        )
    assert "visibility" in error.value.message_dict


def test_private_risk_carries_its_visibility_badge_in_lists_and_on_its_page(
    login, world, private_risk
) -> None:
    client = login(world.bob)
    register = reverse(
        "relationships:relationship_risks",
        kwargs={"reference": world.relationship.reference},
    )
    for url in (
        register,
        reverse("relationships:risk_list"),
        _risk_url("risk_detail", private_risk),
    ):
        page = _page(client, url)
        assert "Private to Partner Org" in page, url
        assert "+ shared with Lead Org" in page, url


def test_a_joint_risk_of_a_partner_says_joint(login, world, frank) -> None:
    risk = risk_create(
        relationship=world.relationship,
        values={
            "owner_partnership": world.partner,
            "title": "Shared supply risk",
            "likelihood": 2,
            "impact": 2,
            "visibility": Visibility.JOINT,
        },
        created_by=world.bob,
    )
    page = _page(login(frank), _risk_url("risk_detail", risk))
    assert ">Joint</span>" in page
    assert "Private to" not in page


@pytest.mark.parametrize(
    ("url_name", "owner_field"),
    [
        ("relationships:risk_create", "owner_partnership"),
        ("relationships:objective_create", "owner"),
        ("relationships:action_create", "owner_partnership"),
    ],
)
def test_new_entry_of_a_supplier_starts_as_its_own_private_to_it_and_the_lead(
    login, world, frank, url_name: str, owner_field: str
) -> None:
    supplier = world.relationship.partnerships.get(relationship_manager=frank)
    response = login(frank).get(
        reverse(url_name, kwargs={"reference": world.relationship.reference})
    )

    form = response.context["form"]
    assert form[owner_field].value() == supplier.pk
    assert form["visibility"].value() == Visibility.PARTNER
    assert list(form["shared_with"].value()) == [world.lead.pk]


def test_new_entry_of_the_lead_starts_as_the_leads_own_shared_with_nobody(
    login, world, frank
) -> None:
    response = login(world.alice).get(
        reverse(
            "relationships:risk_create",
            kwargs={"reference": world.relationship.reference},
        )
    )

    form = response.context["form"]
    assert form["owner_partnership"].value() == world.lead.pk
    assert form["visibility"].value() == Visibility.PARTNER
    assert list(form["shared_with"].value()) == []


def test_new_entry_of_a_two_partner_relationship_starts_joint(login, world) -> None:
    response = login(world.bob).get(
        reverse(
            "relationships:risk_create",
            kwargs={"reference": world.relationship.reference},
        )
    )

    form = response.context["form"]
    assert form["owner_partnership"].value() is None
    assert form["visibility"].value() == Visibility.JOINT
