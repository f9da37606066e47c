"""The write rule, stated once in relationships.access: a user writes for a
partner while one of their active memberships of its organisation holds a write
role and the partner takes part. Every question about writing (the relationship,
a page of register rows, a self-assessment, which self-assessments to start)
gets the same answer from it."""

import pytest

from relationships.access import (
    partnerships_assessable_by,
    relationship_ids_editable_by,
    user_can_edit_assessment,
    user_can_edit_relationship,
)
from relationships.choices import MembershipRole
from relationships.services.organisations import membership_deactivate
from relationships.services.partners import partnership_exit
from tests.assessments.factories_assessments import make_assessment, url
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "dave", "eve"])
def test_the_relationship_and_a_page_of_rows_agree_on_who_writes(
    world, persona: str
) -> None:
    user = world.persona(persona)
    relationship = world.relationship
    assert user_can_edit_relationship(user=user, relationship=relationship) == (
        relationship.pk in relationship_ids_editable_by(user, among=[relationship.pk])
    )


def test_an_exited_partner_writes_nowhere_in_the_relationship(login, world) -> None:
    draft = make_assessment(world, partnership=world.partner, levels=[3] * 12)
    assert user_can_edit_assessment(user=world.bob, assessment=draft)
    partnership_exit(partnership=world.partner, reason="Contract ended", user=world.bob)

    assert not user_can_edit_relationship(
        user=world.bob, relationship=world.relationship
    )
    assert relationship_ids_editable_by(world.bob) == set()
    assert not user_can_edit_assessment(user=world.bob, assessment=draft)
    assert (
        partnerships_assessable_by(user=world.bob, relationship=draft.relationship)
        == []
    )
    client = login(world.bob)
    assert client.get(url("assessment_detail", draft)).status_code == 200
    assert client.get(url("assessment_edit", draft)).status_code == 403


def test_a_deactivated_member_writes_nowhere(world) -> None:
    assert relationship_ids_editable_by(world.carol) == {world.relationship.pk}
    admin = MembershipFactory(
        organisation=world.lead.organisation, role=MembershipRole.ORG_ADMIN
    ).user
    membership_deactivate(
        organisation=world.lead.organisation, person=world.carol, user=admin
    )

    assert relationship_ids_editable_by(world.carol) == set()
    assert not user_can_edit_relationship(
        user=world.carol, relationship=world.relationship
    )
