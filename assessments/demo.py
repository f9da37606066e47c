"""Demo reports: the richest demo relationship's earliest finished period is
reported as the daily job back-fills it (showing that period as it stood then),
and re-issued once, so the demo shows a report number, an issue chain and both
files. Called by `manage.py load_demo` after `demo_load` (PDFs take seconds to
draw, so the tests that load the demo many times do without); safe to run
again."""

from assessments.choices import ReportStatus
from assessments.selectors.reports import relationship_finished_periods
from assessments.services.reports import (
    report_reissue,
    report_render,
    report_request,
)
from assessments.services.schedules import DAILY_SCHEDULE_NAME
from relationships.choices import PartnerRole
from relationships.models import ArtefactEvidence, Relationship

DEMO_REPORTED_RELATIONSHIP = "ubc-northbridge-lumen"
DEMO_REISSUE_REASON = (
    "Re-issued after the partners linked the review minutes to the joint "
    "ratings' evidence; the first issue was sent before they were filed."
)


def demo_reports_load() -> None:
    """Back-fill and re-issue one report of the demo's richest relationship.
    Rendered here rather than by the worker, so the re-issue has a finished
    issue to supersede whatever broker the demo runs with."""
    relationship = Relationship.objects.filter(
        reference=DEMO_REPORTED_RELATIONSHIP
    ).first()
    if relationship is None:
        return
    periods = relationship_finished_periods(relationship=relationship)
    if not periods:
        return
    report, created = report_request(
        relationship=relationship,
        period=periods[-1],
        schedule_name=DAILY_SCHEDULE_NAME,
    )
    if not created:
        return  # loaded before: leave it (and any re-issue) as it is
    _date_evidence_history(relationship=relationship)
    report_render(report_id=report.pk)
    report.refresh_from_db()
    if report.status != ReportStatus.DONE:
        return
    lead = relationship.partnerships.filter(role=PartnerRole.LEAD).first()
    reissued = report_reissue(
        report=report,
        reason=DEMO_REISSUE_REASON,
        user=lead.relationship_manager if lead else None,
    )
    report_render(report_id=reissued.pk)


def _date_evidence_history(*, relationship: Relationship) -> None:
    """The demo dates its lifecycle evidence in the story (`recorded_at`) but its
    history rows at the load: date the creation rows as the story has them, so
    a report of an earlier period finds the evidence recorded by then."""
    history = ArtefactEvidence.history.model.objects.filter(
        relationship_id=relationship.pk, history_type="+"
    )
    for evidence_id, recorded_at in ArtefactEvidence.objects.filter(
        relationship=relationship
    ).values_list("pk", "recorded_at"):
        history.filter(id=evidence_id, history_date__gt=recorded_at).update(
            history_date=recorded_at
        )
