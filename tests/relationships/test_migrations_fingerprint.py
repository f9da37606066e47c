"""The data migration that binds existing plan decisions to their content."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from relationships.models import PlanDecision, PlanVersion
from relationships.selectors.plans import plan_version_fingerprint

BEFORE = ("relationships", "0004_partner_private_records")


def _migrate(target: tuple[str, str]):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("real_migrations")
def test_existing_decisions_get_the_fingerprint_of_their_versions_content() -> None:
    old = _migrate(BEFORE)
    try:
        user = old.get_model("auth", "User").objects.create(username="signer")
        organisation = old.get_model("relationships", "Organisation").objects.create(
            name="Lead Org", slug="lead-org", kind="business"
        )
        relationship = old.get_model("relationships", "Relationship").objects.create(
            title="Old deal",
            reference="old-deal",
            kind="general",
            stage=old.get_model("principles", "LifecycleStage").objects.get(number=5),
        )
        partnership = old.get_model("relationships", "Partnership").objects.create(
            relationship=relationship, organisation=organisation, role="lead"
        )
        plan = old.get_model("relationships", "Plan").objects.create(
            relationship=relationship, depth="essentials"
        )
        versions = {}
        for number, status in ((1, "approved"), (2, "submitted")):
            version = old.get_model("relationships", "PlanVersion").objects.create(
                plan=plan,
                number=number,
                status=status,
                submission_round=1,
                approved_at="2026-01-01T10:00:00Z" if status == "approved" else None,
            )
            old.get_model("relationships", "PlanSection").objects.create(
                plan_version=version,
                principle_key="governance_processes",
                content={"summary": f"Version {number}"},
            )
            old.get_model("relationships", "PlanDecision").objects.create(
                plan_version=version,
                partnership=partnership,
                submission_round=1,
                decision="approve",
                decided_by=user,
            )
            versions[number] = version.pk
    finally:
        _migrate_to_latest()

    approved = PlanVersion.objects.get(pk=versions[1])
    submitted = PlanVersion.objects.get(pk=versions[2])
    assert approved.approved_depth == "essentials"
    assert submitted.approved_depth == ""
    for version in (approved, submitted):
        decision = PlanDecision.objects.get(plan_version=version)
        assert decision.content_sha256 == plan_version_fingerprint(plan_version=version)
    assert (
        PlanDecision.objects.get(plan_version=approved).content_sha256
        != PlanDecision.objects.get(plan_version=submitted).content_sha256
    )


def _migrate_to_latest() -> None:
    """Every app back at its newest migration (apps that depend on the migrations
    undone were rolled back with them)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
