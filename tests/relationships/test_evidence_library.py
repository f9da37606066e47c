"""The evidence library: a document's revisions (numbered, immutable, each with
its SHA-256 and its own download), review and expiry dates with their flags, and
the refusals of a bad new revision."""

import datetime
import hashlib
import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from relationships.concurrency import StaleEdit
from relationships.models import DocumentRevision, RelationshipDocument
from relationships.services.documents import (
    document_review_dates_set,
    document_revision_upload,
)
from relationships.services.lifecycle import document_upload
from tests.relationships.factories_lifecycle import RelationshipDocumentFactory
from tests.relationships.sample_files import MINIMAL_PDF

pytestmark = pytest.mark.django_db

FIRST = b"Charter, as signed in January.\n"
SECOND = b"Charter, amended after the joint review.\n"

revision_one_migration = importlib.import_module(
    "relationships.migrations.0013_document_revision_one"
)


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def charter(world, media_root) -> RelationshipDocument:
    return document_upload(
        relationship=world.relationship,
        user=world.alice,
        file=SimpleUploadedFile("charter.txt", FIRST),
        title="Charter",
    )


def _url(name: str, document: RelationshipDocument, **extra: object) -> str:
    return reverse(
        f"relationships:{name}",
        kwargs={
            "reference": document.relationship.reference,
            "pk": document.pk,
            **extra,
        },
    )


def _stored_files(media_root: Path) -> list[Path]:
    return sorted(path for path in media_root.rglob("*") if path.is_file())


# --- revisions ---------------------------------------------------------------------


def test_an_upload_is_revision_one_with_the_sha256_of_its_bytes(charter) -> None:
    revision = charter.revisions.get()
    assert revision.number == 1
    assert revision.sha256 == hashlib.sha256(FIRST).hexdigest()
    assert revision.size_bytes == len(FIRST)
    assert revision.content_type.startswith("text/plain")
    assert revision.uploaded_by.username == "alice"
    assert revision.file.name == charter.file.name
    assert revision.label == f"Rev 1 (sha {revision.sha256[:12]})"


def test_new_revisions_are_numbered_on_and_become_current(world, charter) -> None:
    second = document_revision_upload(
        document=charter,
        user=world.bob,
        file=SimpleUploadedFile("charter.pdf", MINIMAL_PDF),
        change_note="Signed copy.",
    )
    third = document_revision_upload(
        document=charter,
        user=world.alice,
        file=SimpleUploadedFile("charter.txt", SECOND),
        change_note="Amended.",
    )
    assert [second.number, third.number] == [2, 3]
    assert second.sha256 == hashlib.sha256(MINIMAL_PDF).hexdigest()
    assert second.content_type == "application/pdf"
    charter.refresh_from_db()
    # The document's own file is its current revision's.
    assert charter.file.name == third.file.name
    assert list(charter.revisions.values_list("number", flat=True)) == [3, 2, 1]


def test_a_stored_revision_is_never_changed(charter) -> None:
    revision = charter.revisions.get()
    revision.change_note = "Rewritten history"
    with pytest.raises(ValueError, match="never changed"):
        revision.save()
    revision.refresh_from_db()
    assert revision.change_note == "First upload."


def test_the_page_lists_each_revision_with_its_hash_who_and_note(
    login, world, charter
) -> None:
    document_revision_upload(
        document=charter,
        user=world.bob,
        file=SimpleUploadedFile("charter.txt", SECOND),
        change_note="Amended after the joint review.",
    )
    response = login(world.dave).get(_url("document_detail", charter))
    html = response.content.decode()
    assert response.status_code == 200
    assert hashlib.sha256(FIRST).hexdigest() in html
    assert hashlib.sha256(SECOND).hexdigest() in html
    assert "Amended after the joint review." in html
    assert world.bob.get_full_name() in html
    assert _url("document_revision_download", charter, number=1) in html
    # The auditor reads, and is offered no upload.
    assert _url("document_revision_upload", charter) not in html


def test_an_old_revision_stays_downloadable_as_its_own_attachment(
    login, world, charter
) -> None:
    document_revision_upload(
        document=charter,
        user=world.alice,
        file=SimpleUploadedFile("charter.pdf", MINIMAL_PDF),
        change_note="Signed copy.",
    )
    client = login(world.bob)
    old = client.get(_url("document_revision_download", charter, number=1))
    assert old.status_code == 200
    assert b"".join(old.streaming_content) == FIRST
    assert old["Content-Type"].startswith("text/plain")
    assert old["X-Content-Type-Options"] == "nosniff"
    assert old["Content-Disposition"].startswith("attachment;")
    assert "-rev1.txt" in old["Content-Disposition"]
    current = client.get(_url("document_download", charter))
    assert b"".join(current.streaming_content) == MINIMAL_PDF
    assert current["Content-Type"] == "application/pdf"
    assert current["Content-Disposition"].startswith("attachment;")
    missing = client.get(_url("document_revision_download", charter, number=9))
    assert missing.status_code == 404


def test_the_upload_page_stores_a_new_revision(login, world, charter) -> None:
    response = login(world.bob).post(
        _url("document_revision_upload", charter),
        {
            "file": SimpleUploadedFile("charter.txt", SECOND),
            "change_note": "Amended.",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == _url("document_detail", charter)
    assert charter.revisions.count() == 2


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("virus.exe", b"MZ\x90\x00"), "are not accepted"),
        (SimpleUploadedFile("fake.pdf", b"not a pdf at all"), "not a PDF"),
        (SimpleUploadedFile("empty.txt", b""), "empty"),
    ],
    ids=["type", "disguised", "empty"],
)
def test_a_refused_file_saves_nothing_and_says_why(
    login, world, charter, media_root, upload, message
) -> None:
    before = _stored_files(media_root)
    response = login(world.alice).post(
        _url("document_revision_upload", charter),
        {"file": upload, "change_note": "Try this."},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Nothing was uploaded" in response.content.decode()
    assert charter.revisions.count() == 1
    assert _stored_files(media_root) == before


def test_a_revision_over_the_size_limit_is_refused_with_a_message(
    login, world, charter, media_root, settings
) -> None:
    settings.UPLOAD_MAX_BYTES = 1024
    before = _stored_files(media_root)
    response = login(world.alice).post(
        _url("document_revision_upload", charter),
        {
            "file": SimpleUploadedFile("big.txt", b"x" * 4096),
            "change_note": "Bigger.",
        },
    )
    assert response.status_code == 200
    assert "the limit is" in response.content.decode()
    assert charter.revisions.count() == 1
    assert _stored_files(media_root) == before


def test_a_revision_without_a_change_note_is_refused(login, world, charter) -> None:
    response = login(world.alice).post(
        _url("document_revision_upload", charter),
        {"file": SimpleUploadedFile("charter.txt", SECOND), "change_note": "  "},
    )
    assert response.status_code == 200
    assert "Say what changed in this revision." in response.content.decode()
    assert charter.revisions.count() == 1


def test_another_partners_private_document_gets_no_revision(
    world, frank, media_root
) -> None:
    private = document_upload(
        relationship=world.relationship,
        user=world.bob,
        file=SimpleUploadedFile("costs.txt", b"Margins.\n"),
        owner_partnership=world.partner,
    )
    with pytest.raises(PermissionDenied):
        document_revision_upload(
            document=private,
            user=world.alice,
            file=SimpleUploadedFile("costs.txt", b"Rewritten.\n"),
            change_note="Not ours to change.",
        )
    assert private.revisions.count() == 1


# --- the data migration ---------------------------------------------------------------


def test_the_migration_makes_each_stored_file_its_revision_one(world) -> None:
    document = RelationshipDocumentFactory(
        relationship=world.relationship, uploaded_by=world.bob, first_revision=False
    )
    document.file.open("rb")
    content = document.file.read()
    document.file.close()
    revision_one_migration.document_revisions_from_files(apps, None)
    revision = document.revisions.get()
    assert revision.number == 1
    assert revision.sha256 == hashlib.sha256(content).hexdigest()
    assert revision.size_bytes == len(content)
    assert revision.file.name == document.file.name
    assert revision.uploaded_by == world.bob
    assert revision.uploaded_at == document.uploaded_at
    assert revision.content_type == document.content_type
    # Run again: nothing more.
    revision_one_migration.document_revisions_from_files(apps, None)
    assert document.revisions.count() == 1


def test_the_migration_says_so_when_a_file_cannot_be_read(world) -> None:
    document = RelationshipDocumentFactory(
        relationship=world.relationship, first_revision=False
    )
    document.file.storage.delete(document.file.name)
    revision_one_migration.document_revisions_from_files(apps, None)
    revision = document.revisions.get()
    assert revision.sha256 == ""
    assert revision.size_bytes is None
    assert "could not be read" in revision.change_note
    assert revision.label == "Rev 1 (SHA-256 unknown)"


# --- review and expiry dates ----------------------------------------------------------


def test_the_list_flags_review_due_and_expired(login, world, charter) -> None:
    today = datetime.date.today()
    document_review_dates_set(
        document=charter,
        user=world.alice,
        review_due_on=today - datetime.timedelta(days=3),
        expires_on=today - datetime.timedelta(days=1),
        expected_revision=charter.revision,
    )
    html = (
        login(world.bob)
        .get(
            reverse(
                "relationships:relationship_documents",
                kwargs={"reference": world.relationship.reference},
            )
        )
        .content.decode()
    )
    assert "Review due" in html
    assert "Expired" in html
    assert "Rev 1" in html


def test_the_dates_page_saves_and_refuses_a_review_after_expiry(
    login, world, charter
) -> None:
    client = login(world.alice)
    refused = client.post(
        _url("document_review_dates_edit", charter),
        {
            "revision": charter.revision,
            "review_due_on": "2031-01-01",
            "expires_on": "2030-01-01",
        },
    )
    assert refused.status_code == 200
    assert "Review the document before it expires." in refused.content.decode()
    charter.refresh_from_db()
    assert charter.review_due_on is None
    saved = client.post(
        _url("document_review_dates_edit", charter),
        {"revision": charter.revision, "review_due_on": "2030-01-01"},
    )
    assert saved.status_code == 302
    charter.refresh_from_db()
    assert charter.review_due_on == datetime.date(2030, 1, 1)
    assert charter.expires_on is None


def test_dates_saved_from_a_stale_form_are_refused(world, charter) -> None:
    opened_at = charter.revision
    document_review_dates_set(
        document=charter,
        user=world.bob,
        review_due_on=datetime.date(2030, 1, 1),
        expires_on=None,
        expected_revision=opened_at,
    )
    with pytest.raises(StaleEdit):
        document_review_dates_set(
            document=charter,
            user=world.alice,
            review_due_on=datetime.date(2031, 1, 1),
            expires_on=None,
            expected_revision=opened_at,
        )
    assert DocumentRevision.objects.filter(document=charter).count() == 1
