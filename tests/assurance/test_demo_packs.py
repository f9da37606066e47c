"""The demo's audit pack (manage.py load_demo): one of the Calder supplier
programme, which the demo's external auditor is granted and downloads."""

import pytest
from django.contrib.auth import get_user_model

from assessments.choices import ReportStatus
from assessments.demo import demo_reports_load
from assurance.demo_packs import DEMO_PACK_RELATIONSHIP, demo_audit_packs_load
from assurance.models import AuditPack, AuditPackStatus
from relationships.demo import demo_load
from tests.assurance.factories_packs import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def test_demo_makes_one_pack_of_the_granted_programme_once(client) -> None:
    demo_load()
    demo_reports_load()
    demo_audit_packs_load()
    demo_audit_packs_load()

    pack = AuditPack.objects.get()
    assert pack.relationship.reference == DEMO_PACK_RELATIONSHIP
    assert pack.status == AuditPackStatus.DONE and pack.page_count > 5
    report = pack.relationship.reports.get()
    assert report.status == ReportStatus.DONE
    text = pdf_text(pack)
    assert report.number in text
    assert "Exit arrangements not reviewed after the contract renewal" in text
    # Calder's own finding is its management system's record, not the pack's.
    assert "Evaluation of one supplier not recorded" not in text
    client.force_login(get_user_model().objects.get(username="erin.audit"))
    response = client.get(pack.download_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
