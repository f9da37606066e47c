"""Cache versions that follow the data they cover (relationships/caching.py)."""

import pytest

from relationships.caching import (
    catalogue_changed,
    portfolio_key,
    relationship_key,
    relationships_changed,
    relationships_key,
)
from relationships.models import Objective, Partnership
from tests.factories import ObjectiveFactory, OrganisationFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


def test_a_save_moves_its_relationships_key_on_and_no_other(world) -> None:
    own, other = world.relationship.pk, world.outsider_relationship.pk
    before = relationship_key(own), relationship_key(other)

    objective = ObjectiveFactory(relationship=world.relationship)
    after_save = relationship_key(own), relationship_key(other)
    objective.delete()

    assert after_save[0] != before[0]
    assert relationship_key(own) not in before + after_save
    assert relationship_key(other) == after_save[1] == before[1]


def test_a_save_moves_its_partners_portfolios_on_and_no_other_tenants(
    world,
) -> None:
    partners = [world.lead.organisation_id, world.partner.organisation_id]
    before = portfolio_key(partners), portfolio_key([world.outsider_organisation.pk])

    ObjectiveFactory(relationship=world.relationship)

    assert portfolio_key(partners) != before[0]
    assert portfolio_key([world.outsider_organisation.pk]) == before[1]


def test_keys_stay_put_while_nothing_changes(world) -> None:
    key = relationships_key([world.relationship.pk], "page", 1)
    list(Objective.objects.all())
    assert relationships_key([world.relationship.pk], "page", 1) == key
    assert relationships_key([world.relationship.pk], "page", 2) != key


def test_a_new_partner_moves_its_organisations_portfolio_on(world) -> None:
    newcomer = OrganisationFactory()
    before = portfolio_key([newcomer.pk])
    PartnershipFactory(relationship=world.outsider_relationship, organisation=newcomer)
    assert portfolio_key([newcomer.pk]) != before


def test_bulk_writers_and_the_catalogue_move_keys_on_themselves(world) -> None:
    key = relationship_key(world.relationship.pk)
    relationships_changed([world.relationship.pk])
    moved = relationship_key(world.relationship.pk)
    catalogue_changed()

    assert key != moved != relationship_key(world.relationship.pk)


def test_a_cached_list_shows_nothing_once_access_is_gone_even_unannounced(
    login, world
) -> None:
    ObjectiveFactory(relationship=world.relationship, title="Shared goal")
    client = login(world.alice)
    url = "/objectives/"
    assert "Shared goal" in client.get(url).content.decode()  # ids and rows cached

    # A change that sends no signal, so the cached ids and rows stay: the page's
    # ids are checked against access on every request all the same.
    Partnership.objects.filter(pk=world.lead.pk).update(
        organisation=OrganisationFactory()
    )

    assert "Shared goal" not in client.get(url).content.decode()
