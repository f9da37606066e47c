"""The demo's audit pack: one of the Calder supplier programme, the relationship
the demo's external auditor (erin.audit) is granted, so she has one to download.
Rendered here rather than by the worker, like the demo's reports."""

from assessments.selectors.reports import relationship_finished_periods
from assessments.services.reports import report_render, report_request
from assessments.services.schedules import DAILY_SCHEDULE_NAME
from assurance.models import AuditPack
from assurance.selectors.findings import FindingScope
from assurance.services.packs import audit_pack_render, audit_pack_request
from relationships.choices import PartnerRole
from relationships.demo import LARGE_MSME
from relationships.models import Relationship

DEMO_PACK_RELATIONSHIP = LARGE_MSME


def demo_audit_packs_load() -> None:
    """Make and render the programme's latest report and its first audit pack
    (which lists that report), once."""
    relationship = Relationship.objects.filter(reference=DEMO_PACK_RELATIONSHIP).first()
    if (
        relationship is None
        or AuditPack.objects.filter(relationship=relationship).exists()
    ):
        return  # not loaded, or loaded before: leave its packs as they are
    periods = relationship_finished_periods(relationship=relationship)
    if periods:
        report, _ = report_request(
            relationship=relationship,
            period=periods[0],
            schedule_name=DAILY_SCHEDULE_NAME,
        )
        report_render(report_id=report.pk)
    lead = relationship.partnerships.filter(role=PartnerRole.LEAD).first()
    pack = audit_pack_request(
        scope=FindingScope(relationship=relationship),
        user=lead.relationship_manager if lead else None,
    )
    audit_pack_render(pack_id=pack.pk)
