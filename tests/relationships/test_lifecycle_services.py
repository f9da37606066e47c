"""Services of the lifecycle: stage moves, artefact evidence, documents."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from relationships.choices import EvidenceStatus
from relationships.models import (
    ArtefactEvidence,
    Relationship,
    RelationshipDocument,
    StageTransition,
)
from relationships.services.lifecycle import (
    REASON_MAX_LENGTH,
    artefact_evidence_clear,
    artefact_evidence_record,
    artefact_evidence_skip,
    document_upload,
    stage_move,
)
from tests.factories import ObjectiveFactory, RiskFactory
from tests.relationships.factories_lifecycle import (
    ArtefactEvidenceFactory,
    RelationshipDocumentFactory,
    first_artefact,
    stage,
)
from tests.relationships.sample_files import image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


# --- stage moves -----------------------------------------------------------


def test_move_records_who_when_why_and_changes_the_stage(world) -> None:
    transition = stage_move(
        relationship=world.relationship,
        to_stage=stage(6),
        reason="Both partners signed the joint plan.",
        user=world.alice,
    )
    world.relationship.refresh_from_db()
    assert world.relationship.stage.number == 6
    transition = StageTransition.objects.get(pk=transition.pk)
    assert transition.from_stage.number == 5
    assert transition.to_stage.number == 6
    assert transition.moved_by == world.alice
    assert transition.moved_at is not None
    assert transition.reason == "Both partners signed the joint plan."


def test_move_writes_a_relationship_history_row_naming_the_mover(world) -> None:
    stage_move(
        relationship=world.relationship,
        to_stage=stage(6),
        reason="Ready.",
        user=world.bob,
    )
    latest = world.relationship.history.latest()
    assert latest.stage.number == 6
    assert latest.history_user == world.bob


def test_moving_back_a_stage_is_allowed_for_re_planning(world) -> None:
    stage_move(
        relationship=world.relationship,
        to_stage=stage(4),
        reason="Scope changed: partner selection is re-opened.",
        user=world.alice,
    )
    world.relationship.refresh_from_db()
    assert world.relationship.stage.number == 4


def test_moving_to_the_current_stage_is_refused(world) -> None:
    with pytest.raises(ValidationError) as error:
        stage_move(
            relationship=world.relationship,
            to_stage=stage(5),
            reason="Again.",
            user=world.alice,
        )
    assert "already at stage 5" in str(error.value.message_dict["to_stage"])
    assert not StageTransition.objects.exists()


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_move_without_a_reason_is_refused(world, reason: str) -> None:
    with pytest.raises(ValidationError) as error:
        stage_move(
            relationship=world.relationship,
            to_stage=stage(6),
            reason=reason,
            user=world.alice,
        )
    assert "reason" in error.value.message_dict
    world.relationship.refresh_from_db()
    assert world.relationship.stage.number == 5
    assert not StageTransition.objects.exists()


def test_move_reason_is_length_limited(world) -> None:
    with pytest.raises(ValidationError):
        stage_move(
            relationship=world.relationship,
            to_stage=stage(6),
            reason="x" * (REASON_MAX_LENGTH + 1),
            user=world.alice,
        )
    world.relationship.refresh_from_db()
    assert world.relationship.stage.number == 5


def test_missing_items_do_not_block_a_move(world) -> None:
    assert not ArtefactEvidence.objects.filter(relationship=world.relationship)
    stage_move(
        relationship=world.relationship,
        to_stage=stage(8),
        reason="Winding down early.",
        user=world.alice,
    )
    world.relationship.refresh_from_db()
    assert world.relationship.stage.number == 8


# --- evidence ----------------------------------------------------------------


def _link(kind: str, world) -> dict:
    relationship = world.relationship
    if kind == "plan_section_key":
        return {"plan_section_key": "risk_management"}
    if kind == "objective":
        return {"objective": ObjectiveFactory(relationship=relationship)}
    if kind == "risk":
        return {"risk": RiskFactory(relationship=relationship)}
    return {"document": RelationshipDocumentFactory(relationship=relationship)}


@pytest.mark.parametrize("kind", ["plan_section_key", "objective", "risk", "document"])
def test_evidence_can_be_any_kind_of_link(world, kind: str) -> None:
    link = _link(kind, world)
    evidence = artefact_evidence_record(
        relationship=world.relationship,
        artefact=first_artefact(),
        user=world.carol,
        expected_revision=0,
        note="See the linked item.",
        **link,
    )
    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.EVIDENCED
    assert getattr(evidence, kind) == link[kind]
    assert evidence.recorded_by == world.carol
    assert evidence.recorded_at is not None


def test_evidence_without_any_link_is_refused(world) -> None:
    with pytest.raises(ValidationError, match="Link a plan section"):
        artefact_evidence_record(
            relationship=world.relationship,
            artefact=first_artefact(),
            user=world.alice,
            expected_revision=0,
            note="Trust me.",
        )
    assert not ArtefactEvidence.objects.exists()


@pytest.mark.parametrize("kind", ["objective", "risk", "document"])
def test_links_from_another_relationship_are_refused(world, kind: str) -> None:
    foreign = {
        "objective": lambda: ObjectiveFactory(relationship=world.outsider_relationship),
        "risk": lambda: RiskFactory(relationship=world.outsider_relationship),
        "document": lambda: RelationshipDocumentFactory(
            relationship=world.outsider_relationship
        ),
    }[kind]()
    with pytest.raises(ValidationError) as error:
        artefact_evidence_record(
            relationship=world.relationship,
            artefact=first_artefact(),
            user=world.alice,
            expected_revision=0,
            **{kind: foreign},
        )
    assert "another relationship" in str(error.value.message_dict[kind])
    assert not ArtefactEvidence.objects.exists()


def test_recording_again_replaces_the_earlier_record(world) -> None:
    artefact = first_artefact()
    artefact_evidence_skip(
        relationship=world.relationship,
        artefact=artefact,
        user=world.alice,
        expected_revision=0,
        reason="Not for now.",
    )
    artefact_evidence_record(
        relationship=world.relationship,
        artefact=artefact,
        user=world.bob,
        expected_revision=1,
        plan_section_key="relationship_management",
    )
    evidence = ArtefactEvidence.objects.get(
        relationship=world.relationship, artefact=artefact
    )
    assert evidence.status == EvidenceStatus.EVIDENCED
    assert evidence.recorded_by == world.bob
    assert evidence.note == ""


def test_evidence_with_a_new_upload_stores_the_document(world, media_root) -> None:
    evidence = artefact_evidence_record(
        relationship=world.relationship,
        artefact=first_artefact(),
        user=world.alice,
        expected_revision=0,
        new_document_file=SimpleUploadedFile("policy.pdf", b"%PDF-1.4 policy"),
        new_document_title="Collaboration policy",
    )
    document = evidence.document
    assert document.relationship == world.relationship
    assert document.title == "Collaboration policy"
    assert document.uploaded_by == world.alice
    assert len(_stored_files(media_root)) == 1


def test_evidence_cannot_name_a_document_and_upload_one(world, media_root) -> None:
    with pytest.raises(ValidationError, match="not both"):
        artefact_evidence_record(
            relationship=world.relationship,
            artefact=first_artefact(),
            user=world.alice,
            expected_revision=0,
            document=RelationshipDocumentFactory(relationship=world.relationship),
            new_document_file=SimpleUploadedFile("policy.pdf", b"%PDF-1.4"),
        )
    assert RelationshipDocument.objects.count() == 1
    assert not ArtefactEvidence.objects.exists()


@pytest.mark.parametrize("reason", ["", "  "])
def test_skip_needs_a_reason(world, reason: str) -> None:
    with pytest.raises(ValidationError) as error:
        artefact_evidence_skip(
            relationship=world.relationship,
            artefact=first_artefact(),
            user=world.alice,
            expected_revision=0,
            reason=reason,
        )
    assert "note" in error.value.message_dict
    assert not ArtefactEvidence.objects.exists()


def test_skip_drops_earlier_links_and_keeps_the_reason(world) -> None:
    artefact = first_artefact()
    artefact_evidence_record(
        relationship=world.relationship,
        artefact=artefact,
        user=world.alice,
        expected_revision=0,
        objective=ObjectiveFactory(relationship=world.relationship),
    )
    evidence = artefact_evidence_skip(
        relationship=world.relationship,
        artefact=artefact,
        user=world.bob,
        expected_revision=1,
        reason="  A two-person firm has no separate policy.  ",
    )
    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.SKIPPED
    assert evidence.objective is None
    assert evidence.note == "A two-person firm has no separate policy."


def test_clear_forgets_the_record_and_says_whether_there_was_one(world) -> None:
    evidence = ArtefactEvidenceFactory(relationship=world.relationship)
    assert artefact_evidence_clear(
        relationship=world.relationship,
        artefact=evidence.artefact,
        expected_revision=evidence.revision,
        user=world.alice,
    )
    assert not ArtefactEvidence.objects.exists()
    assert not artefact_evidence_clear(
        relationship=world.relationship,
        artefact=evidence.artefact,
        expected_revision=evidence.revision,
        user=world.alice,
    )


def test_clear_leaves_other_relationships_alone(world) -> None:
    artefact = first_artefact()
    ArtefactEvidenceFactory(relationship=world.outsider_relationship, artefact=artefact)
    artefact_evidence_clear(
        relationship=world.relationship,
        artefact=artefact,
        expected_revision=1,
        user=world.alice,
    )
    assert ArtefactEvidence.objects.filter(
        relationship=world.outsider_relationship
    ).exists()


# --- documents ---------------------------------------------------------------


def test_upload_stores_the_file_under_media_root(world, media_root) -> None:
    document = document_upload(
        relationship=world.relationship,
        user=world.alice,
        file=SimpleUploadedFile("charter.md", b"# Behaviour charter"),
    )
    assert document.title == "charter"
    assert document.uploaded_by == world.alice
    assert Path(document.file.path).is_relative_to(media_root)
    assert Path(document.file.path).read_bytes() == b"# Behaviour charter"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tool.exe", b"MZ", "not accepted"),
        ("notes", b"plain", "not accepted"),
        ("page.html", b"<script>", "not accepted"),
        ("empty.pdf", b"", "empty"),
        ("huge.pdf", b"0" * (10 * 1024 * 1024 + 1), "limit is 10 MB"),
    ],
)
def test_upload_refuses_bad_files(
    world, media_root, name: str, content: bytes, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        document_upload(
            relationship=world.relationship,
            user=world.alice,
            file=SimpleUploadedFile(name, content),
        )
    assert not RelationshipDocument.objects.exists()
    assert not _stored_files(media_root)


def test_upload_accepts_exactly_ten_megabytes_and_upper_case_extensions(
    world, settings
) -> None:
    limit = settings.UPLOAD_MAX_BYTES
    scan = (image_bytes("JPEG") + b"\0" * limit)[:limit]
    document = document_upload(
        relationship=world.relationship,
        user=world.alice,
        file=SimpleUploadedFile("SCAN.JPG", scan),
        title="Signed contract scan",
    )
    assert document.file.size == limit
    assert document.content_type == "image/jpeg"


def test_relationship_stage_is_unchanged_by_evidence(world) -> None:
    artefact_evidence_skip(
        relationship=world.relationship,
        artefact=first_artefact(8),
        user=world.alice,
        expected_revision=0,
        reason="Exit handled by the framework contract.",
    )
    assert Relationship.objects.get(pk=world.relationship.pk).stage.number == 5
