"""The data migration that numbers reports made before re-issues existed."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from assessments.models import Report

BEFORE = ("assessments", "0013_report_error_detail")


def _migrate(target: tuple[str, str] | None) -> object:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = [target] if target else executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets[0] if target else None).apps


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("real_migrations")
def test_reports_of_one_period_become_issues_each_superseding_the_last() -> None:
    old = _migrate(BEFORE)
    try:
        stage = old.get_model("principles", "LifecycleStage").objects.get(number=1)
        relationship = old.get_model("relationships", "Relationship").objects.create(
            title="Old", reference="old-deal", kind="general", stage=stage
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
        pks = (first.pk, second.pk, other.pk)
    finally:
        _migrate(None)

    first, second, other = (Report.objects.get(pk=pk) for pk in pks)
    assert (first.issue, first.number, first.supersedes) == (
        1,
        "old-deal-2026-Q1-1",
        None,
    )
    assert (second.issue, second.number, second.supersedes) == (
        2,
        "old-deal-2026-Q1-2",
        first,
    )
    assert "plan version 2" in second.reissue_reason
    assert (other.issue, other.number) == (1, "old-deal-20260101-20260215-1")
