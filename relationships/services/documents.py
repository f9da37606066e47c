"""Writes for the evidence library: a document's revisions and review dates."""

import datetime
import hashlib

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from relationships.access import record_check_changeable
from relationships.concurrency import revision_claim
from relationships.models import DocumentRevision, RelationshipDocument

CHANGE_NOTE_MAX_LENGTH = 2000


def file_sha256(file: UploadedFile) -> str:
    """The SHA-256 of an uploaded file's bytes; the file is left at its start."""
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def document_revision_first(
    *, document: RelationshipDocument, user: AbstractBaseUser | None
) -> DocumentRevision:
    """Revision 1 of a document just stored: the same stored file, its digest.
    Called by document_upload inside its transaction."""
    with document.file.open("rb") as handle:
        digest = hashlib.sha256()
        for chunk in handle.chunks():
            digest.update(chunk)
    revision = DocumentRevision(
        document=document,
        number=1,
        file=document.file.name,
        sha256=digest.hexdigest(),
        content_type=document.content_type,
        size_bytes=document.file.size,
        uploaded_by=user,
        uploaded_at=document.uploaded_at,
        change_note="First upload.",
    )
    revision.full_clean()
    revision._history_user = user
    revision.save()
    return revision


def _change_note(value: str) -> str:
    note = (value or "").strip()
    if not note:
        raise ValidationError({"change_note": "Say what changed in this revision."})
    if len(note) > CHANGE_NOTE_MAX_LENGTH:
        raise ValidationError(
            {
                "change_note": (
                    f"Keep the note under {CHANGE_NOTE_MAX_LENGTH} characters "
                    f"({len(note)} now)."
                )
            }
        )
    return note


@transaction.atomic
def document_revision_upload(
    *,
    document: RelationshipDocument,
    user: AbstractBaseUser,
    file: UploadedFile,
    change_note: str,
) -> DocumentRevision:
    """Store a new file as the document's next revision, which becomes its
    current one (the size limit and the checked types as for any upload).

    Either the revision, its file and the document's pointer to it are all
    stored, or nothing is.
    """
    # Imported here: lifecycle imports this module for revision 1.
    from relationships.services.lifecycle import document_file_validate

    record_check_changeable(user=user, record=document)
    note = _change_note(change_note)
    try:
        content_type = document_file_validate(file)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    # Two uploads at once take turns, so each gets its own number.
    locked = RelationshipDocument.objects.select_for_update().get(pk=document.pk)
    number = (locked.revisions.aggregate(last=Max("number"))["last"] or 0) + 1
    revision = DocumentRevision(
        document=locked,
        number=number,
        file=file,
        sha256=file_sha256(file),
        content_type=content_type,
        size_bytes=file.size,
        uploaded_by=user,
        uploaded_at=timezone.now(),
        change_note=note,
    )
    revision.full_clean()
    revision._history_user = user
    revision.save()
    try:
        # The document's own file is its current revision's: existing download
        # links, exports and lists keep showing the current file.
        locked.file = revision.file.name
        locked.content_type = content_type
        locked._history_user = user
        locked.save(update_fields=["file", "content_type"])
    except Exception:
        revision.file.delete(save=False)
        raise
    document.file = locked.file
    document.content_type = content_type
    return revision


def review_dates_errors(
    review_due_on: datetime.date | None, expires_on: datetime.date | None
) -> dict[str, str]:
    """A review date after the expiry date makes no sense: refused."""
    if review_due_on and expires_on and review_due_on > expires_on:
        return {"review_due_on": "Review the document before it expires."}
    return {}


@transaction.atomic
def document_review_dates_set(
    *,
    document: RelationshipDocument,
    user: AbstractBaseUser,
    review_due_on: datetime.date | None,
    expires_on: datetime.date | None,
    expected_revision: int | None,
) -> RelationshipDocument:
    """Set when the document is next reviewed and when it expires (either may be
    empty); StaleEdit when it changed since the form was opened."""
    record_check_changeable(user=user, record=document)
    if errors := review_dates_errors(review_due_on, expires_on):
        raise ValidationError(errors)
    revision_claim(document, expected_revision=expected_revision)
    document.refresh_from_db()
    document.review_due_on = review_due_on
    document.expires_on = expires_on
    document.full_clean()
    document._history_user = user
    document.save(update_fields=["review_due_on", "expires_on"])
    return document
