"""Permission-matrix entries for the lifecycle views (see tests/permissions.py)."""

from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile

from relationships.services.lifecycle import document_upload
from tests.permissions import ViewSpec
from tests.relationships.factories_lifecycle import (
    ArtefactEvidenceFactory,
    RelationshipDocumentFactory,
    first_artefact,
    stage,
)


def _reference(world) -> dict:
    return {"reference": world.relationship.reference}


def _artefact(world) -> dict:
    return {**_reference(world), "artefact_pk": first_artefact().pk}


def _recorded_artefact(world) -> dict:
    evidence = ArtefactEvidenceFactory(
        relationship=world.relationship, artefact=first_artefact()
    )
    return {**_reference(world), "artefact_pk": evidence.artefact_id}


def _document(world) -> dict:
    document = RelationshipDocumentFactory(
        relationship=world.relationship, uploaded_by=world.alice
    )
    return {**_reference(world), "pk": document.pk}


def _first_revision(kwargs: Callable[[object], dict]) -> Callable[[object], dict]:
    return lambda world: {**kwargs(world), "number": 1}


def _new_revision(world) -> dict:
    return {
        "file": SimpleUploadedFile("hijack.txt", b"hijacked"),
        "change_note": "Hijacked",
    }


def _new_dates(world) -> dict:
    return {"revision": 1, "review_due_on": "2030-01-01"}


LIFECYCLE_VIEWS: list[ViewSpec] = [
    ViewSpec("relationships:relationship_lifecycle", kwargs=_reference),
    ViewSpec(
        "relationships:stage_move",
        kwargs=_reference,
        writes=True,
        post_data=lambda world: {"to_stage": stage(6).pk, "reason": "Hijacked"},
    ),
    ViewSpec(
        "relationships:artefact_evidence_edit",
        kwargs=_artefact,
        writes=True,
        post_data=lambda world: {"status": "skipped", "note": "Hijacked"},
    ),
    ViewSpec(
        "relationships:artefact_evidence_clear",
        kwargs=_recorded_artefact,
        writes=True,
        post_data=lambda world: {},
    ),
    ViewSpec(
        "relationships:relationship_documents",
        kwargs=_reference,
        post_data=lambda world: {
            "title": "Hijacked",
            "file": SimpleUploadedFile("hijack.txt", b"hijacked"),
        },
    ),
    ViewSpec("relationships:document_download", kwargs=_document),
    ViewSpec("relationships:document_detail", kwargs=_document),
    ViewSpec(
        "relationships:document_revision_download",
        kwargs=_first_revision(_document),
    ),
    ViewSpec(
        "relationships:document_revision_upload",
        kwargs=_document,
        writes=True,
        post_data=_new_revision,
    ),
    ViewSpec(
        "relationships:document_review_dates_edit",
        kwargs=_document,
        writes=True,
        post_data=_new_dates,
    ),
]


def _private_document(world) -> dict:
    """Bob's supplier's own document, in a programme of three partners."""
    document = document_upload(
        relationship=world.relationship,
        user=world.bob,
        file=SimpleUploadedFile("own.txt", b"Kept.\n"),
        owner_partnership=world.partner,
    )
    assert document.is_private
    return {**_reference(world), "pk": document.pk}


PRIVATE_LIFECYCLE_VIEWS: list[ViewSpec] = [
    ViewSpec("relationships:document_download", kwargs=_private_document),
    ViewSpec("relationships:document_detail", kwargs=_private_document),
    ViewSpec(
        "relationships:document_revision_download",
        kwargs=_first_revision(_private_document),
    ),
    ViewSpec(
        "relationships:document_revision_upload",
        kwargs=_private_document,
        writes=True,
        post_data=_new_revision,
    ),
    ViewSpec(
        "relationships:document_review_dates_edit",
        kwargs=_private_document,
        writes=True,
        post_data=_new_dates,
    ),
]
