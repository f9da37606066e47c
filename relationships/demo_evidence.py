"""Demo data of the evidence library: each demo relationship keeps a few joint
documents with two or three revisions, one due for review soon and one overdue
for review, and an insurance certificate that expires within two weeks."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from relationships.choices import PartnerRole
from relationships.models import (
    DocumentRevision,
    Partnership,
    Relationship,
    RelationshipDocument,
)
from relationships.services.documents import document_revision_upload
from relationships.services.lifecycle import document_upload


@dataclass(frozen=True)
class DemoRevision:
    days_ago: int
    note: str
    text: str


@dataclass(frozen=True)
class DemoDocument:
    title: str
    filename: str
    description: str
    revisions: tuple[DemoRevision, ...]
    # Days from today (negative: past); None for no date.
    review_in_days: int | None = None
    expires_in_days: int | None = None


DEMO_DOCUMENTS = (
    DemoDocument(
        title="Relationship charter",
        filename="relationship-charter.txt",
        description="The charter both partners signed, with its later amendments.",
        revisions=(
            DemoRevision(
                150, "First upload.", "Charter: purpose, scope and governance.\n"
            ),
            DemoRevision(
                90,
                "Amended after the joint review: escalation route added.",
                "Charter: purpose, scope, governance and an escalation route.\n",
            ),
            DemoRevision(
                20,
                "Signed copy of the amended charter.",
                "Charter (signed): purpose, scope, governance, escalation.\n",
            ),
        ),
        review_in_days=10,
    ),
    DemoDocument(
        title="Joint risk workshop minutes",
        filename="risk-workshop-minutes.txt",
        description="Minutes of the workshop that built the joint risk register.",
        revisions=(
            DemoRevision(120, "First upload.", "Minutes: twelve risks identified.\n"),
            DemoRevision(
                100,
                "Corrected the owners of two risks.",
                "Minutes: twelve risks identified; owners corrected.\n",
            ),
        ),
        review_in_days=-12,
    ),
    DemoDocument(
        title="Public liability insurance certificate",
        filename="insurance-certificate.txt",
        description="The lead partner's certificate, renewed each year.",
        revisions=(
            DemoRevision(
                300, "First upload.", "Certificate of insurance, last year.\n"
            ),
            DemoRevision(
                40, "This year's renewal.", "Certificate of insurance, renewed.\n"
            ),
        ),
        expires_in_days=12,
    ),
)


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _in_days(today: date, days: int | None) -> date | None:
    return None if days is None else today + timedelta(days=days)


def _backdate(revision: DocumentRevision, day: date) -> None:
    """A demo revision says when the story has it uploaded (rows are updated in
    bulk: a stored revision is otherwise never changed)."""
    moment = _moment(day)
    DocumentRevision.objects.filter(pk=revision.pk).update(uploaded_at=moment)
    DocumentRevision.history.model.objects.filter(id=revision.pk).update(
        history_date=moment
    )


def load_demo_evidence(
    *,
    relationship: Relationship,
    partnerships: Iterable[Partnership],
    today: date,
    result: Any,
) -> None:
    """Create the demo documents this relationship is missing, by title (counted
    in the demo load's `result`). Existing documents are left as they are."""
    ordered = sorted(partnerships, key=lambda p: (p.role != PartnerRole.LEAD, p.pk))
    uploaders = [p.relationship_manager for p in ordered if p.relationship_manager]
    if not uploaders:
        return
    existing = set(
        RelationshipDocument.objects.filter(relationship=relationship).values_list(
            "title", flat=True
        )
    )
    started = relationship.start_date or today
    for spec in DEMO_DOCUMENTS:
        if spec.title in existing:
            continue
        first, *later = spec.revisions
        document = document_upload(
            relationship=relationship,
            user=uploaders[0],
            file=SimpleUploadedFile(spec.filename, first.text.encode()),
            title=spec.title,
            description=spec.description,
            visibility="joint",
            review_due_on=_in_days(today, spec.review_in_days),
            expires_on=_in_days(today, spec.expires_in_days),
        )
        first_day = max(started, today - timedelta(days=first.days_ago))
        RelationshipDocument.objects.filter(pk=document.pk).update(
            uploaded_at=_moment(first_day)
        )
        _backdate(document.revisions.get(), first_day)
        for index, revision in enumerate(later, start=1):
            stored = document_revision_upload(
                document=document,
                user=uploaders[index % len(uploaders)],
                file=SimpleUploadedFile(spec.filename, revision.text.encode()),
                change_note=revision.note,
            )
            _backdate(
                stored,
                max(first_day, today - timedelta(days=revision.days_ago)),
            )
        result.add(model=RelationshipDocument)
        for _revision in spec.revisions:
            result.add(model=DocumentRevision)
