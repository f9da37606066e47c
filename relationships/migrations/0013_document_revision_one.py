"""Every document stored before revisions existed becomes its own revision 1."""

import hashlib

from django.db import migrations

UNREADABLE_NOTE = (
    "The file as first uploaded. It could not be read when revisions were "
    "introduced, so its SHA-256 and size are unknown."
)
FIRST_NOTE = "The file as first uploaded."


def _digest_and_size(stored_file) -> tuple[str, int] | None:
    """The SHA-256 and size of a stored file, None when it cannot be read."""
    if not stored_file.name:
        return None
    digest = hashlib.sha256()
    size = 0
    try:
        with stored_file.storage.open(stored_file.name, "rb") as handle:
            for chunk in iter(lambda: handle.read(64 * 1024), b""):
                digest.update(chunk)
                size += len(chunk)
    except OSError:
        return None
    return digest.hexdigest(), size


def document_revisions_from_files(apps, schema_editor) -> None:
    """Give each document without revisions a revision 1 of its stored file:
    the same stored name (nothing copied), its checked media type, who uploaded
    it and when, and the SHA-256 of its bytes where they can be read."""
    RelationshipDocument = apps.get_model("relationships", "RelationshipDocument")
    DocumentRevision = apps.get_model("relationships", "DocumentRevision")
    documents = RelationshipDocument.objects.filter(revisions__isnull=True).order_by(
        "pk"
    )
    for document in documents.iterator():
        read = _digest_and_size(document.file)
        DocumentRevision.objects.create(
            document=document,
            number=1,
            file=document.file.name,
            sha256=read[0] if read else "",
            size_bytes=read[1] if read else None,
            content_type=document.content_type,
            uploaded_by_id=document.uploaded_by_id,
            uploaded_at=document.uploaded_at,
            change_note=FIRST_NOTE if read else UNREADABLE_NOTE,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("relationships", "0012_document_revisions"),
    ]

    operations = [
        migrations.RunPython(
            document_revisions_from_files, migrations.RunPython.noop, elidable=False
        ),
    ]
