"""Lifecycle pages: stage track, checklist, evidence form, stage moves, documents."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from principles.models import LifecycleStage, StageArtefact
from relationships.choices import EvidenceStatus
from relationships.models import ArtefactEvidence, RelationshipDocument, StageTransition
from relationships.selectors.lifecycle import plan_section_url, register_entry_url
from relationships.services.lifecycle import stage_move
from tests.factories import ObjectiveFactory, RiskFactory
from tests.relationships.factories_lifecycle import (
    ArtefactEvidenceFactory,
    RelationshipDocumentFactory,
    first_artefact,
    stage,
)
from tests.relationships.sample_files import pdf_of_size, valid_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _url(name: str, world, **kwargs) -> str:
    return reverse(
        f"relationships:{name}",
        kwargs={"reference": world.relationship.reference, **kwargs},
    )


def _stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


# --- the lifecycle page --------------------------------------------------------


def test_checklist_shows_all_eight_stages_with_their_catalogue_artefacts(
    login, world
) -> None:
    response = login(world.bob).get(_url("relationship_lifecycle", world))
    assert response.status_code == 200
    html = response.content.decode()
    overview = response.context["overview"]
    assert [row.stage.number for row in overview.stages] == list(range(1, 9))
    assert [group.label for group in overview.phases] == [
        "Strategic",
        "Engagement",
        "Management",
    ]
    for lifecycle_stage in LifecycleStage.objects.all():
        assert lifecycle_stage.name in html
        row = overview.stages[lifecycle_stage.number - 1]
        assert [item.artefact for item in row.items] == list(
            StageArtefact.objects.filter(stage=lifecycle_stage).order_by("order")
        )
    for artefact in StageArtefact.objects.all():
        assert f'id="artefact-{artefact.pk}"' in html


def test_current_stage_is_highlighted_and_its_checklist_expanded(login, world) -> None:
    html = login(world.alice).get(_url("relationship_lifecycle", world)).content
    html = html.decode()
    assert 'class="stage-box stage-current" aria-current="step"' in html
    assert 'id="stage-5-body" class="accordion-collapse collapse show"' in html
    assert 'id="stage-4-body" class="accordion-collapse collapse"' in html


def test_stage_counts_evidenced_skipped_and_missing(login, world) -> None:
    artefacts = list(StageArtefact.objects.filter(stage__number=2).order_by("order"))
    ArtefactEvidenceFactory(
        relationship=world.relationship,
        artefact=artefacts[0],
        status=EvidenceStatus.EVIDENCED,
        plan_section_key="business_objectives",
        note="",
    )
    ArtefactEvidenceFactory(relationship=world.relationship, artefact=artefacts[1])
    # Evidence of another relationship must not count here.
    ArtefactEvidenceFactory(
        relationship=world.outsider_relationship, artefact=artefacts[2]
    )
    response = login(world.alice).get(_url("relationship_lifecycle", world))
    row = response.context["overview"].stages[1]
    assert (row.evidenced_count, row.skipped_count, row.missing_count) == (
        1,
        1,
        len(artefacts) - 2,
    )


def test_missing_items_are_listed_for_current_and_earlier_stages_only(
    login, world
) -> None:
    response = login(world.alice).get(_url("relationship_lifecycle", world))
    overview = response.context["overview"]
    assert [row.stage.number for row in overview.missing_so_far] == [1, 2, 3, 4, 5]
    html = response.content.decode()
    warning = html[html.index("alert-warning") : html.index("Checklist by stage")]
    assert first_artefact(5).name in warning
    assert first_artefact(6).name not in warning


def test_nothing_missing_says_so(login, world) -> None:
    for artefact in StageArtefact.objects.filter(stage__number__lte=5):
        ArtefactEvidenceFactory(relationship=world.relationship, artefact=artefact)
    response = login(world.alice).get(_url("relationship_lifecycle", world))
    assert b"Everything expected up to stage 5 is evidenced or skipped" in (
        response.content
    )


def test_each_evidence_link_is_shown_with_who_recorded_it(login, world) -> None:
    artefacts = list(StageArtefact.objects.filter(stage__number=5).order_by("order"))
    objective = ObjectiveFactory(relationship=world.relationship, title="Grow sales")
    risk = RiskFactory(relationship=world.relationship, title="Key person leaves")
    document = RelationshipDocumentFactory(
        relationship=world.relationship, title="Signed charter"
    )
    links = [
        {"plan_section_key": "governance_processes"},
        {"objective": objective},
        {"risk": risk},
        {"document": document},
    ]
    for artefact, link in zip(artefacts, links, strict=False):
        ArtefactEvidenceFactory(
            relationship=world.relationship,
            artefact=artefact,
            status=EvidenceStatus.EVIDENCED,
            note="",
            recorded_by=world.bob,
            **link,
        )
    html = login(world.alice).get(_url("relationship_lifecycle", world)).content
    html = html.decode()
    section_url = plan_section_url(
        relationship=world.relationship, principle_key="governance_processes"
    )
    assert (
        section_url
        == "/relationships/joint-venture/plan/sections/governance_processes/"
    )
    assert f'href="{section_url}"' in html
    assert "Governance and processes" in html
    objective_url = register_entry_url(
        relationship=world.relationship, kind="objective", pk=objective.pk
    )
    risk_url = register_entry_url(
        relationship=world.relationship, kind="risk", pk=risk.pk
    )
    assert f'href="{objective_url}">Grow sales' in html
    assert f'href="{risk_url}">Key person leaves' in html
    # The document's page (its revisions are there).
    page = _url("document_detail", world, pk=document.pk)
    assert f'href="{page}">Signed charter' in html
    assert html.count(world.bob.get_full_name()) >= 4


def test_transition_history_is_shown_newest_first(login, world) -> None:
    stage_move(
        relationship=world.relationship,
        to_stage=stage(6),
        reason="Plan signed.",
        user=world.alice,
    )
    stage_move(
        relationship=world.relationship,
        to_stage=stage(5),
        reason="Re-planning after the merger.",
        user=world.bob,
    )
    response = login(world.dave).get(_url("relationship_lifecycle", world))
    html = response.content.decode()
    assert html.index("Re-planning after the merger.") < html.index("Plan signed.")
    assert world.bob.get_full_name() in html


def test_auditor_reads_without_any_edit_controls(login, world) -> None:
    response = login(world.dave).get(_url("relationship_lifecycle", world))
    assert response.status_code == 200
    assert response.context["move_form"] is None
    html = response.content.decode()
    assert "Read-only access" in html
    assert _url("stage_move", world) not in html
    assert "/lifecycle/artefacts/" not in html


def _row(html: str, artefact_key: str) -> str:
    artefact = StageArtefact.objects.get(key=artefact_key)
    start = html.index(f'id="artefact-{artefact.pk}"')
    return html[start : html.index("</tr>", start)]


def test_missing_items_say_what_the_app_already_holds(login, world) -> None:
    ObjectiveFactory(relationship=world.relationship)
    ObjectiveFactory(relationship=world.relationship)
    RiskFactory(relationship=world.relationship)
    ObjectiveFactory(relationship=world.outsider_relationship)  # not counted
    client = login(world.alice)

    html = client.get(_url("relationship_lifecycle", world)).content.decode()

    objectives = _row(html, "joint_objectives")
    assert "In the app" in objectives and "2 objectives" in objectives
    assert _url("relationship_objectives", world) in objectives
    assert "1 risk in the register" in _row(html, "joint_risk_register")
    assert "In the app" not in _row(html, "joint_rmp")  # no approved plan yet
    assert "In the app" not in _row(html, "corrective_actions")  # no actions

    ArtefactEvidenceFactory(
        relationship=world.relationship,
        artefact=StageArtefact.objects.get(key="joint_objectives"),
        status=EvidenceStatus.EVIDENCED,
    )
    html = client.get(_url("relationship_lifecycle", world)).content.decode()
    assert "In the app" not in _row(html, "joint_objectives")  # recorded now


def test_lifecycle_page_query_count_does_not_grow_with_evidence(
    login, world, django_assert_num_queries
) -> None:
    client = login(world.alice)
    url = _url("relationship_lifecycle", world)
    client.get(url)
    stage_move(
        relationship=world.relationship,
        to_stage=stage(6),
        reason="Plan signed.",
        user=world.alice,
    )
    ArtefactEvidenceFactory(relationship=world.relationship)
    with django_assert_num_queries(13):
        client.get(url)
    document = RelationshipDocumentFactory(relationship=world.relationship)
    for artefact in StageArtefact.objects.exclude(pk=first_artefact().pk):
        ArtefactEvidenceFactory(
            relationship=world.relationship,
            artefact=artefact,
            status=EvidenceStatus.EVIDENCED,
            objective=ObjectiveFactory(relationship=world.relationship),
            risk=RiskFactory(relationship=world.relationship),
            document=document,
            recorded_by=world.bob,
            note="",
        )
    for number in (7, 6, 7):
        stage_move(
            relationship=world.relationship,
            to_stage=stage(number),
            reason="Moving on.",
            user=world.bob,
        )
    with django_assert_num_queries(13):
        client.get(url)


# --- moving stage -----------------------------------------------------------------


def test_move_form_records_the_transition_and_warns_about_gaps(login, world) -> None:
    response = login(world.carol).post(
        _url("stage_move", world),
        {"to_stage": stage(6).pk, "reason": "The joint plan is signed."},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == _url("relationship_lifecycle", world)
    world.relationship.refresh_from_db()
    assert world.relationship.stage.number == 6
    transition = StageTransition.objects.get()
    assert (transition.moved_by, transition.reason) == (
        world.carol,
        "The joint plan is signed.",
    )
    texts = [str(message) for message in response.context["messages"]]
    assert texts[0] == (
        "Moved to stage 6, Value creation (from stage 5, Working together)."
    )
    assert "still missing" in texts[1]


def test_move_to_the_current_stage_is_refused_with_a_clear_message(
    login, world
) -> None:
    response = login(world.alice).post(
        _url("stage_move", world), {"to_stage": stage(5).pk, "reason": "Again"}
    )
    assert response.status_code == 200
    assert "already at stage 5. Working together" in str(
        response.context["form"].errors["to_stage"]
    )
    assert not StageTransition.objects.exists()


def test_move_without_a_reason_is_refused(login, world) -> None:
    response = login(world.alice).post(
        _url("stage_move", world), {"to_stage": stage(6).pk, "reason": "  "}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == [
        "Say why the relationship moves to this stage."
    ]
    world.relationship.refresh_from_db()
    assert world.relationship.stage.number == 5


def test_move_page_lists_what_is_missing_up_to_the_chosen_stage(login, world) -> None:
    response = login(world.alice).get(_url("stage_move", world), {"to": stage(7).pk})
    html = response.content.decode()
    start = html.index(f'data-stage="{stage(7).pk}"')
    warning = html[start : html.index("</div>", start)]
    assert "hidden" not in warning[: warning.index(">")]
    assert "Still missing up to stage 7" in warning
    assert first_artefact(7).name in warning
    assert first_artefact(8).name not in warning


def test_move_form_offers_every_other_stage_and_defaults_to_the_next(
    login, world
) -> None:
    form = login(world.alice).get(_url("stage_move", world)).context["form"]
    labels = [label for _, label in form.fields["to_stage"].choices]
    assert len(labels) == 8
    assert labels[5].endswith(", next")
    assert labels[3].endswith(", back one stage")
    assert form.initial["to_stage"] == stage(6).pk


# --- recording evidence -------------------------------------------------------------


def test_evidence_form_records_a_plan_section(login, world) -> None:
    artefact = first_artefact(5)
    response = login(world.alice).post(
        _url("artefact_evidence_edit", world, artefact_pk=artefact.pk),
        {
            "revision": 0,
            "status": "evidenced",
            "plan_section_key": "relationship_management",
        },
        follow=True,
    )
    evidence = ArtefactEvidence.objects.get()
    assert evidence.plan_section_key == "relationship_management"
    assert evidence.recorded_by == world.alice
    assert response.redirect_chain[-1][0].endswith(f"?stage=5#artefact-{artefact.pk}")
    assert f"Evidence for “{artefact.name}” saved." in response.content.decode()


def test_evidence_form_uploads_a_new_document(login, world, media_root) -> None:
    response = login(world.bob).post(
        _url("artefact_evidence_edit", world, artefact_pk=first_artefact().pk),
        {
            "revision": 0,
            "status": "evidenced",
            "new_document": valid_upload("policy.odt"),
            "new_document_title": "Collaboration policy",
        },
    )
    assert response.status_code == 302
    evidence = ArtefactEvidence.objects.get()
    assert evidence.document.title == "Collaboration policy"
    assert evidence.document.relationship == world.relationship
    assert len(_stored_files(media_root)) == 1


@pytest.mark.parametrize("kind", ["objective", "risk", "document"])
def test_evidence_form_refuses_entries_of_another_relationship(
    login, world, kind: str
) -> None:
    foreign = {
        "objective": ObjectiveFactory,
        "risk": RiskFactory,
        "document": RelationshipDocumentFactory,
    }[kind](relationship=world.outsider_relationship)
    response = login(world.alice).post(
        _url("artefact_evidence_edit", world, artefact_pk=first_artefact().pk),
        {"status": "evidenced", kind: foreign.pk},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in str(response.context["form"].errors[kind])
    assert not ArtefactEvidence.objects.exists()


def test_evidence_form_only_offers_this_relationships_entries(login, world) -> None:
    own = ObjectiveFactory(relationship=world.relationship, title="Own objective")
    ObjectiveFactory(relationship=world.outsider_relationship, title="Their secret")
    response = login(world.alice).get(
        _url("artefact_evidence_edit", world, artefact_pk=first_artefact().pk)
    )
    assert list(response.context["form"].fields["objective"].queryset) == [own]
    assert b"Their secret" not in response.content


def test_evidence_form_needs_a_link_or_a_skip(login, world) -> None:
    response = login(world.alice).post(
        _url("artefact_evidence_edit", world, artefact_pk=first_artefact().pk),
        {"status": "evidenced", "note": "We have it somewhere."},
    )
    assert response.status_code == 200
    assert "Link a plan section" in str(response.context["form"].non_field_errors())
    assert "mark it skipped and say why" in response.content.decode()
    assert not ArtefactEvidence.objects.exists()


def test_skip_without_a_reason_is_refused(login, world) -> None:
    response = login(world.alice).post(
        _url("artefact_evidence_edit", world, artefact_pk=first_artefact().pk),
        {"status": "skipped", "note": ""},
    )
    assert response.context["form"].errors["note"] == [
        "Say why the partners agree to skip this item."
    ]
    assert not ArtefactEvidence.objects.exists()


def test_skip_with_a_reason_is_recorded(login, world) -> None:
    login(world.bob).post(
        _url("artefact_evidence_edit", world, artefact_pk=first_artefact().pk),
        {
            "revision": 0,
            "status": "skipped",
            "note": "Two-person firm: the owner is the SER.",
        },
    )
    evidence = ArtefactEvidence.objects.get()
    assert evidence.status == EvidenceStatus.SKIPPED
    assert evidence.note == "Two-person firm: the owner is the SER."
    assert evidence.recorded_by == world.bob


def test_evidence_form_refuses_a_bad_upload_and_stores_nothing(
    login, world, media_root
) -> None:
    response = login(world.alice).post(
        _url("artefact_evidence_edit", world, artefact_pk=first_artefact().pk),
        {
            "status": "evidenced",
            "plan_section_key": "exit_strategy",
            "new_document": SimpleUploadedFile("macro.exe", b"MZ"),
        },
    )
    assert response.status_code == 200
    assert "not accepted" in str(response.context["form"].errors["new_document"])
    assert not ArtefactEvidence.objects.exists()
    assert not RelationshipDocument.objects.exists()
    assert not _stored_files(media_root)


def test_evidence_form_is_prefilled_from_the_existing_record(login, world) -> None:
    ArtefactEvidenceFactory(
        relationship=world.relationship,
        status=EvidenceStatus.EVIDENCED,
        plan_section_key="exit_strategy",
        note="See section 12.",
    )
    form = (
        login(world.alice)
        .get(_url("artefact_evidence_edit", world, artefact_pk=first_artefact().pk))
        .context["form"]
    )
    assert form.initial["plan_section_key"] == "exit_strategy"
    assert form.initial["note"] == "See section 12."


def test_unknown_artefact_is_404(login, world) -> None:
    response = login(world.alice).get(
        _url("artefact_evidence_edit", world, artefact_pk=999999)
    )
    assert response.status_code == 404


def test_clear_asks_first_then_forgets_the_record(login, world) -> None:
    evidence = ArtefactEvidenceFactory(relationship=world.relationship)
    client = login(world.alice)
    url = _url("artefact_evidence_clear", world, artefact_pk=evidence.artefact_id)
    assert b"Clear the record" in client.get(url).content
    assert ArtefactEvidence.objects.exists()
    response = client.post(url, {"revision": evidence.revision}, follow=True)
    assert not ArtefactEvidence.objects.exists()
    assert "back to missing" in response.content.decode()


# --- documents ----------------------------------------------------------------------


def test_documents_page_lists_documents_and_what_they_evidence(login, world) -> None:
    document = RelationshipDocumentFactory(
        relationship=world.relationship, title="JMT minutes", uploaded_by=world.bob
    )
    RelationshipDocumentFactory(
        relationship=world.outsider_relationship, title="Outsider secret"
    )
    ArtefactEvidenceFactory(
        relationship=world.relationship,
        status=EvidenceStatus.EVIDENCED,
        document=document,
        note="",
    )
    response = login(world.dave).get(_url("relationship_documents", world))
    html = response.content.decode()
    assert "JMT minutes" in html
    assert "Outsider secret" not in html
    assert first_artefact().name in html
    assert response.context["form"] is None


def test_documents_page_shows_an_empty_state(login, world) -> None:
    response = login(world.alice).get(_url("relationship_documents", world))
    assert b"No documents uploaded yet." in response.content


def test_upload_through_the_documents_page(login, world, media_root) -> None:
    response = login(world.alice).post(
        _url("relationship_documents", world),
        {
            "file": valid_upload("review.xlsx"),
            "title": "Quarterly review",
            "description": "Scores of Q1.",
        },
        follow=True,
    )
    document = RelationshipDocument.objects.get()
    assert (document.title, document.uploaded_by) == ("Quarterly review", world.alice)
    assert "“Quarterly review” uploaded." in response.content.decode()
    assert len(_stored_files(media_root)) == 1


@pytest.mark.parametrize(
    ("name", "size", "message"),
    [
        ("script.js", 10, "not accepted"),
        ("archive.zip", 10, "not accepted"),
        ("huge.pdf", 10 * 1024 * 1024 + 1, "the limit is 10 MB"),
    ],
)
def test_upload_refuses_wrong_type_or_size_with_a_clear_error(
    login, world, media_root, name: str, size: int, message: str
) -> None:
    response = login(world.alice).post(
        _url("relationship_documents", world),
        {"file": SimpleUploadedFile(name, b"0" * size)},
    )
    assert response.status_code == 200
    assert message in str(response.context["form"].errors["file"])
    assert b"Nothing was uploaded" in response.content
    assert not RelationshipDocument.objects.exists()
    assert not _stored_files(media_root)


@pytest.fixture
def upload_spy(settings, tmp_path, monkeypatch) -> dict:
    """Counts the bytes Django's temporary-file upload handler is given to store
    (these uploads are too large for the in-memory one), and sends its files to a
    directory of the test's."""
    from django.core.files import uploadhandler

    temp_dir = tmp_path / "upload-temp"
    temp_dir.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(temp_dir)
    spy = {"stored_bytes": 0, "temp_dir": temp_dir}
    handler = uploadhandler.TemporaryFileUploadHandler
    original = handler.receive_data_chunk

    def counting(self, raw_data, start):
        spy["stored_bytes"] += len(raw_data)
        return original(self, raw_data, start)

    monkeypatch.setattr(handler, "receive_data_chunk", counting)
    return spy


def test_an_oversized_upload_is_dropped_while_it_arrives(
    login, world, media_root, upload_spy, settings
) -> None:
    # Over the file limit, yet under the request cap: the upload handler's case
    # (and the case of a client whose Content-Length understates its body).
    size = settings.UPLOAD_MAX_BYTES + 500_000
    assert size < settings.REQUEST_BODY_MAX_BYTES
    response = login(world.alice).post(
        _url("relationship_documents", world),
        {
            "file": SimpleUploadedFile("scan.pdf", pdf_of_size(size)),
            "title": "Signed agreement",
        },
    )

    assert response.status_code == 200
    errors = str(response.context["form"].errors["file"])
    assert "the limit is 10 MB." in errors
    # Django's handler never got past the limit, and what it held is deleted.
    assert 0 < upload_spy["stored_bytes"] <= settings.UPLOAD_MAX_BYTES
    assert not list(upload_spy["temp_dir"].iterdir())
    # What the user typed is still there; nothing was saved.
    assert response.context["form"]["title"].value() == "Signed agreement"
    assert not RelationshipDocument.objects.exists()
    assert not _stored_files(media_root)


def test_a_body_over_the_request_cap_is_refused_with_413(
    login, world, media_root, upload_spy, settings
) -> None:
    response = login(world.alice).post(
        _url("relationship_documents", world),
        {
            "file": SimpleUploadedFile(
                "scan.pdf", pdf_of_size(3 * settings.UPLOAD_MAX_BYTES)
            ),
            "title": "Signed agreement",
        },
    )

    assert response.status_code == 413
    page = response.content.decode()
    assert "Upload too large" in page
    assert "A document may be up to 10 MB." in page
    assert upload_spy["stored_bytes"] == 0
    assert not RelationshipDocument.objects.exists()
    assert not _stored_files(media_root)


def test_an_upload_of_exactly_the_limit_is_accepted(
    login, world, media_root, upload_spy, settings
) -> None:
    limit = settings.UPLOAD_MAX_BYTES
    response = login(world.alice).post(
        _url("relationship_documents", world),
        {"file": SimpleUploadedFile("scan.pdf", pdf_of_size(limit))},
        follow=True,
    )

    assert response.status_code == 200
    document = RelationshipDocument.objects.get()
    assert (document.file.size, document.content_type) == (limit, "application/pdf")
    assert upload_spy["stored_bytes"] == limit


def test_an_oversized_evidence_upload_is_an_error_not_ignored(
    login, world, media_root, upload_spy, settings
) -> None:
    # The field is optional: a dropped file must not pass as "no file".
    response = login(world.alice).post(
        _url("artefact_evidence_edit", world, artefact_pk=first_artefact().pk),
        {
            "status": "evidenced",
            "plan_section_key": "exit_strategy",
            "new_document": SimpleUploadedFile(
                "big.pdf", pdf_of_size(settings.UPLOAD_MAX_BYTES + 100_000)
            ),
            "note": "Signed by both partners.",
        },
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert "the limit is 10 MB" in str(form.errors["new_document"])
    assert form["note"].value() == "Signed by both partners."
    assert not ArtefactEvidence.objects.exists()
    assert not RelationshipDocument.objects.exists()
    assert not _stored_files(media_root)


def test_auditor_cannot_upload(login, world, media_root) -> None:
    response = login(world.dave).post(
        _url("relationship_documents", world),
        {"file": SimpleUploadedFile("note.txt", b"audit")},
    )
    assert response.status_code == 403
    assert not RelationshipDocument.objects.exists()
    assert not _stored_files(media_root)


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "dave"])
def test_partners_and_auditors_download_as_attachment(
    login, world, persona: str
) -> None:
    document = RelationshipDocumentFactory(relationship=world.relationship)
    response = login(world.persona(persona)).get(
        _url("document_download", world, pk=document.pk)
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "minutes" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"Minutes of the joint review.\n"
    response.close()


def test_outsider_cannot_download(login, world) -> None:
    document = RelationshipDocumentFactory(relationship=world.relationship)
    response = login(world.eve).get(_url("document_download", world, pk=document.pk))
    assert response.status_code == 404


def test_document_of_another_relationship_is_404(login, world) -> None:
    foreign = RelationshipDocumentFactory(relationship=world.outsider_relationship)
    response = login(world.alice).get(_url("document_download", world, pk=foreign.pk))
    assert response.status_code == 404


def test_download_of_a_file_missing_from_storage_is_404(login, world) -> None:
    document = RelationshipDocumentFactory(relationship=world.relationship)
    Path(document.file.path).unlink()
    response = login(world.alice).get(_url("document_download", world, pk=document.pk))
    assert response.status_code == 404
    listing = login(world.alice).get(_url("relationship_documents", world))
    assert b"file missing" in listing.content


def test_documents_page_query_count_does_not_grow(
    login, world, django_assert_num_queries
) -> None:
    client = login(world.alice)
    url = _url("relationship_documents", world)
    RelationshipDocumentFactory(relationship=world.relationship)
    client.get(url)
    # One of them finds the uploader's partner, the new document's default owner.
    with django_assert_num_queries(11):
        client.get(url)
    for _ in range(5):
        document = RelationshipDocumentFactory(
            relationship=world.relationship, uploaded_by=world.bob
        )
    for artefact in StageArtefact.objects.all()[:6]:
        ArtefactEvidenceFactory(
            relationship=world.relationship,
            artefact=artefact,
            status=EvidenceStatus.EVIDENCED,
            document=document,
            note="",
        )
    with django_assert_num_queries(11):
        client.get(url)


@pytest.mark.parametrize(("persona", "status"), [("dave", 403), ("eve", 404)])
def test_refused_lifecycle_writes_change_nothing(
    login, world, media_root, persona: str, status: int
) -> None:
    evidence = ArtefactEvidenceFactory(relationship=world.relationship)
    client = login(world.persona(persona))
    artefact_pk = first_artefact(2).pk
    responses = [
        client.post(
            _url("stage_move", world), {"to_stage": stage(6).pk, "reason": "No"}
        ),
        client.post(
            _url("artefact_evidence_edit", world, artefact_pk=artefact_pk),
            {"status": "skipped", "note": "No"},
        ),
        client.post(
            _url("artefact_evidence_clear", world, artefact_pk=evidence.artefact_id)
        ),
        client.post(
            _url("relationship_documents", world),
            {"file": SimpleUploadedFile("x.txt", b"x")},
        ),
    ]
    assert [response.status_code for response in responses] == [status] * 4
    world.relationship.refresh_from_db()
    assert world.relationship.stage.number == 5
    assert not StageTransition.objects.exists()
    assert list(ArtefactEvidence.objects.all()) == [evidence]
    assert not RelationshipDocument.objects.exists()
    assert not _stored_files(media_root)
