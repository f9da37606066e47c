"""Factories and helpers for the lifecycle tests (stage evidence, documents)."""

import factory
from django.core.files.base import ContentFile
from factory.django import DjangoModelFactory

from principles.models import LifecycleStage, StageArtefact
from relationships.choices import EvidenceStatus
from relationships.models import ArtefactEvidence, RelationshipDocument
from relationships.services.documents import document_revision_first
from tests.factories import RelationshipFactory, UserFactory

_session_media_root: str | None = None


def stage(number: int) -> LifecycleStage:
    return LifecycleStage.objects.get(number=number)


def evidence_revision(*, relationship: object, artefact: StageArtefact) -> int:
    """The revision a form opened now would carry: 0 while nothing is recorded."""
    evidence = ArtefactEvidence.objects.filter(
        relationship=relationship, artefact=artefact
    ).first()
    return evidence.revision if evidence else 0


def first_artefact(stage_number: int = 1) -> StageArtefact:
    return StageArtefact.objects.filter(stage__number=stage_number).order_by(
        "order", "pk"
    )[0]


class RelationshipDocumentFactory(DjangoModelFactory):
    class Meta:
        model = RelationshipDocument
        skip_postgeneration_save = True

    relationship = factory.SubFactory(RelationshipFactory)
    title = factory.Sequence(lambda n: f"Document {n}")
    file = factory.LazyFunction(
        lambda: ContentFile(b"Minutes of the joint review.\n", name="minutes.txt")
    )
    content_type = "text/plain; charset=utf-8"
    uploaded_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def first_revision(
        document: RelationshipDocument, create: bool, extracted, **kwargs
    ):
        """Revision 1 of the stored file, as document_upload makes it (pass
        first_revision=False for a document stored before revisions existed)."""
        if create and extracted is not False:
            document_revision_first(document=document, user=document.uploaded_by)


class ArtefactEvidenceFactory(DjangoModelFactory):
    class Meta:
        model = ArtefactEvidence

    relationship = factory.SubFactory(RelationshipFactory)
    artefact = factory.LazyFunction(first_artefact)
    status = EvidenceStatus.SKIPPED
    note = "Agreed at the kick-off: not needed for a partnership this small."
