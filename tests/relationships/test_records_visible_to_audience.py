"""records_visible_to_audience is visible_records within one relationship, read
from the viewer's audience there: the same records for every persona."""

import datetime

import pytest

from assessments.choices import AssessmentKind
from assessments.models import Assessment
from relationships.access import (
    records_visible_to_audience,
    viewer_audience,
    visible_records,
)
from relationships.choices import Visibility
from relationships.models import Action, Objective, Risk
from tests.factories import (
    ActionFactory,
    AssessmentFactory,
    ObjectiveFactory,
    RiskFactory,
)

pytestmark = pytest.mark.django_db


def _records(world, frank_partnership) -> None:
    """Joint records, and private ones of each partner: kept to itself, shared
    with the lead, shared with the other supplier."""
    relationship = world.relationship
    owners = (world.lead, world.partner, frank_partnership)
    for factory, owner_field in (
        (ObjectiveFactory, "owner"),
        (RiskFactory, "owner_partnership"),
        (ActionFactory, "owner_partnership"),
    ):
        factory(relationship=relationship)
        for owner in owners:
            for shared in ([], [world.lead], [frank_partnership]):
                record = factory(
                    relationship=relationship,
                    visibility=Visibility.PARTNER,
                    **{owner_field: owner},
                )
                record.shared_with.set(shared)
    for month, owner in enumerate(owners, start=1):
        assessment = AssessmentFactory(
            relationship=relationship,
            kind=AssessmentKind.SELF,
            partnership=owner,
            visibility=Visibility.PARTNER,
            period_start=datetime.date(2025, month, 1),
        )
        assessment.shared_with.set([world.lead])


@pytest.mark.parametrize("model", [Assessment, Objective, Risk, Action])
def test_the_same_records_as_visible_records_for_every_persona(
    world, frank, model
) -> None:
    frank_partnership = world.relationship.partnerships.get(
        organisation__memberships__user=frank
    )
    _records(world, frank_partnership)
    in_relationship = model.objects.filter(relationship=world.relationship)
    for user in (world.alice, world.bob, world.carol, world.dave, frank):
        audience = viewer_audience(user=user, relationship=world.relationship)
        expected = set(
            in_relationship.filter(visible_records(user, model)).values_list(
                "pk", flat=True
            )
        )
        assert expected, user
        assert (
            set(
                in_relationship.filter(
                    records_visible_to_audience(model, audience)
                ).values_list("pk", flat=True)
            )
            == expected
        ), user
