"""Writes for the lifecycle: stage moves, artefact evidence, documents."""

import datetime
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from principles.models import LifecycleStage, StageArtefact
from relationships.choices import EvidenceStatus
from relationships.concurrency import revision_claim, revision_claim_or_new
from relationships.filetypes import ACCEPTED_TYPES, megabytes, upload_content_type
from relationships.models import (
    ArtefactEvidence,
    DocumentRevision,
    Objective,
    Partnership,
    Relationship,
    RelationshipDocument,
    Risk,
    StageTransition,
)
from relationships.selectors.documents import document_current_revision
from relationships.services.documents import (
    document_revision_first,
    review_dates_errors,
)

# A document is a partner-private record like a register entry: the same checks.
from relationships.services.registers import (
    _partnership_errors,
    _privacy_errors,
    _set_sharing,
    _sharing_on_create,
)

REASON_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 2000
DOCUMENT_EXTENSIONS = tuple(ACCEPTED_TYPES)


def document_file_validate(file: UploadedFile) -> str:
    """Refuse files over the size limit (UPLOAD_MAX_BYTES), empty files, types the
    app does not accept and content that is not what the name says; return the
    checked media type."""
    extension = PurePath(file.name or "").suffix.lower().lstrip(".")
    if extension not in DOCUMENT_EXTENSIONS:
        allowed = ", ".join(DOCUMENT_EXTENSIONS)
        raise ValidationError(
            f"Files of type “.{extension or '?'}” are not accepted. "
            f"Upload one of: {allowed}.",
            code="extension",
        )
    if not file.size:
        raise ValidationError("The file is empty.", code="empty")
    if file.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            f"The file is {file.size / (1024 * 1024):.1f} MB; the limit is "
            f"{megabytes(settings.UPLOAD_MAX_BYTES)}.",
            code="size",
        )
    return upload_content_type(file)


def _required_text(value: str, *, field: str, max_length: int, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: message})
    if len(text) > max_length:
        raise ValidationError(
            {field: f"Keep it under {max_length} characters ({len(text)} now)."}
        )
    return text


@transaction.atomic
def stage_move(
    *,
    relationship: Relationship,
    to_stage: LifecycleStage,
    reason: str,
    user: AbstractBaseUser,
) -> StageTransition:
    """Move a relationship to another lifecycle stage, recording who, when and why.

    Missing artefacts never block a move: partners may move on and catch up.
    """
    reason = _required_text(
        reason,
        field="reason",
        max_length=REASON_MAX_LENGTH,
        message="Say why the relationship moves to this stage.",
    )
    # Lock the row so that two simultaneous moves record a consistent history.
    locked = (
        Relationship.objects.select_for_update()
        .select_related("stage")
        .get(pk=relationship.pk)
    )
    if to_stage.pk == locked.stage_id:
        raise ValidationError(
            {
                "to_stage": (
                    f"The relationship is already at stage {locked.stage}. "
                    "Choose another stage."
                )
            }
        )
    transition = StageTransition(
        relationship=locked,
        from_stage=locked.stage,
        to_stage=to_stage,
        reason=reason,
        moved_by=user,
    )
    transition.full_clean()
    transition._history_user = user
    locked.stage = to_stage
    locked.full_clean()
    locked._history_user = user
    locked.save(update_fields=["stage", "updated_at"])
    transition.save()
    relationship.stage = to_stage
    return transition


def _links_belong_to(
    relationship: Relationship,
    *,
    objective: Objective | None,
    risk: Risk | None,
    document: RelationshipDocument | None,
) -> None:
    errors = {}
    if objective is not None and objective.relationship_id != relationship.pk:
        errors["objective"] = "This objective belongs to another relationship."
    if risk is not None and risk.relationship_id != relationship.pk:
        errors["risk"] = "This risk belongs to another relationship."
    if document is not None and document.relationship_id != relationship.pk:
        errors["document"] = "This document belongs to another relationship."
    if errors:
        raise ValidationError(errors)


def _revision_to_link(
    evidence: ArtefactEvidence,
    document: RelationshipDocument | None,
    *,
    link_current: bool,
) -> DocumentRevision | None:
    if document is None:
        return None
    keep = (
        not link_current
        and evidence.document_id == document.pk
        and evidence.document_revision_id is not None
    )
    if keep:
        return evidence.document_revision
    return document_current_revision(document=document)


def _evidence_for_update(
    relationship: Relationship,
    artefact: StageArtefact,
    *,
    expected_revision: int | None,
) -> ArtefactEvidence:
    """The artefact's record, claimed from the revision the form was opened at
    (0: there was none yet), or StaleEdit."""
    # Two first saves of one artefact take turns on the relationship's row, so the
    # second finds the first's record instead of inserting a duplicate.
    Relationship.objects.select_for_update(no_key=True).filter(
        pk=relationship.pk
    ).values_list("pk").get()
    return revision_claim_or_new(
        ArtefactEvidence.objects.filter(
            relationship=relationship, artefact=artefact
        ).first(),
        expected_revision=expected_revision,
        new=lambda: ArtefactEvidence(relationship=relationship, artefact=artefact),
    )


@transaction.atomic
def artefact_evidence_record(
    *,
    relationship: Relationship,
    artefact: StageArtefact,
    user: AbstractBaseUser,
    expected_revision: int | None,
    plan_section_key: str = "",
    objective: Objective | None = None,
    risk: Risk | None = None,
    document: RelationshipDocument | None = None,
    new_document_file: UploadedFile | None = None,
    new_document_title: str = "",
    note: str = "",
    link_current_revision: bool = False,
) -> ArtefactEvidence:
    """Record what evidences an artefact: any of a plan section, an objective, a
    risk, an existing document or a newly uploaded one (all of this relationship).
    A document is linked at a revision: the one linked before when the document
    stays the same (unless `link_current_revision`), else its current one.

    Refused with StaleEdit when the record changed since the form was opened at
    `expected_revision` (0 when there was none).
    """
    _links_belong_to(relationship, objective=objective, risk=risk, document=document)
    if document is not None and new_document_file is not None:
        raise ValidationError(
            {"document": "Choose an existing document or upload a new one, not both."}
        )
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"note": f"Keep the note under {NOTE_MAX_LENGTH} characters."}
        )
    evidence = _evidence_for_update(
        relationship, artefact, expected_revision=expected_revision
    )
    if new_document_file is not None:
        document = document_upload(
            relationship=relationship,
            user=user,
            file=new_document_file,
            title=new_document_title,
            description=f"Evidence for “{artefact.name}”.",
        )
    evidence.status = EvidenceStatus.EVIDENCED
    evidence.plan_section_key = plan_section_key or ""
    evidence.objective = objective
    evidence.risk = risk
    evidence.document_revision = _revision_to_link(
        evidence, document, link_current=link_current_revision
    )
    evidence.document = document
    evidence.note = note
    evidence.recorded_by = user
    evidence._history_user = user
    try:
        evidence.full_clean()
    except ValidationError:
        # The transaction rolls the document row back; its file must go too.
        if new_document_file is not None and document is not None:
            document.file.delete(save=False)
        raise
    evidence.save()
    return evidence


@transaction.atomic
def artefact_evidence_skip(
    *,
    relationship: Relationship,
    artefact: StageArtefact,
    user: AbstractBaseUser,
    reason: str,
    expected_revision: int | None,
) -> ArtefactEvidence:
    """Record that the partners agreed to skip an artefact, and why (StaleEdit
    when the record changed since the form was opened)."""
    reason = _required_text(
        reason,
        field="note",
        max_length=NOTE_MAX_LENGTH,
        message="Say why the partners agree to skip this item.",
    )
    evidence = _evidence_for_update(
        relationship, artefact, expected_revision=expected_revision
    )
    evidence.status = EvidenceStatus.SKIPPED
    evidence.plan_section_key = ""
    evidence.objective = None
    evidence.risk = None
    evidence.document = None
    evidence.document_revision = None
    evidence.note = reason
    evidence.recorded_by = user
    evidence._history_user = user
    evidence.full_clean()
    evidence.save()
    return evidence


@transaction.atomic
def artefact_evidence_clear(
    *,
    relationship: Relationship,
    artefact: StageArtefact,
    expected_revision: int | None,
    user: AbstractBaseUser,
) -> bool:
    """Forget the evidence or skip of an artefact as the person saw it (StaleEdit
    when it changed since); True when there was any."""
    evidence = ArtefactEvidence.objects.filter(
        relationship=relationship, artefact=artefact
    ).first()
    if evidence is None:
        return False
    revision_claim(evidence, expected_revision=expected_revision)
    # Deleted one by one, not by queryset, so the history names who cleared it.
    evidence._history_user = user
    evidence.delete()
    return True


@transaction.atomic
def document_upload(
    *,
    relationship: Relationship,
    user: AbstractBaseUser,
    file: UploadedFile,
    title: str = "",
    description: str = "",
    owner_partnership: Partnership | None = None,
    visibility: str | None = None,
    shared_with: list[Partnership] | None = None,
    review_due_on: datetime.date | None = None,
    expires_on: datetime.date | None = None,
) -> RelationshipDocument:
    """Store a file as a document of the relationship (size limit, listed types
    checked by content; the checked media type is stored with it):
    joint, or a partner's own (private to it by default in a programme of
    several partners, as register entries are). Its file becomes revision 1,
    with its SHA-256; a review date and an expiry date are optional."""
    try:
        content_type = document_file_validate(file)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    document = RelationshipDocument(
        relationship=relationship,
        owner_partnership=owner_partnership,
        title=(title or "").strip() or PurePath(file.name).stem[:200],
        file=file,
        content_type=content_type,
        description=(description or "").strip(),
        uploaded_by=user,
        review_due_on=review_due_on,
        expires_on=expires_on,
    )
    privacy = {
        name: value
        for name, value in (("visibility", visibility), ("shared_with", shared_with))
        if value is not None
    }
    if visibility is not None:
        document.visibility = visibility
    shared_with = _sharing_on_create(document, privacy)
    errors = {
        **_partnership_errors(
            relationship=relationship,
            name="owner_partnership",
            partnership=owner_partnership,
        ),
        **_privacy_errors(document, shared_with, user=user),
        **review_dates_errors(review_due_on, expires_on),
    }
    if errors:
        raise ValidationError(errors)
    document.full_clean()
    document._history_user = user
    document.save()
    try:
        document_revision_first(document=document, user=user)
    except Exception:
        document.file.delete(save=False)
        raise
    _set_sharing(document, shared_with)
    return document
