"""The demo's findings, corrective actions and internal audits."""

import pytest
from django.apps import apps
from django.utils import timezone

from assurance.models import CorrectiveAction, Finding, InternalAudit, PlannedAudit
from assurance.models.audits import PlannedAuditStatus
from assurance.models.findings import CorrectiveActionStatus, FindingStatus
from assurance.selectors.findings import finding_close_blocker
from assurance.services.findings import corrective_actions_notify_overdue
from relationships.demo import LARGE_MSME, demo_load

pytestmark = pytest.mark.django_db


def _rows() -> dict[str, list[dict]]:
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_app_config("assurance").get_models()
    }


def test_the_demo_tells_the_findings_story_and_loads_once() -> None:
    demo_load()
    today = timezone.localdate()

    verified = CorrectiveAction.objects.get(status=CorrectiveActionStatus.VERIFIED)
    assert verified.finding.status == FindingStatus.CLOSED
    assert verified.verified_by != verified.owner
    assert verified.finding.relationship.reference == LARGE_MSME

    overdue = [action for action in CorrectiveAction.objects.all() if action.is_overdue]
    assert len(overdue) == 1
    assert overdue[0].due_date < today
    assert finding_close_blocker(finding=overdue[0].finding)

    audit = InternalAudit.objects.get()
    raised = Finding.objects.get(internal_audit=audit)
    assert raised.organisation == audit.organisation
    assert audit.planned_audit.status == PlannedAuditStatus.DONE
    assert PlannedAudit.objects.filter(
        status=PlannedAuditStatus.PLANNED, planned_for__gt=today
    ).exists()
    for finding in Finding.objects.all():
        finding.full_clean()

    before = _rows()
    assert "findings" not in demo_load().created
    assert _rows() == before
    assert corrective_actions_notify_overdue(today=today) == 1
