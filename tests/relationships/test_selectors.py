import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from relationships.access import (
    actions_visible_to,
    objectives_visible_to,
    relationship_get_for_editing,
    relationship_get_for_user,
    relationships_visible_to,
    risks_visible_to,
)
from relationships.models import Membership
from tests.factories import ActionFactory, ObjectiveFactory, RiskFactory

pytestmark = pytest.mark.django_db


def test_members_of_partner_organisations_see_the_relationship(world) -> None:
    for user in (world.alice, world.bob, world.carol, world.dave):
        assert list(relationships_visible_to(user)) == [world.relationship]


def test_an_outsider_sees_only_its_own_relationship(world) -> None:
    assert list(relationships_visible_to(world.eve)) == [world.outsider_relationship]
    with pytest.raises(Http404):
        relationship_get_for_user(user=world.eve, reference="joint-venture")


def test_anonymous_users_see_nothing(world) -> None:
    assert not relationships_visible_to(AnonymousUser()).exists()


def test_auditors_read_but_may_not_edit(world) -> None:
    assert relationship_get_for_user(user=world.dave, reference="joint-venture")
    with pytest.raises(PermissionDenied):
        relationship_get_for_editing(user=world.dave, reference="joint-venture")
    assert relationship_get_for_editing(user=world.carol, reference="joint-venture")


def test_a_user_in_two_partner_organisations_is_listed_once(world) -> None:
    Membership.objects.create(
        user=world.alice, organisation=world.partner.organisation, role="auditor"
    )
    assert relationships_visible_to(world.alice).count() == 1


def test_registers_are_scoped_like_their_relationship(world) -> None:
    mine = [
        ObjectiveFactory(relationship=world.relationship),
        RiskFactory(relationship=world.relationship),
        ActionFactory(relationship=world.relationship),
    ]
    theirs = [
        ObjectiveFactory(relationship=world.outsider_relationship),
        RiskFactory(relationship=world.outsider_relationship),
        ActionFactory(relationship=world.outsider_relationship),
    ]
    for selector, own, other in zip(
        (objectives_visible_to, risks_visible_to, actions_visible_to),
        mine,
        theirs,
        strict=True,
    ):
        assert list(selector(world.alice)) == [own]
        assert list(selector(world.eve)) == [other]
