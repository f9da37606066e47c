"""The demo's back-filled and re-issued report (manage.py load_demo)."""

import pytest

from assessments.choices import ReportStatus
from assessments.demo import DEMO_REPORTED_RELATIONSHIP, demo_reports_load
from assessments.models import Report
from relationships.demo import demo_load

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.slow
def test_demo_backfills_and_reissues_one_report_once() -> None:
    demo_load()

    demo_reports_load()
    demo_reports_load()

    reports = list(
        Report.objects.filter(
            relationship__reference=DEMO_REPORTED_RELATIONSHIP
        ).order_by("issue")
    )
    assert [(r.issue, r.status) for r in reports] == [
        (1, ReportStatus.DONE),
        (2, ReportStatus.DONE),
    ]
    first, second = reports
    assert second.supersedes == first
    assert first.requested_by_schedule and second.requested_by is not None
    # Its earliest finished period, before the plan version in force today.
    assert first.plan_version is not None
    assert first.plan_version.approved_at.date() <= first.period_end
