"""Who may see and change which assessment.

- A self-assessment draft is private to its partner's organisation (404 for the
  other partners, as if it did not exist); once submitted every partner reads it.
- Only members with a write role in THAT partner's organisation edit it; its own
  relationship manager (or organisation admin) finalises it.
- The joint assessment is edited by any partner member with a write role and
  becomes final only when every partner confirmed it (test_confirmations.py).
- Auditors read everything they can see and change nothing.
"""

import pytest

from assessments.choices import AssessmentStatus
from relationships.access import partnerships_assessable_by, user_can_edit_assessment
from relationships.choices import MembershipRole
from relationships.models import Action
from relationships.services.organisations import membership_deactivate
from relationships.services.partners import partnership_exit
from tests.assessments.factories_assessments import edit_post_data, make_assessment, url
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

READ_PAGES = ["assessment_detail", "assessment_export"]
WRITE_PAGES = ["assessment_edit", "assessment_submit", "assessment_finalise"]


@pytest.mark.parametrize("page", READ_PAGES + WRITE_PAGES)
def test_other_partners_get_404_for_a_self_assessment_draft(login, world, page) -> None:
    draft = make_assessment(world, partnership=world.lead, levels=[3] * 12)
    for persona in (world.bob, world.dave, world.eve):
        response = login(persona).get(url(page, draft))
        assert response.status_code == 404, (persona.username, page)


def test_hidden_draft_is_not_listed_and_its_existence_does_not_leak(
    login, world
) -> None:
    draft = make_assessment(world, partnership=world.lead, levels=[5] * 12)
    response = login(world.bob).get(
        f"/relationships/{world.relationship.reference}/assessments/"
    )
    page = response.content.decode()
    assert url("assessment_detail", draft) not in page
    assert "Not shared yet" in page


def test_a_submitted_self_assessment_is_visible_to_every_partner(login, world) -> None:
    submitted = make_assessment(
        world,
        partnership=world.lead,
        status=AssessmentStatus.SUBMITTED,
        levels=[3] * 12,
    )
    for persona in (world.bob, world.dave):
        client = login(persona)
        assert client.get(url("assessment_detail", submitted)).status_code == 200
        assert client.get(url("assessment_export", submitted)).status_code == 200


def test_own_partners_members_see_its_draft_auditor_included(login, world) -> None:
    draft = make_assessment(world, partnership=world.partner, levels=[3] * 12)
    assert login(world.bob).get(url("assessment_detail", draft)).status_code == 200
    assert login(world.dave).get(url("assessment_detail", draft)).status_code == 200
    assert login(world.alice).get(url("assessment_detail", draft)).status_code == 404


def test_only_the_own_partners_writers_edit_a_self_assessment(login, world) -> None:
    submitted = make_assessment(
        world,
        partnership=world.lead,
        status=AssessmentStatus.SUBMITTED,
        levels=[3] * 12,
    )
    data = edit_post_data(submitted, exit_strategy__level="5")
    assert (
        login(world.bob).post(url("assessment_edit", submitted), data).status_code
        == 403
    )
    assert (
        login(world.dave).post(url("assessment_edit", submitted), data).status_code
        == 403
    )
    assert set(submitted.ratings.values_list("level", flat=True)) == {3}

    response = login(world.carol).post(url("assessment_edit", submitted), data)
    assert response.status_code == 302
    assert submitted.ratings.get(principle__key="exit_strategy").level == 5


def test_an_auditor_cannot_edit_its_own_partners_draft(login, world) -> None:
    draft = make_assessment(world, partnership=world.partner, levels=[3] * 12)
    client = login(world.dave)
    for page in WRITE_PAGES:
        assert client.get(url(page, draft)).status_code == 403, page
    response = client.post(
        url("assessment_action_create", draft, principle_key="exit_strategy")
    )
    assert response.status_code == 403
    assert not Action.objects.exists()


def test_a_jmt_member_may_not_finalise_the_partners_self_assessment(
    login, world
) -> None:
    submitted = make_assessment(
        world,
        partnership=world.lead,
        status=AssessmentStatus.SUBMITTED,
        levels=[3] * 12,
    )
    response = login(world.carol).post(url("assessment_finalise", submitted))
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == AssessmentStatus.SUBMITTED

    response = login(world.alice).post(url("assessment_finalise", submitted))
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == AssessmentStatus.FINAL


def test_an_organisation_admin_may_finalise_its_partners_self_assessment(
    login, world
) -> None:
    admin = MembershipFactory(
        organisation=world.partner.organisation, role=MembershipRole.ORG_ADMIN
    ).user
    submitted = make_assessment(
        world,
        partnership=world.partner,
        status=AssessmentStatus.SUBMITTED,
        levels=[3] * 12,
    )
    assert login(admin).post(url("assessment_finalise", submitted)).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == AssessmentStatus.FINAL


def test_nobody_finalises_the_joint_assessment_alone(login, world) -> None:
    joint = make_assessment(world, status=AssessmentStatus.SUBMITTED, levels=[3] * 12)
    for user in (world.alice, world.bob, world.carol):
        response = login(user).post(url("assessment_finalise", joint))
        assert response.status_code == 409
        assert "every partner has confirmed it" in response.content.decode()
    joint.refresh_from_db()
    assert joint.status == AssessmentStatus.SUBMITTED


def test_joint_draft_is_visible_to_all_partners(login, world) -> None:
    joint = make_assessment(world, levels=[3] * 12)
    for persona in (world.alice, world.bob, world.carol, world.dave):
        assert login(persona).get(url("assessment_detail", joint)).status_code == 200


def test_an_assessment_of_another_relationship_is_not_found(login, world) -> None:
    other = make_assessment(world, levels=[3] * 12)
    other.relationship = world.outsider_relationship
    other.save()
    response = login(world.alice).get(
        f"/relationships/{world.relationship.reference}/assessments/{other.pk}/"
    )
    assert response.status_code == 404


def test_the_auditor_sees_no_start_buttons_and_cannot_start(login, world) -> None:
    client = login(world.dave)
    page = client.get(
        f"/relationships/{world.relationship.reference}/assessments/"
    ).content.decode()
    assert "Start blank" not in page and ">Start<" not in page
    response = client.post(
        f"/relationships/{world.relationship.reference}/assessments/start/",
        {"subject": "joint"},
    )
    assert response.status_code == 403


def test_a_deactivated_member_no_longer_edits_or_starts_self_assessments(
    world,
) -> None:
    draft = make_assessment(world, partnership=world.lead, levels=[3] * 12)
    assert user_can_edit_assessment(user=world.carol, assessment=draft)
    admin = MembershipFactory(
        organisation=world.lead.organisation, role=MembershipRole.ORG_ADMIN
    ).user
    membership_deactivate(
        organisation=world.lead.organisation, person=world.carol, user=admin
    )

    assert not user_can_edit_assessment(user=world.carol, assessment=draft)
    assert (
        partnerships_assessable_by(user=world.carol, relationship=draft.relationship)
        == []
    )


def test_an_exited_partner_starts_no_self_assessment(world) -> None:
    assert partnerships_assessable_by(
        user=world.bob, relationship=world.relationship
    ) == [world.partner]
    partnership_exit(partnership=world.partner, reason="Contract ended", user=world.bob)

    assert (
        partnerships_assessable_by(user=world.bob, relationship=world.relationship)
        == []
    )
