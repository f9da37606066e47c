"""The data migration that turns the free-text senior executive into a person."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from relationships.models import Partnership

BEFORE = ("relationships", "0009_membership_deactivation_organisation_history")


def _migrate(target: tuple[str, str] | None) -> object:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = [target] if target else executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets[0] if target else None).apps


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("real_migrations")
def test_a_named_member_becomes_the_senior_executive_and_other_text_is_dropped() -> (
    None
):
    old = _migrate(BEFORE)
    try:
        User = old.get_model("auth", "User")
        Organisation = old.get_model("relationships", "Organisation")
        Membership = old.get_model("relationships", "Membership")
        Relationship = old.get_model("relationships", "Relationship")
        OldPartnership = old.get_model("relationships", "Partnership")
        stage = old.get_model("principles", "LifecycleStage").objects.get(number=1)
        ruth = User.objects.create(username="ruth", first_name="Ruth", last_name="Lee")
        outsider = User.objects.create(
            username="sam", first_name="Sam", last_name="Wren"
        )
        lead = Organisation.objects.create(name="Lead", slug="lead", kind="business")
        other = Organisation.objects.create(name="Other", slug="other", kind="business")
        Membership.objects.create(user=ruth, organisation=lead, role="auditor")
        Membership.objects.create(user=outsider, organisation=other, role="auditor")
        relationship = Relationship.objects.create(
            title="Old", reference="old", kind="general", stage=stage
        )
        named = OldPartnership.objects.create(
            relationship=relationship,
            organisation=lead,
            role="lead",
            senior_executive="ruth  LEE, Chief Operating Officer",
        )
        # Sam is a member of another organisation: not a seat for this one.
        unknown = OldPartnership.objects.create(
            relationship=relationship,
            organisation=Organisation.objects.create(
                name="Third", slug="third", kind="business"
            ),
            senior_executive="Sam Wren, Director",
        )
        pks = (named.pk, unknown.pk, ruth.pk)
    finally:
        _migrate(None)

    assert Partnership.objects.get(pk=pks[0]).senior_executive_id == pks[2]
    assert Partnership.objects.get(pk=pks[1]).senior_executive_id is None
