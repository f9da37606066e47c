"""Reads for the evidence library: a document's revisions, review and expiry
flags, the revisions other records may link to, and who a reminder goes to.

Every function takes a relationship (or document) the caller already obtained
through the access rules; which private documents a person sees is decided by
`visible_records` alone.
"""

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import Http404

from relationships.access import (
    AnyUser,
    changeable_records,
    partnerships_taking_part,
    record_check_changeable,
    relationship_get_for_editing,
    relationships_visible_to,
    user_can_edit_relationship,
    visible_records,
)
from relationships.evidence_dates import (
    DOCUMENT_REMINDER_DAYS,
    document_dates,
)
from relationships.models import (
    ArtefactEvidence,
    DocumentRevision,
    Relationship,
    RelationshipDocument,
)
from relationships.selectors.lifecycle import document_get_for_user


def document_revisions_of(
    *, document: RelationshipDocument
) -> QuerySet[DocumentRevision]:
    """A document's revisions, the current (latest) first."""
    return (
        DocumentRevision.objects.filter(document=document)
        .select_related("uploaded_by", "document__relationship")
        .order_by("-number")
    )


def document_current_revision(
    *, document: RelationshipDocument
) -> DocumentRevision | None:
    """The latest revision; None only for a document stored without one."""
    return document_revisions_of(document=document).first()


def document_revision_get_for_user(
    *, user: AnyUser, relationship: Relationship, pk: int, number: int
) -> DocumentRevision:
    """One revision of a document of this relationship that the user may see;
    anything else (another partner's private document too) is a 404."""
    try:
        return DocumentRevision.objects.select_related("document__relationship").get(
            visible_records(user, RelationshipDocument, via="document__"),
            document__relationship=relationship,
            document_id=pk,
            number=number,
        )
    except DocumentRevision.DoesNotExist as error:
        raise Http404("No such revision.") from error


def document_revision_choices_for_relationship(
    *, user: AnyUser | None, relationship: Relationship
) -> QuerySet[DocumentRevision]:
    """Every revision of the relationship's documents that the user may see
    (None: joint documents only), by document title, the current one first: what
    a form offers to link (see relationships.forms.documents)."""
    return (
        DocumentRevision.objects.filter(
            visible_records(user, RelationshipDocument, via="document__"),
            document__relationship=relationship,
        )
        .select_related("document__relationship", "uploaded_by")
        .order_by("document__title", "document_id", "-number")
    )


def evidence_revisions_for_relationship(
    *, user: AnyUser | None, relationship: Relationship
) -> list[DocumentRevision]:
    """The relationship's evidence revisions the user may see (None: joint
    documents only, as a PDF for every partner must hold), each with
    `is_current`: the list an audit pack prints."""
    revisions = list(
        document_revision_choices_for_relationship(
            user=user, relationship=relationship
        ).select_related("document__owner_partnership__organisation")
    )
    seen: set[int] = set()
    for revision in revisions:
        revision.is_current = revision.document_id not in seen
        seen.add(revision.document_id)
    return revisions


def revisions_current_for(
    documents: list[RelationshipDocument],
) -> dict[int, DocumentRevision]:
    """Document id -> its current revision, for the documents given (one query):
    what a new link to each of them names."""
    current: dict[int, DocumentRevision] = {}
    for revision in DocumentRevision.objects.filter(
        document_id__in=[document.pk for document in documents]
    ).order_by("document_id", "number"):
        current[revision.document_id] = revision
    return current


# --- reminders -------------------------------------------------------------------


def documents_to_remind(*, today: datetime.date) -> QuerySet[RelationshipDocument]:
    """Documents whose review or expiry date is within the reminder window or
    past, in every relationship."""
    soon = today + datetime.timedelta(days=DOCUMENT_REMINDER_DAYS)
    return (
        RelationshipDocument.objects.filter(
            Q(review_due_on__lte=soon) | Q(expires_on__lte=soon)
        )
        .select_related("relationship")
        .order_by("pk")
    )


def document_reminder_recipients(*, document: RelationshipDocument) -> list[str]:
    """Who is reminded of a document's review or expiry: whoever uploaded it and
    the relationship managers of its owning partner (of every partner taking
    part, for a joint document), each only while they may still see it (a
    private document stays with its audience)."""
    partnerships = partnerships_taking_part(document.relationship)
    if document.owner_partnership_id is not None:
        partnerships = partnerships.filter(pk=document.owner_partnership_id)
    user_ids = set(
        partnerships.filter(relationship_manager__isnull=False).values_list(
            "relationship_manager_id", flat=True
        )
    )
    if document.uploaded_by_id:
        user_ids.add(document.uploaded_by_id)
    recipients = []
    for user in (
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .exclude(email="")
    ):
        if RelationshipDocument.objects.filter(
            visible_records(user, RelationshipDocument),
            relationship__in=relationships_visible_to(user),
            pk=document.pk,
        ).exists():
            recipients.append(user.email)
    return sorted(set(recipients))


# --- one document's page -----------------------------------------------------------


def document_get_for_editing(
    *, user: AnyUser, reference: str, pk: int
) -> tuple[Relationship, RelationshipDocument]:
    """A document the user may change (a new revision, its dates): a writer of
    the relationship (else 403), who sees it (else 404) and whose partner owns
    it if it is private (else 403)."""
    relationship = relationship_get_for_editing(user=user, reference=reference)
    document = document_get_for_user(user=user, relationship=relationship, pk=pk)
    record_check_changeable(user=user, record=document)
    return relationship, document


def document_detail_context(
    *, user: AnyUser, relationship: Relationship, pk: int, today: datetime.date
) -> dict[str, Any]:
    """Everything a document's page shows: the document, its revisions (the
    current first), where it stands against its dates, the lifecycle items it
    evidences, and whether the user may add a revision or change its dates."""
    document = document_get_for_user(user=user, relationship=relationship, pk=pk)
    revisions = list(document_revisions_of(document=document))
    evidence_for = [
        evidence.artefact
        for evidence in ArtefactEvidence.objects.filter(
            relationship=relationship, document=document
        )
        .select_related("artefact__stage")
        .order_by("artefact__stage__number", "artefact__order")
    ]
    can_change = user_can_edit_relationship(user=user, relationship=relationship) and (
        RelationshipDocument.objects.filter(
            changeable_records(user, RelationshipDocument), pk=document.pk
        ).exists()
    )
    return {
        "relationship": relationship,
        "document": document,
        "revisions": revisions,
        "current_revision": revisions[0] if revisions else None,
        "dates": document_dates(document, today=today),
        "evidence_for": evidence_for,
        "can_change": can_change,
    }
