"""The claim itself: one conditional UPDATE on the row, and no history of its own."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from relationships.concurrency import StaleEdit
from relationships.models import Risk
from relationships.services.registers import risk_update
from tests.factories import RiskFactory

pytestmark = pytest.mark.django_db


def test_the_claim_is_one_update_of_the_row_itself(world) -> None:
    risk = RiskFactory(relationship=world.relationship)
    with CaptureQueriesContext(connection) as queries:
        risk_update(risk=risk, changes={"title": "Renamed"}, expected_revision=1)

    claims = [
        query["sql"]
        for query in queries
        if '"revision" = "revision" + 1' in query["sql"]
    ]
    assert len(claims) == 1
    claim = claims[0]
    table = Risk._meta.db_table
    assert claim.startswith(f'UPDATE "{table}" SET')
    # No subquery and no join: PostgreSQL re-checks this WHERE on the newest row.
    assert "SELECT" not in claim.upper()
    assert "JOIN" not in claim.upper()
    assert f'WHERE "{table}"."id"' not in claim and 'WHERE "id" = ' in claim


def test_a_save_writes_one_history_row_at_the_new_revision(world) -> None:
    risk = RiskFactory(relationship=world.relationship)
    before = risk.history.count()

    risk_update(
        risk=risk,
        changes={"title": "Renamed"},
        expected_revision=1,
        updated_by=world.bob,
    )

    assert risk.history.count() == before + 1
    latest = risk.history.first()
    assert (latest.revision, latest.title, latest.history_user) == (
        2,
        "Renamed",
        world.bob,
    )


def test_a_refused_claim_changes_nothing_and_carries_the_current_row(world) -> None:
    risk = RiskFactory(relationship=world.relationship)
    risk_update(risk=risk, changes={"title": "First"}, expected_revision=1)

    with pytest.raises(StaleEdit) as refused:
        risk_update(
            risk=Risk.objects.get(pk=risk.pk),
            changes={"title": "Second"},
            expected_revision=1,
        )

    assert (refused.value.current.title, refused.value.current.revision) == (
        "First",
        2,
    )
    assert Risk.objects.get(pk=risk.pk).title == "First"
