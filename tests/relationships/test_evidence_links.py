"""Links to a document revision: a rating and a lifecycle item name the revision
current when they were linked, keep it when the document moves on, and show it
as "Rev N (sha …)" only to those who may see the document."""

import datetime
import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import Assessment
from assessments.selectors.assessments import (
    assessment_period_containing,
    assessment_ratings,
)
from assessments.services.assessments import (
    RatingInput,
    assessment_ratings_save,
    assessment_start,
)
from relationships.choices import EvidenceStatus
from relationships.forms.documents import (
    DocumentRevisionChoiceField,
    DocumentRevisionMultipleChoiceField,
)
from relationships.models import ArtefactEvidence, RelationshipDocument
from relationships.selectors.documents import (
    document_revision_choices_for_relationship,
    evidence_revisions_for_relationship,
)
from relationships.services.documents import document_revision_upload
from relationships.services.lifecycle import artefact_evidence_record, document_upload
from tests.assessments.factories_assessments import (
    make_assessment,
    principles_of,
    url,
)
from tests.relationships.factories_lifecycle import first_artefact

pytestmark = pytest.mark.django_db


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def charter(world, media_root) -> RelationshipDocument:
    return document_upload(
        relationship=world.relationship,
        user=world.alice,
        file=SimpleUploadedFile("charter.txt", b"Charter v1.\n"),
        title="Charter",
    )


@pytest.fixture
def private_costs(world, frank, media_root) -> RelationshipDocument:
    """Bob's supplier's own document, shared with the lead, not with frank's."""
    return document_upload(
        relationship=world.relationship,
        user=world.bob,
        file=SimpleUploadedFile("costs.txt", b"Margins.\n"),
        title="Supplier cost breakdown",
        owner_partnership=world.partner,
    )


def _new_revision(document: RelationshipDocument, user, content: bytes):
    return document_revision_upload(
        document=document,
        user=user,
        file=SimpleUploadedFile("next.txt", content),
        change_note="Updated.",
    )


def _rate(assessment: Assessment, user, documents: list) -> None:
    principle = principles_of(assessment)[0]
    assessment.refresh_from_db()
    assessment_ratings_save(
        assessment=assessment,
        ratings=[RatingInput(principle=principle, level=3, documents=documents)],
        expected_revision=assessment.revision,
        user=user,
    )


# --- ratings ----------


def test_a_rating_names_the_revision_current_when_linked(world, charter) -> None:
    assessment = make_assessment(world)
    _rate(assessment, world.alice, [charter])
    rating = assessment.ratings.get()
    first = charter.revisions.get(number=1)
    assert list(rating.document_revisions.all()) == [first]
    # The document moves on; saving the rating again keeps the revision it cited.
    second = _new_revision(charter, world.bob, b"Charter v2.\n")
    _rate(assessment, world.alice, [charter])
    assert list(rating.document_revisions.all()) == [first]
    # Unlinked and linked again: the revision current now.
    _rate(assessment, world.alice, [])
    assert not rating.document_revisions.exists()
    _rate(assessment, world.alice, [charter])
    assert list(rating.document_revisions.all()) == [second]


def test_the_assessment_page_shows_the_linked_revision(login, world, charter) -> None:
    assessment = make_assessment(world)
    _rate(assessment, world.alice, [charter])
    _new_revision(charter, world.bob, b"Charter v2.\n")
    first = charter.revisions.get(number=1)
    html = login(world.bob).get(url("assessment_detail", assessment)).content.decode()
    assert first.label in html
    assert first.get_download_url() in html


def test_a_copied_assessment_keeps_the_revisions_its_source_cited(
    world, charter
) -> None:
    source = make_assessment(world)
    _rate(source, world.alice, [charter])
    _new_revision(charter, world.bob, b"Charter v2.\n")
    copy = assessment_start(
        relationship=world.relationship,
        kind=source.kind,
        partnership=None,
        period=assessment_period_containing(
            cadence="quarterly", day=datetime.date(2026, 5, 1)
        ),
        user=world.alice,
        from_previous=True,
    )
    rating = copy.ratings.get()
    assert [revision.number for revision in rating.document_revisions.all()] == [1]


def test_a_private_revision_link_is_shown_only_to_its_audience(
    world, frank, private_costs
) -> None:
    assessment = make_assessment(world)
    _rate(assessment, world.bob, [private_costs])
    revision = private_costs.revisions.get()
    for user, shown in ((world.bob, True), (world.alice, True), (frank, False)):
        rating = next(
            iter(assessment_ratings(user=user, assessment=assessment).values())
        )
        linked = rating.linked_documents
        assert (linked == [(private_costs, revision)]) is shown, user
        if not shown:
            assert linked == []


# --- lifecycle evidence ----------


def _record(world, document, **kwargs) -> ArtefactEvidence:
    evidence = ArtefactEvidence.objects.filter(
        relationship=world.relationship, artefact=first_artefact()
    ).first()
    return artefact_evidence_record(
        relationship=world.relationship,
        artefact=first_artefact(),
        user=world.alice,
        expected_revision=evidence.revision if evidence else 0,
        document=document,
        **kwargs,
    )


def test_lifecycle_evidence_names_a_revision_and_moves_on_only_when_asked(
    world, charter
) -> None:
    evidence = _record(world, charter)
    assert evidence.document_revision.number == 1
    _new_revision(charter, world.bob, b"Charter v2.\n")
    evidence = _record(world, charter, note="Still the signed one.")
    assert evidence.document_revision.number == 1
    evidence = _record(world, charter, link_current_revision=True)
    assert evidence.document_revision.number == 2
    assert evidence.status == EvidenceStatus.EVIDENCED


def test_the_checklist_shows_the_revision_only_where_the_document_is_seen(
    login, world, frank, private_costs
) -> None:
    artefact_evidence_record(
        relationship=world.relationship,
        artefact=first_artefact(),
        user=world.bob,
        expected_revision=0,
        document=private_costs,
    )
    revision = private_costs.revisions.get()
    page = reverse(
        "relationships:relationship_lifecycle",
        kwargs={"reference": world.relationship.reference},
    )
    seen = login(world.bob).get(page + "?stage=1").content.decode()
    assert revision.label in seen
    hidden = login(frank).get(page + "?stage=1").content.decode()
    assert revision.sha256[:12] not in hidden
    assert "Supplier cost breakdown" not in hidden
    assert "1 private record" in hidden


# --- what other records use to link a revision ----------


def test_revision_choices_are_those_of_documents_the_user_sees(
    world, frank, charter, private_costs
) -> None:
    _new_revision(charter, world.alice, b"Charter v2.\n")

    def labels(user) -> list[str]:
        return [
            f"{revision.document.title} {revision.number}"
            for revision in document_revision_choices_for_relationship(
                user=user, relationship=world.relationship
            )
        ]

    assert labels(world.bob) == [
        "Charter 2",
        "Charter 1",
        "Supplier cost breakdown 1",
    ]
    assert labels(frank) == ["Charter 2", "Charter 1"]
    # No user: joint documents only, as a PDF for every partner holds.
    revisions = evidence_revisions_for_relationship(
        user=None, relationship=world.relationship
    )
    assert [(r.number, r.is_current) for r in revisions] == [(2, True), (1, False)]
    field = DocumentRevisionChoiceField.for_relationship(
        relationship=world.relationship, user=frank
    )
    choices = [label for _value, label in field.choices]
    assert choices[0] == "—"
    assert choices[1].startswith("Charter, Rev 2 (sha ")
    private = private_costs.revisions.get()
    with pytest.raises(Exception, match="valid choice"):
        field.clean(private.pk)
    many = DocumentRevisionMultipleChoiceField.for_relationship(
        relationship=world.relationship, user=world.bob
    )
    assert list(many.clean([private.pk])) == [private]


def test_the_migration_pins_existing_rating_links_to_the_current_revision(
    world, charter
) -> None:
    migration = importlib.import_module(
        "assessments.migrations.0014_rating_document_revisions"
    )
    assessment = make_assessment(world, levels=[3] * 12)
    rating = assessment.ratings.get(principle__key="governance_processes")
    rating.documents.add(charter)  # linked before revisions existed
    second = _new_revision(charter, world.bob, b"Charter v2.\n")
    migration.pin_linked_documents_to_their_current_revision(apps, None)
    assert list(rating.document_revisions.all()) == [second]
    migration.pin_linked_documents_to_their_current_revision(apps, None)
    assert rating.document_revisions.count() == 1
