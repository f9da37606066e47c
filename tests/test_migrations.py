"""The migrations build the database the models describe, and carry the rows of
an older database through their data migrations. The suite's test databases are
built from the models (`--no-migrations`, tests/conftest.py), so these tests are
what runs the migrations on each database.

The data migrations are proven in the same walk from an empty database: it
stops just before each one, writes rows as the schema of that time held them
(through the historical models), goes on, and at the newest state checks what
each migration made of its rows. One forward walk costs what the build alone
cost; migrating back from the newest state to each old one and forward again, a
test each, cost four times as much. A new data migration adds its case to
DATA_MIGRATION_CASES."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.apps.registry import Apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from assessments.models import Report
from principles.models import LifecycleStage, MaturityLevel, Principle
from relationships.models import Partnership, PlanDecision, PlanVersion
from relationships.selectors.plans import plan_version_fingerprint

type Node = tuple[str, str]


@pytest.mark.django_db
def test_every_change_to_the_models_has_its_migration(settings) -> None:
    settings.MIGRATION_MODULES = {}  # undo pytest-django's --no-migrations
    output = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=output)
    except SystemExit:
        pytest.fail(f"The models changed without a migration:\n{output.getvalue()}")


@dataclass(frozen=True)
class DataMigrationCase:
    """Rows written just `before` a data migration, and what must be true of them
    once every migration has run."""

    name: str
    before: Node
    seed: Callable[[Apps], Any]  # writes the old rows; returns what check needs
    check: Callable[[Any], None]


# The data migration that binds existing plan decisions to their content.


def _fingerprint_seed(old: Apps) -> dict[int, int]:
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
    return versions


def _fingerprint_check(versions: dict[int, int]) -> None:
    """Existing decisions get the fingerprint of their version's content, and an
    approved version the depth it was approved at."""
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


# The data migration that turns the free-text senior executive into a person.


def _senior_executive_seed(old: Apps) -> tuple[int, int, int]:
    User = old.get_model("auth", "User")
    Organisation = old.get_model("relationships", "Organisation")
    Membership = old.get_model("relationships", "Membership")
    Relationship = old.get_model("relationships", "Relationship")
    OldPartnership = old.get_model("relationships", "Partnership")
    stage = old.get_model("principles", "LifecycleStage").objects.get(number=1)
    ruth = User.objects.create(username="ruth", first_name="Ruth", last_name="Lee")
    outsider = User.objects.create(username="sam", first_name="Sam", last_name="Wren")
    lead = Organisation.objects.create(name="Lead", slug="lead", kind="business")
    other = Organisation.objects.create(name="Other", slug="other", kind="business")
    Membership.objects.create(user=ruth, organisation=lead, role="auditor")
    Membership.objects.create(user=outsider, organisation=other, role="auditor")
    relationship = Relationship.objects.create(
        title="Old", reference="old-seats", kind="general", stage=stage
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
    return named.pk, unknown.pk, ruth.pk


def _senior_executive_check(pks: tuple[int, int, int]) -> None:
    """A named member becomes the senior executive; other text is dropped."""
    named, unknown, ruth = pks
    assert Partnership.objects.get(pk=named).senior_executive_id == ruth
    assert Partnership.objects.get(pk=unknown).senior_executive_id is None


# The data migration that numbers reports made before re-issues existed.


def _report_issues_seed(old: Apps) -> tuple[int, int, int]:
    stage = old.get_model("principles", "LifecycleStage").objects.get(number=1)
    relationship = old.get_model("relationships", "Relationship").objects.create(
        title="Old", reference="old-reports", kind="general", stage=stage
    )
    plan = old.get_model("relationships", "Plan").objects.create(
        relationship=relationship
    )
    version_model = old.get_model("relationships", "PlanVersion")
    now = datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC)
    versions = [
        version_model.objects.create(
            plan=plan, number=number, status="approved", approved_at=now
        )
        for number in (1, 2)
    ]
    old_report = old.get_model("assessments", "Report")
    q1 = {
        "relationship": relationship,
        "period_start": datetime.date(2026, 1, 1),
        "period_end": datetime.date(2026, 3, 31),
    }
    first = old_report.objects.create(**q1, plan_version=versions[0])
    second = old_report.objects.create(**q1, plan_version=versions[1])
    other = old_report.objects.create(
        relationship=relationship,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 2, 15),
    )
    return first.pk, second.pk, other.pk


def _report_issues_check(pks: tuple[int, int, int]) -> None:
    """Reports of one period become issues, each superseding the last."""
    first, second, other = (Report.objects.get(pk=pk) for pk in pks)
    assert (first.issue, first.number, first.supersedes) == (
        1,
        "old-reports-2026-Q1-1",
        None,
    )
    assert (second.issue, second.number, second.supersedes) == (
        2,
        "old-reports-2026-Q1-2",
        first,
    )
    assert "plan version 2" in second.reissue_reason
    assert (other.issue, other.number) == (1, "old-reports-20260101-20260215-1")


# In the order the walk reaches them.
DATA_MIGRATION_CASES = [
    DataMigrationCase(
        "plan decisions' fingerprints",
        ("relationships", "0004_partner_private_records"),
        _fingerprint_seed,
        _fingerprint_check,
    ),
    DataMigrationCase(
        "the senior executive as a person",
        ("relationships", "0009_membership_deactivation_organisation_history"),
        _senior_executive_seed,
        _senior_executive_check,
    ),
    DataMigrationCase(
        "report issues",
        ("assessments", "0013_report_error_detail"),
        _report_issues_seed,
        _report_issues_check,
    ),
]


def _managed_models() -> list:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def _migrate_forward(target: list[Node]) -> None:
    """Migrate to `target`, which must lie ahead: a walk that had to unapply a
    migration would not be testing the old rows the way a real upgrade meets them."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(target)
    assert not [migration for migration, backwards in plan if backwards], (
        f"{target} is behind where the walk already is"
    )
    executor.migrate(target)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_migrations_build_every_table_and_carry_old_rows(settings) -> None:
    settings.MIGRATION_MODULES = {}
    with connection.schema_editor() as editor:
        for model in _managed_models():
            if not model._meta.auto_created:  # many-to-many tables go with theirs
                editor.delete_model(model)
    recorder = MigrationRecorder(connection)
    if recorder.has_table():
        recorder.migration_qs.all().delete()
    assert not set(connection.introspection.table_names()) & {
        model._meta.db_table for model in _managed_models()
    }

    reached: list[Node] = []
    seeded = []
    for case in DATA_MIGRATION_CASES:
        _migrate_forward([case.before])
        reached.append(case.before)
        old = MigrationExecutor(connection).loader.project_state(reached).apps
        seeded.append((case, case.seed(old)))
    executor = MigrationExecutor(connection)
    _migrate_forward(executor.loader.graph.leaf_nodes())

    with connection.cursor() as cursor:
        for model in _managed_models():
            columns = {
                column.name
                for column in connection.introspection.get_table_description(
                    cursor, model._meta.db_table
                )
            }
            expected = {field.column for field in model._meta.local_concrete_fields}
            assert columns == expected, model._meta.label
    # The data migration loaded the catalogue.
    assert Principle.objects.exists()
    assert LifecycleStage.objects.count() == 8
    assert MaturityLevel.objects.count() == 5
    for case, rows in seeded:
        case.check(rows)
