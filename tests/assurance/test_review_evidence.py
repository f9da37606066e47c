"""Management reviews cite the document revisions they considered: pinned to the
revision, limited to what every reader of the review may read, shown on the
review's page, refused with a message otherwise."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assurance.models import ManagementReview
from assurance.services import reviews as services
from relationships.choices import Visibility
from relationships.services.documents import document_revision_upload
from tests.assurance.factories_reviews import joint_review, own_review
from tests.relationships.factories_lifecycle import RelationshipDocumentFactory

pytestmark = pytest.mark.django_db

HELD = datetime.date(2026, 6, 1)


def _document(world: Any, *, owner: Any = None, title: str = "Joint charter") -> Any:
    fields: dict[str, Any] = {"relationship": world.relationship, "title": title}
    if owner is not None:
        fields |= {"visibility": Visibility.PARTNER, "owner_partnership": owner}
    return RelationshipDocumentFactory(uploaded_by=world.alice, **fields)


def _record(world: Any, *, revisions: list, is_joint: bool = False) -> ManagementReview:
    return services.management_review_record(
        organisation=None if is_joint else world.lead.organisation,
        relationship=world.relationship,
        is_joint=is_joint,
        values={"held_on": HELD, "evidence_revisions": revisions},
        user=world.alice,
    )


def test_a_review_keeps_the_revision_it_cited_when_the_document_moves_on(
    world: Any,
) -> None:
    document = _document(world)
    first = document.revisions.get()
    review = _record(world, revisions=[first])
    document_revision_upload(
        document=document,
        file=SimpleUploadedFile(
            "charter.txt", b"Charter, second edition.\n", content_type="text/plain"
        ),
        change_note="Second edition",
        user=world.alice,
    )
    assert document.revisions.count() == 2
    assert list(review.evidence_revisions.all()) == [first]
    assert list(first.management_reviews.all()) == [review]


def test_a_joint_review_cites_joint_documents_only(world: Any) -> None:
    own = _document(world, owner=world.lead, title="Lead's cost model")
    with pytest.raises(ValidationError) as refused:
        _record(world, revisions=[own.revisions.get()], is_joint=True)
    assert "joint documents only" in str(refused.value)
    assert not ManagementReview.objects.exists()


def test_an_own_review_cites_its_organisations_documents_not_a_partners(
    world: Any,
) -> None:
    own = _document(world, owner=world.lead, title="Lead's cost model")
    theirs = _document(world, owner=world.partner, title="Partner's cost model")
    theirs.shared_with.add(world.lead)
    review = _record(world, revisions=[own.revisions.get()])
    assert list(review.evidence_revisions.all()) == [own.revisions.get()]
    with pytest.raises(ValidationError) as refused:
        _record(world, revisions=[theirs.revisions.get()])
    assert "every reader of the review may read" in str(refused.value)
    assert ManagementReview.objects.count() == 1


def test_a_review_of_the_whole_system_cites_no_document(world: Any) -> None:
    revision = _document(world).revisions.get()
    with pytest.raises(ValidationError) as refused:
        services.management_review_record(
            organisation=world.lead.organisation,
            relationship=None,
            is_joint=False,
            values={"held_on": HELD, "evidence_revisions": [revision]},
            user=world.alice,
        )
    assert "choose the relationship reviewed" in str(refused.value)
    assert not ManagementReview.objects.exists()


def test_an_edit_that_cites_another_relationships_document_saves_nothing(
    world: Any,
) -> None:
    review = own_review(world, decisions="Carry on.")
    stranger = RelationshipDocumentFactory(title="Elsewhere")
    with pytest.raises(ValidationError):
        services.management_review_update(
            review=review,
            values={
                "decisions": "Changed",
                "evidence_revisions": [stranger.revisions.get()],
            },
            expected_revision=review.revision,
            user=world.alice,
        )
    review.refresh_from_db()
    assert review.decisions == "Carry on."
    assert not review.evidence_revisions.exists()


def test_the_record_form_offers_what_the_review_may_cite(
    login: Any, world: Any
) -> None:
    _document(world, title="Joint charter")
    _document(world, owner=world.lead, title="Lead's cost model")
    _document(world, owner=world.partner, title="Partner's cost model")
    url = reverse("assurance:review_create", kwargs={"slug": "lead-org"})
    client = login(world.alice)
    own = client.get(f"{url}?relationship={world.relationship.reference}")
    joint = client.get(f"{url}?relationship={world.relationship.reference}&is_joint=on")
    for response in (own, joint):
        assert response.status_code == 200
        assert "Joint charter" in response.content.decode()
        assert "Partner&#x27;s cost model" not in response.content.decode()
    assert "Lead&#x27;s cost model" in own.content.decode()
    assert "Lead&#x27;s cost model" not in joint.content.decode()


def test_posting_cited_revisions_links_them_and_the_page_lists_them(
    login: Any, world: Any
) -> None:
    revision = _document(world, title="Joint charter").revisions.get()
    url = reverse("assurance:review_create", kwargs={"slug": "lead-org"})
    response = login(world.alice).post(
        url,
        {
            "relationship": world.relationship.reference,
            "held_on": "2026-06-01",
            "evidence_revisions": [revision.pk],
        },
        follow=True,
    )
    review = ManagementReview.objects.get()
    assert list(review.evidence_revisions.all()) == [revision]
    content = response.content.decode()
    assert "Documents considered" in content
    assert (
        reverse(
            "relationships:document_revision_download",
            args=[world.relationship.reference, revision.document_id, revision.number],
        )
        in content
    )


def test_a_reader_is_told_of_cited_documents_they_may_not_read(
    login: Any, world: Any
) -> None:
    review = joint_review(world)
    private = _document(world, owner=world.lead, title="Lead's cost model")
    # Cited while joint, made private since: the partner's people no longer read it.
    review.evidence_revisions.add(private.revisions.get())
    content = login(world.bob).get(review.get_absolute_url()).content.decode()
    assert "Lead&#x27;s cost model" not in content
    assert "1 document you may not read." in content
    assert (
        "Lead&#x27;s cost model"
        in login(world.alice).get(review.get_absolute_url()).content.decode()
    )


def test_the_history_records_the_cited_revisions(world: Any) -> None:
    revision = _document(world).revisions.get()
    review = _record(world, revisions=[revision])
    services.management_review_update(
        review=review,
        values={"evidence_revisions": []},
        expected_revision=review.revision,
        user=world.alice,
    )
    cited = [
        list(record.evidence_revisions.values_list("documentrevision_id", flat=True))
        for record in review.history.order_by("history_date", "history_id")
    ]
    # Recorded citing the revision, then edited to cite none: both states kept.
    assert [revision.pk] in cited
    assert cited[-1] == []
    assert {r.history_user for r in review.history.all()} == {world.alice}
