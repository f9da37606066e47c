"""The pages of management reviews: recording one beside its gathered inputs,
who sees which, bad input refused with nothing saved, stale edits, actions."""

import datetime
from typing import Any

import pytest
from django.urls import reverse

from assurance.models import ManagementReview, ManagementReviewAction
from relationships.choices import MembershipRole
from tests.assurance.factories_reviews import (
    joint_review,
    own_review,
    review_action,
)
from tests.factories import (
    MembershipFactory,
    ObjectiveFactory,
    OrganisationFactory,
    PartnershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _create_url(world: Any, query: str = "") -> str:
    url = reverse("assurance:review_create", kwargs={"slug": "lead-org"})
    return f"{url}?{query}" if query else url


def _review_post(world: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "relationship": world.relationship.reference,
        "held_on": "2026-06-01",
        "chair": world.alice.pk,
        "attendees": [world.carol.pk],
        "performance_input": "Objectives on track.",
        "decisions": "Carry on.",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_record_form_shows_the_gathered_inputs_beside_the_fields(
    login: Any, world: Any
) -> None:
    ObjectiveFactory(relationship=world.relationship, title="Place students")
    response = login(world.alice).get(
        _create_url(world, f"relationship={world.relationship.reference}")
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Place students" in content
    assert "No data held." in content  # nonconformities, audits
    assert 'name="performance_input"' in content


def test_recording_a_review_keeps_its_inputs_and_says_so(
    login: Any, world: Any
) -> None:
    ObjectiveFactory(relationship=world.relationship, title="Place students")
    client = login(world.alice)
    response = client.post(_create_url(world), _review_post(world), follow=True)
    review = ManagementReview.objects.get()
    assert response.redirect_chain[-1][0] == review.get_absolute_url()
    assert "Management review recorded" in response.content.decode()
    assert review.organisation == world.lead.organisation
    assert review.relationship == world.relationship and not review.is_joint
    assert list(review.attendees.all()) == [world.carol]
    assert "Place students" in str(review.inputs_snapshot)
    assert review.recorded_by == world.alice


def test_recording_a_joint_review_from_the_relationship(login: Any, world: Any) -> None:
    client = login(world.bob)
    page = client.get(
        reverse(
            "assurance:relationship_reviews",
            kwargs={"reference": world.relationship.reference},
        )
    )
    assert "Record a joint review" in page.content.decode()
    url = reverse("assurance:review_create", kwargs={"slug": "partner-org"})
    response = client.post(
        url, _review_post(world, chair=world.alice.pk, attendees=None, is_joint="on")
    )
    review = ManagementReview.objects.get()
    assert response.status_code == 302
    assert review.is_joint and review.organisation is None
    assert review.chair == world.alice


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"held_on": None}, "Give the date the review was held."),
        ({"held_on": "2999-01-01"}, "the date is ahead"),
        ({"held_on": "not a date"}, "Enter a valid date."),
        ({"chair": "999999"}, "Select a valid choice."),
        ({"decisions": "x" * 10001}, "at most 10000 characters"),
        ({"relationship": "outsider-deal"}, "Choose what is reviewed again"),
        ({"relationship": None, "is_joint": "on"}, "Choose what is reviewed again"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(
    login: Any, world: Any, overrides: dict, message: str
) -> None:
    response = login(world.alice).post(
        _create_url(world), _review_post(world, **overrides)
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Nothing was saved" in content
    assert message in content
    assert not ManagementReview.objects.exists()


def test_an_exited_partner_no_longer_records_joint_reviews(
    login: Any, world: Any
) -> None:
    world.partner.exited_at = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    world.partner.save()
    response = login(world.bob).post(
        reverse("assurance:review_create", kwargs={"slug": "partner-org"}),
        _review_post(world, chair=world.bob.pk, attendees=None, is_joint="on"),
    )
    assert response.status_code == 200
    assert "Only people who write in the relationship" in response.content.decode()
    assert not ManagementReview.objects.exists()


def test_refused_writes_change_nothing(login: Any, world: Any) -> None:
    review = own_review(world, decisions="Original")
    for persona in ("bob", "dave", "eve"):
        client = login(getattr(world, persona))
        client.post(_create_url(world), _review_post(world))
        client.post(
            reverse("assurance:review_edit", kwargs={"pk": review.pk}),
            {"held_on": "2026-06-01", "decisions": "Hijacked", "revision": 1},
        )
    review.refresh_from_db()
    assert review.decisions == "Original"
    assert ManagementReview.objects.count() == 1


# --- who sees which ---------------------------------------------------------------


def test_own_review_is_private_to_its_organisation(login: Any, world: Any) -> None:
    review = own_review(world)
    detail = reverse("assurance:review_detail", kwargs={"pk": review.pk})
    assert login(world.carol).get(detail).status_code == 200
    for persona in ("bob", "dave", "eve"):
        assert login(getattr(world, persona)).get(detail).status_code == 404
    listing = login(world.bob).get(
        reverse(
            "assurance:relationship_reviews",
            kwargs={"reference": world.relationship.reference},
        )
    )
    assert detail not in listing.content.decode()


def test_joint_review_is_seen_by_every_partner_and_listed_for_each(
    login: Any, world: Any
) -> None:
    review = joint_review(world)
    lead_own = own_review(world)
    detail = reverse("assurance:review_detail", kwargs={"pk": review.pk})
    for persona in ("alice", "carol", "bob", "dave"):
        assert login(getattr(world, persona)).get(detail).status_code == 200
    assert login(world.eve).get(detail).status_code == 404
    partner_list = login(world.dave).get(
        reverse("assurance:organisation_reviews", kwargs={"slug": "partner-org"})
    )
    content = partner_list.content.decode()
    assert detail in content
    assert lead_own.get_absolute_url() not in content


def test_a_second_supplier_sees_joint_reviews_not_another_suppliers_own(
    login: Any, world: Any, frank: Any
) -> None:
    joint = joint_review(world)
    partners_own = own_review(world, partner=True)
    client = login(frank)
    assert client.get(joint.get_absolute_url()).status_code == 200
    assert client.get(partners_own.get_absolute_url()).status_code == 404
    assert (
        client.get(
            reverse("assurance:review_edit", kwargs={"pk": partners_own.pk})
        ).status_code
        == 404
    )


def test_a_new_member_of_another_organisation_sees_none_of_its_reviews(
    login: Any, world: Any
) -> None:
    review = own_review(world)
    stranger = UserFactory(username="stranger")
    MembershipFactory(
        user=stranger,
        organisation=OrganisationFactory(slug="elsewhere"),
        role=MembershipRole.ORG_ADMIN,
    )
    PartnershipFactory(
        relationship=world.outsider_relationship,
        organisation=stranger.memberships.get().organisation,
    )
    assert login(stranger).get(review.get_absolute_url()).status_code == 404


# --- the detail page, editing, actions ---------------------------------------------


def test_detail_shows_inputs_as_gathered_and_outputs(login: Any, world: Any) -> None:
    objective = ObjectiveFactory(
        relationship=world.relationship, title="Place students"
    )
    login(world.alice).post(_create_url(world), _review_post(world))
    review = ManagementReview.objects.get()
    objective.title = "Renamed since"
    objective.save()
    content = login(world.carol).get(review.get_absolute_url()).content.decode()
    assert "Place students" in content and "Renamed since" not in content
    assert "Objectives on track." in content
    assert "Carry on." in content
    assert "No action was recorded for this review." in content


def test_stale_review_edit_answers_409_and_keeps_the_input(
    login: Any, world: Any
) -> None:
    review = own_review(world, decisions="Original")
    url = reverse("assurance:review_edit", kwargs={"pk": review.pk})
    ManagementReview.objects.filter(pk=review.pk).update(revision=2, decisions="Theirs")
    response = login(world.alice).post(
        url, {"held_on": "2026-06-01", "decisions": "Mine", "revision": 1}
    )
    assert response.status_code == 409
    content = response.content.decode()
    assert "Not saved" in content and "Mine" in content and "Theirs" in content
    review.refresh_from_db()
    assert review.decisions == "Theirs"


def test_actions_are_added_and_their_status_updated(login: Any, world: Any) -> None:
    review = own_review(world)
    client = login(world.carol)
    refused = client.post(
        reverse("assurance:review_action_create", kwargs={"pk": review.pk}),
        {"description": "", "status": "open"},
    )
    assert "Say what is to be done." in refused.content.decode()
    assert not ManagementReviewAction.objects.exists()
    response = client.post(
        reverse("assurance:review_action_create", kwargs={"pk": review.pk}),
        {
            "description": "Agree a calendar",
            "owner": world.alice.pk,
            "due_date": "2026-07-01",
            "status": "open",
        },
        follow=True,
    )
    assert "Action “Agree a calendar” added" in response.content.decode()
    action = ManagementReviewAction.objects.get()
    response = client.post(
        reverse(
            "assurance:review_action_edit",
            kwargs={"review_pk": review.pk, "pk": action.pk},
        ),
        {
            "description": "Agree a calendar",
            "owner": world.alice.pk,
            "due_date": "2026-07-01",
            "status": "done",
            "revision": action.revision,
        },
        follow=True,
    )
    assert "updated: done" in response.content.decode()
    action.refresh_from_db()
    assert action.status == "done" and action.completed_on is not None


def test_an_action_of_another_review_is_not_reached_through_this_one(
    login: Any, world: Any
) -> None:
    review = own_review(world)
    other = review_action(joint_review(world))
    response = login(world.alice).get(
        reverse(
            "assurance:review_action_edit",
            kwargs={"review_pk": review.pk, "pk": other.pk},
        )
    )
    assert response.status_code == 404


def test_empty_lists_say_so(login: Any, world: Any) -> None:
    client = login(world.alice)
    content = client.get(
        reverse("assurance:organisation_reviews", kwargs={"slug": "lead-org"})
    ).content.decode()
    assert "No management review is recorded yet." in content
    content = client.get(
        reverse(
            "assurance:relationship_reviews",
            kwargs={"reference": world.relationship.reference},
        )
    ).content.decode()
    assert "No review of this relationship" in content


def test_review_lists_read_a_fixed_number_of_queries(login: Any, world: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(world.alice)
    urls = [
        reverse("assurance:organisation_reviews", kwargs={"slug": "lead-org"}),
        reverse(
            "assurance:relationship_reviews",
            kwargs={"reference": world.relationship.reference},
        ),
    ]

    def counts() -> list[int]:
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    review_action(own_review(world))
    review_action(joint_review(world))
    few = counts()
    for _ in range(4):
        review_action(own_review(world))
        review_action(joint_review(world))
    assert counts() == few


def test_a_deactivated_member_no_longer_sees_the_organisations_records(
    login: Any, world: Any
) -> None:
    from relationships.services.organisations import membership_deactivate

    review = own_review(world)
    admin = MembershipFactory(
        organisation=world.lead.organisation, role=MembershipRole.ORG_ADMIN
    ).user
    client = login(world.carol)
    assert client.get(review.get_absolute_url()).status_code == 200
    membership_deactivate(
        organisation=world.lead.organisation, person=world.carol, user=admin
    )
    world.carol.refresh_from_db()
    world.carol.is_active = True  # still able to log in, as a member elsewhere
    world.carol.save()
    client = login(world.carol)
    assert client.get(review.get_absolute_url()).status_code == 404
    records = reverse("assurance:organisation_records", kwargs={"slug": "lead-org"})
    assert client.get(records).status_code == 404
