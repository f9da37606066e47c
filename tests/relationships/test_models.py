import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from relationships.choices import OrganisationKind, PartnerRole
from relationships.models import Organisation
from tests.factories import (
    ActionFactory,
    MembershipFactory,
    ObjectiveFactory,
    OrganisationFactory,
    PartnershipFactory,
    RelationshipFactory,
    RiskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_relationship_references_are_unique() -> None:
    RelationshipFactory(reference="alpha")
    with pytest.raises(IntegrityError), transaction.atomic():
        RelationshipFactory(reference="alpha")


def test_a_relationship_has_at_most_one_lead_partner() -> None:
    relationship = RelationshipFactory()
    PartnershipFactory(relationship=relationship, role=PartnerRole.LEAD)
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnershipFactory(relationship=relationship, role=PartnerRole.LEAD)
    PartnershipFactory(relationship=relationship, role=PartnerRole.PARTNER)
    assert relationship.partnerships.count() == 2


def test_an_organisation_joins_a_relationship_once() -> None:
    partnership = PartnershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnershipFactory(
            relationship=partnership.relationship,
            organisation=partnership.organisation,
        )


@pytest.mark.parametrize(
    ("kind", "msme_size", "valid"),
    [
        (OrganisationKind.MSME, "small", True),
        (OrganisationKind.MSME, "", False),
        (OrganisationKind.UNIVERSITY, "", True),
        (OrganisationKind.LARGE, "micro", False),
    ],
)
def test_only_msmes_have_a_size_class(kind: str, msme_size: str, valid: bool) -> None:
    organisation = Organisation(
        name="Firm", slug="firm", kind=kind, msme_size=msme_size
    )
    if valid:
        organisation.full_clean()
        organisation.save()
        assert organisation.is_msme == (kind == OrganisationKind.MSME)
    else:
        with pytest.raises(ValidationError):
            organisation.full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            organisation.save()


@pytest.mark.parametrize(("likelihood", "impact"), [(0, 3), (6, 3), (3, 0), (3, 6)])
def test_risk_scores_stay_within_one_to_five(likelihood: int, impact: int) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskFactory(likelihood=likelihood, impact=impact)


def test_relationship_cannot_end_before_it_starts() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        RelationshipFactory(
            start_date=datetime.date(2026, 5, 1), end_date=datetime.date(2026, 4, 1)
        )


def test_relationship_manager_must_belong_to_the_partner_organisation() -> None:
    partnership = PartnershipFactory()
    partnership.relationship_manager = UserFactory()
    with pytest.raises(ValidationError, match="must belong"):
        partnership.full_clean()

    MembershipFactory(
        user=partnership.relationship_manager, organisation=partnership.organisation
    )
    partnership.full_clean()


def test_objective_progress_is_actual_over_target_capped() -> None:
    objective = ObjectiveFactory(kpi_target=Decimal(200), kpi_actual=Decimal(50))
    assert objective.progress_percent == 25
    objective.kpi_actual = Decimal(500)
    assert objective.progress_percent == 100
    objective.kpi_target = None
    assert objective.progress_percent is None
    assert objective.is_common


def test_overdue_flags_consider_status_and_date() -> None:
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    risk = RiskFactory(review_date=yesterday)
    action = ActionFactory(due_date=yesterday)
    assert risk.review_overdue and action.is_overdue
    risk.status = "closed"
    action.status = "done"
    assert not risk.review_overdue and not action.is_overdue
    assert risk.score == 9


def test_msme_partner_kinds_are_available() -> None:
    organisation = OrganisationFactory(kind=OrganisationKind.MSME, msme_size="micro")
    assert organisation.get_msme_size_display().startswith("Micro")
