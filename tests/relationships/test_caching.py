"""The data version behind every cached dashboard and list."""

import pytest

from relationships.caching import data_changed, data_version
from relationships.models import Objective, Partnership
from tests.factories import ObjectiveFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_saving_or_deleting_a_watched_row_changes_the_version(world) -> None:
    before = data_version()
    objective = ObjectiveFactory(relationship=world.relationship)
    after_save = data_version()
    objective.delete()

    assert before != after_save != data_version()


def test_the_version_stays_put_while_nothing_changes(world) -> None:
    version = data_version()
    list(Objective.objects.all())
    assert data_version() == version


def test_data_changed_is_what_bulk_writers_call(world) -> None:
    version = data_version()
    data_changed()
    assert data_version() != version


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
