"""Two new revisions of one document uploaded at the same instant (PostgreSQL):
both are kept, numbered one after the other, and the document's file is the
one numbered last."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from relationships.models import RelationshipDocument
from relationships.services.documents import document_revision_upload
from relationships.services.lifecycle import document_upload
from tests.concurrency.race import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TRIALS = 10


def _uploader(document: RelationshipDocument, user: Any, content: bytes):
    def upload() -> Any:
        return document_revision_upload(
            document=RelationshipDocument.objects.get(pk=document.pk),
            user=user,
            file=SimpleUploadedFile("minutes.txt", content),
            change_note="Updated at the same time.",
        )

    return upload


def test_simultaneous_revisions_get_their_own_numbers(
    world, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    for trial in range(TRIALS):
        document = document_upload(
            relationship=world.relationship,
            user=world.alice,
            file=SimpleUploadedFile("minutes.txt", b"First.\n"),
            title=f"Minutes {trial}",
        )
        outcome = race(
            _uploader(document, world.alice, b"Alice's edit.\n"),
            _uploader(document, world.bob, b"Bob's edit.\n"),
        )
        assert outcome.errors == [None, None], outcome.errors
        numbers = sorted(revision.number for revision in outcome.results)
        assert numbers == [2, 3]
        document.refresh_from_db()
        latest = document.revisions.order_by("-number").first()
        assert document.file.name == latest.file.name
        assert document.revisions.count() == 3
