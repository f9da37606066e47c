"""Permission-matrix entries for the reports views (see tests/permissions.py)."""

from assessments.choices import ReportStatus
from tests.assessments.factories_reports import stored_report
from tests.permissions import ViewSpec


def _reference(world) -> dict:
    return {"reference": world.relationship.reference}


def _report(status: str):
    def kwargs(world) -> dict:
        report = stored_report(world.relationship, status=status)
        return {"reference": world.relationship.reference, "pk": report.pk}

    return kwargs


REPORTS_VIEWS: list[ViewSpec] = [
    ViewSpec("assessments:report_list", kwargs=_reference),
    ViewSpec(
        "assessments:report_request",
        kwargs=_reference,
        writes=True,
        post_data=lambda world: {"period": "2026-01-01/2026-03-31"},
    ),
    # Subscribing only needs read access: auditors subscribe to what they audit.
    ViewSpec(
        "assessments:report_subscribe",
        kwargs=_reference,
        post_data=lambda world: {},
    ),
    ViewSpec(
        "assessments:schedule_edit",
        kwargs=_reference,
        writes=True,
        post_data=lambda world: {"cadence": "monthly", "grace_days": "5"},
    ),
    ViewSpec("assessments:report_detail", kwargs=_report(ReportStatus.DONE)),
    ViewSpec("assessments:report_status", kwargs=_report(ReportStatus.RUNNING)),
    ViewSpec("assessments:report_download", kwargs=_report(ReportStatus.DONE)),
    ViewSpec(
        "assessments:report_retry",
        kwargs=_report(ReportStatus.FAILED),
        writes=True,
        post_data=lambda world: {},
    ),
    # Re-issuing is requesting the report again: the same people may.
    ViewSpec(
        "assessments:report_reissue",
        kwargs=_report(ReportStatus.DONE),
        writes=True,
        post_data=lambda world: {
            "reason": "Evidence was missing.",
            "distribution": "partners_auditors",
        },
    ),
]
