"""The audit pack pages: requesting one, its page, the downloads, and what is
refused (never a 500, nothing half-saved)."""

import pytest
from django.urls import reverse

from assurance.models import AuditPack, AuditPackStatus
from tests.assurance.specs_packs import stored_pack

pytestmark = pytest.mark.django_db


def _packs_url(world, name: str = "audit_packs", **extra) -> str:
    return reverse(
        f"assurance:relationship_{name}",
        kwargs={"reference": world.relationship.reference, **extra},
    )


def test_a_writer_generates_a_pack_and_is_told_it_is_queued(
    login, world, django_capture_on_commit_callbacks
) -> None:
    client = login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_packs_url(world, "audit_pack_request"))
    pack = AuditPack.objects.get()
    assert response["Location"] == pack.get_absolute_url()
    pack.refresh_from_db()
    assert pack.status == AuditPackStatus.DONE  # eager Celery, after the commit
    page = client.get(response["Location"]).content.decode()
    assert f"Audit pack {pack.number} is queued" in page  # told before it ran
    assert pack.pdf_sha256 in page and pack.xlsx_sha256 in page
    listing = client.get(_packs_url(world)).content.decode()
    assert pack.number in listing and "Generate audit pack" in listing


def test_the_downloads_are_attachments_that_are_not_sniffed(login, world) -> None:
    pack = stored_pack(relationship=world.relationship)
    client = login(world.dave)
    pdf = client.get(_packs_url(world, "audit_pack_download", pk=pack.pk))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("attachment;")
    assert f"{pack.number}-audit-pack.pdf" in pdf["Content-Disposition"]
    assert pdf["X-Content-Type-Options"] == "nosniff"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    xlsx = client.get(_packs_url(world, "audit_pack_workbook", pk=pack.pk))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert xlsx["Content-Disposition"].startswith("attachment;")
    assert xlsx["X-Content-Type-Options"] == "nosniff"


def test_readers_see_the_list_without_the_button(login, world) -> None:
    stored_pack(relationship=world.relationship)
    page = login(world.dave).get(_packs_url(world)).content.decode()
    assert "Read-only access" in page and "Generate audit pack" not in page


def test_the_empty_list_says_what_a_pack_is(login, world) -> None:
    page = login(world.alice).get(_packs_url(world)).content.decode()
    assert "No audit pack yet." in page


@pytest.mark.parametrize(
    ("persona", "status"), [("dave", 403), ("eve", 404), ("bob", 302)]
)
def test_only_writers_of_the_relationship_request_a_pack(
    login, world, persona: str, status: int
) -> None:
    response = login(world.persona(persona)).post(
        _packs_url(world, "audit_pack_request")
    )
    assert response.status_code == status
    assert AuditPack.objects.count() == (1 if status == 302 else 0)


def test_a_pack_of_another_scope_or_not_ready_is_a_404(login, world) -> None:
    other = stored_pack(relationship=world.outsider_relationship)
    own_organisation = stored_pack(organisation=world.lead.organisation)
    queued = stored_pack(relationship=world.relationship, status=AuditPackStatus.QUEUED)
    client = login(world.alice)
    for pk in (other.pk, own_organisation.pk, 999_999):
        for name in ("audit_pack_detail", "audit_pack_download", "audit_pack_status"):
            assert client.get(_packs_url(world, name, pk=pk)).status_code == 404
    assert (
        client.get(_packs_url(world, "audit_pack_download", pk=queued.pk)).status_code
        == 404
    )
    status = client.get(_packs_url(world, "audit_pack_status", pk=queued.pk)).json()
    assert status["status"] == "queued" and status["download_url"] == ""


def test_retry_queues_a_failed_pack_and_refuses_a_done_one(
    login, world, django_capture_on_commit_callbacks
) -> None:
    failed = stored_pack(relationship=world.relationship, status=AuditPackStatus.FAILED)
    done = stored_pack(relationship=world.relationship)
    client = login(world.alice)
    response = client.post(
        _packs_url(world, "audit_pack_retry", pk=done.pk), follow=True
    )
    assert "Only a failed pack can be retried" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_packs_url(world, "audit_pack_retry", pk=failed.pk))
    failed.refresh_from_db()
    assert failed.status == AuditPackStatus.DONE  # rendered again, eagerly
    assert failed.pdf_sha256 and failed.error == ""


def test_the_organisation_pack_is_for_its_members_only(login, world) -> None:
    slug = world.lead.organisation.slug
    url = reverse("assurance:organisation_audit_pack_request", kwargs={"slug": slug})
    assert login(world.bob).post(url).status_code == 404
    response = login(world.alice).post(url)
    pack = AuditPack.objects.get()
    assert response.status_code == 302 and pack.organisation == world.lead.organisation
    assert pack.number == f"{slug}-AP-001"
