"""Partner-private documents and links: a second supplier never reads the first
supplier's private document, nor the title of a private record that joint
evidence (a lifecycle item, a rating of the joint assessment) links to."""

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from assessments.choices import AssessmentStatus
from relationships.choices import EvidenceStatus, Horizon, Visibility
from relationships.models import Objective, RelationshipDocument, Risk
from relationships.services.lifecycle import document_upload
from relationships.services.registers import objective_create, risk_create
from tests.assessments.factories_assessments import (
    edit_post_data,
    make_assessment,
    url,
)
from tests.relationships.factories_lifecycle import (
    ArtefactEvidenceFactory,
    first_artefact,
)

SECRET_DOCUMENT = "Supplier cost breakdown"
SECRET_RISK = "Cash-flow squeeze at Partner Org"
SECRET_OBJECTIVE = "Win the second framework lot"


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def private_document(world, frank, media_root) -> RelationshipDocument:
    """Bob's supplier's own document: private, shared with the lead by default."""
    return document_upload(
        relationship=world.relationship,
        user=world.bob,
        file=SimpleUploadedFile("costs.txt", b"Our margins.\n"),
        title=SECRET_DOCUMENT,
        owner_partnership=world.partner,
    )


@pytest.fixture
def private_risk(world, frank) -> Risk:
    return risk_create(
        relationship=world.relationship,
        values={
            "owner_partnership": world.partner,
            "title": SECRET_RISK,
            "likelihood": 4,
            "impact": 5,
        },
        created_by=world.bob,
    )


def _url(name: str, world: Any, **kwargs: Any) -> str:
    return reverse(
        f"relationships:{name}",
        kwargs={"reference": world.relationship.reference, **kwargs},
    )


def _page(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- documents -------------------------------------------------------------


def test_a_suppliers_document_is_private_and_shared_with_the_lead_by_default(
    world, private_document
) -> None:
    assert private_document.visibility == Visibility.PARTNER
    assert list(private_document.shared_with.all()) == [world.lead]


def test_other_supplier_neither_lists_nor_downloads_a_private_document(
    login, world, frank, private_document
) -> None:
    download = _url("document_download", world, pk=private_document.pk)
    client = login(frank)
    assert SECRET_DOCUMENT not in _page(client, _url("relationship_documents", world))
    assert client.get(download).status_code == 404
    for owner_or_lead in (world.bob, world.alice):
        client = login(owner_or_lead)
        assert SECRET_DOCUMENT in _page(client, _url("relationship_documents", world))
        assert client.get(download).status_code == 200


def test_upload_form_saves_the_partner_and_who_sees_it(
    login, world, frank, media_root
) -> None:
    response = login(world.bob).post(
        _url("relationship_documents", world),
        {
            "file": SimpleUploadedFile("plan.txt", b"Our plan.\n"),
            "title": "Own plan",
            "owner_partnership": str(world.partner.pk),
            "visibility": Visibility.PARTNER,
            "shared_with": [],
        },
        follow=True,
    )
    assert "“Own plan” uploaded." in response.content.decode()
    document = RelationshipDocument.objects.get(title="Own plan")
    assert (document.owner_partnership, document.visibility) == (
        world.partner,
        Visibility.PARTNER,
    )
    assert list(document.shared_with.all()) == []
    assert "Own plan" not in _page(
        login(world.alice), _url("relationship_documents", world)
    )


def test_a_supplier_cannot_upload_a_private_document_in_anothers_name(
    login, world, frank, media_root
) -> None:
    response = login(frank).post(
        _url("relationship_documents", world),
        {
            "file": SimpleUploadedFile("fake.txt", b"Not ours.\n"),
            "title": "Planted",
            "owner_partnership": str(world.partner.pk),
            "visibility": Visibility.PARTNER,
        },
    )
    assert response.status_code == 200
    assert "Only the people of the partner a record belongs to" in (
        response.content.decode()
    )
    assert not RelationshipDocument.objects.filter(title="Planted").exists()
    assert not list(media_root.rglob("fake*"))


# --- lifecycle evidence ----------------------------------------------------


def test_lifecycle_evidence_names_a_private_record_only_to_those_who_see_it(
    login, world, frank, private_risk, private_document
) -> None:
    ArtefactEvidenceFactory(
        relationship=world.relationship,
        artefact=first_artefact(),
        status=EvidenceStatus.EVIDENCED,
        risk=private_risk,
        document=private_document,
        note="",
    )
    lifecycle = _url("relationship_lifecycle", world)
    page = _page(login(frank), lifecycle)
    assert SECRET_RISK not in page
    assert SECRET_DOCUMENT not in page
    assert "and 2 private records of another partner" in page
    page = _page(login(world.alice), lifecycle)
    assert SECRET_RISK in page and SECRET_DOCUMENT in page


def test_evidence_form_offers_only_records_the_user_sees(
    login, world, frank, private_risk, private_document
) -> None:
    form = (
        login(frank)
        .get(_url("artefact_evidence_edit", world, artefact_pk=first_artefact().pk))
        .context["form"]
    )
    assert private_risk not in form.fields["risk"].queryset
    assert private_document not in form.fields["document"].queryset


def test_in_app_hints_count_only_what_the_viewer_sees(
    login, world, frank, private_risk
) -> None:
    objective_create(
        relationship=world.relationship,
        values={
            "owner": world.partner,
            "title": SECRET_OBJECTIVE,
            "horizon": Horizon.SHORT,
        },
        created_by=world.bob,
    )
    assert Objective.objects.get().visibility == Visibility.PARTNER
    overview = (
        login(frank).get(_url("relationship_lifecycle", world)).context["overview"]
    )
    hints = [item.in_app for row in overview.stages for item in row.items]
    assert not any(hint and "objective" in hint.text for hint in hints)
    assert not any(hint and "risk" in hint.text for hint in hints)
    overview = (
        login(world.bob).get(_url("relationship_lifecycle", world)).context["overview"]
    )
    texts = {
        hint.text
        for row in overview.stages
        for item in row.items
        if (hint := item.in_app)
    }
    assert "1 objective" in texts


# --- rating links of the joint assessment ----------------------------------


def test_joint_assessment_shows_a_private_link_only_to_those_who_see_it(
    login, world, frank, private_risk
) -> None:
    assessment = make_assessment(
        world, status=AssessmentStatus.SUBMITTED, levels=[3] * 12
    )
    rating = assessment.ratings.get(principle__key="governance_processes")
    rating.risks.add(private_risk)
    client = login(frank)
    assert SECRET_RISK not in _page(client, url("assessment_detail", assessment))
    sheet = load_workbook(
        io.BytesIO(client.get(url("assessment_export", assessment)).content)
    )["Assessment"]
    cells = [str(cell.value) for row in sheet.iter_rows() for cell in row]
    assert all(SECRET_RISK not in cell for cell in cells)
    assert SECRET_RISK in _page(
        login(world.alice), url("assessment_detail", assessment)
    )


def test_saving_a_rating_keeps_links_the_editor_cannot_see(
    login, world, frank, private_risk
) -> None:
    assessment = make_assessment(world, levels=[3] * 12)
    rating = assessment.ratings.get(principle__key="governance_processes")
    rating.risks.add(private_risk)
    response = login(frank).post(
        url("assessment_edit", assessment),
        edit_post_data(
            assessment,
            governance_processes__risks=[],
            governance_processes__evidence="Reviewed at the joint board.",
        ),
    )
    assert response.status_code == 302
    rating.refresh_from_db()
    assert rating.evidence == "Reviewed at the joint board."
    assert list(rating.risks.all()) == [private_risk]


# --- a joint action that answers a private risk ----------------------------


@pytest.fixture
def joint_action(world, frank, private_risk):
    from relationships.services.registers import action_create

    return action_create(
        relationship=world.relationship,
        values={"title": "Agree payment terms", "risk": private_risk},
        created_by=world.bob,
    )


def test_joint_action_names_a_private_risk_only_to_those_who_see_it(
    login, world, frank, joint_action
) -> None:
    assert joint_action.visibility == Visibility.JOINT
    register = _url("relationship_actions", world)
    cross_list = reverse("relationships:action_list")
    detail = _url("action_detail", world, pk=joint_action.pk)
    # Bob renders (and caches) every page first: Frank must not get his copy.
    bob = login(world.bob)
    for page in (register, cross_list, detail):
        assert SECRET_RISK in _page(bob, page), page
    client = login(frank)
    for page in (register, cross_list, detail):
        html = _page(client, page)
        assert "Agree payment terms" in html, page
        assert SECRET_RISK not in html, page
    assert "a private risk of another partner" in _page(client, detail)


def test_editing_a_joint_action_keeps_a_private_risk_it_answers(
    login, world, frank, joint_action, private_risk
) -> None:
    client = login(frank)
    edit = _url("action_edit", world, pk=joint_action.pk)
    form_page = _page(client, edit)
    assert SECRET_RISK not in form_page
    assert "A private risk of another partner" in form_page
    response = client.post(
        edit,
        {
            "revision": str(joint_action.revision),
            "title": "Agree payment terms by June",
            "status": "open",
            "source": joint_action.source,
            "owner_partnership": "",
            "visibility": Visibility.JOINT,
            "risk": "",
        },
    )
    assert response.status_code == 302
    joint_action.refresh_from_db()
    assert joint_action.title == "Agree payment terms by June"
    assert joint_action.risk == private_risk
