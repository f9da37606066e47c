"""An organisation's admin changes roles and deactivates people: the last admin
is kept, and deactivation ends seats, manager roles and signing rights while
deleting nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from relationships.access import (
    plan_partnerships_represented_by,
    relationships_visible_to,
)
from relationships.choices import MembershipRole, PlanVersionStatus
from relationships.models import JointManagementTeamMember, Membership
from relationships.selectors.organisations import member_deactivation_effects
from relationships.selectors.plans import plan_representatives
from relationships.services.organisations import (
    membership_deactivate,
    membership_reactivate,
    membership_role_change,
    organisation_update,
)
from relationships.services.plans import plan_version_submit
from tests.factories import TEST_PASSWORD
from tests.relationships.factories_plans import leadership_seat, start_plan

pytestmark = pytest.mark.django_db


def _membership(user) -> Membership:
    return Membership.objects.get(user=user)


def test_the_last_admin_cannot_be_demoted(world, olive) -> None:
    with pytest.raises(ValidationError, match="only active admin"):
        membership_role_change(
            membership=_membership(olive), role=MembershipRole.AUDITOR, user=olive
        )
    assert _membership(olive).role == MembershipRole.ORG_ADMIN


def test_an_admin_can_step_down_once_another_admin_exists(world, olive) -> None:
    membership_role_change(
        membership=_membership(world.alice), role=MembershipRole.ORG_ADMIN, user=olive
    )
    membership_role_change(
        membership=_membership(olive), role=MembershipRole.AUDITOR, user=olive
    )
    assert _membership(olive).role == MembershipRole.AUDITOR


def test_the_last_admin_cannot_be_deactivated(world, olive) -> None:
    membership_role_change(
        membership=_membership(world.alice), role=MembershipRole.ORG_ADMIN, user=olive
    )
    membership_deactivate(
        organisation=world.lead.organisation, person=world.alice, user=olive
    )
    with pytest.raises(ValidationError, match="yourself"):
        membership_deactivate(
            organisation=world.lead.organisation, person=olive, user=olive
        )
    assert _membership(olive).deactivated_at is None


def test_a_deactivated_admin_does_not_count_as_an_admin(world, olive) -> None:
    membership_role_change(
        membership=_membership(world.alice), role=MembershipRole.ORG_ADMIN, user=olive
    )
    membership_deactivate(
        organisation=world.lead.organisation, person=world.alice, user=olive
    )
    with pytest.raises(ValidationError, match="only active admin"):
        membership_role_change(
            membership=_membership(olive), role=MembershipRole.AUDITOR, user=olive
        )


def test_deactivation_ends_seats_and_manager_roles_and_keeps_the_membership(
    world, olive
) -> None:
    organisation = world.lead.organisation
    JointManagementTeamMember.objects.create(
        relationship=world.relationship,
        partnership=world.lead,
        user=world.alice,
        is_leadership=True,
    )
    effects = member_deactivation_effects(organisation=organisation, person=world.alice)
    assert [seat.user for seat in effects.seats] == [world.alice]
    assert effects.manager_of == [world.lead]
    result = membership_deactivate(
        organisation=organisation, person=world.alice, user=olive
    )
    assert len(result.seats_ended) == 1
    membership = _membership(world.alice)
    assert membership.deactivated_at is not None
    assert membership.deactivated_by == olive
    assert not JointManagementTeamMember.objects.filter(user=world.alice).exists()
    world.lead.refresh_from_db()
    assert world.lead.relationship_manager is None
    world.alice.refresh_from_db()
    assert not world.alice.is_active
    # The ended seat is on record, with who ended it.
    deleted = JointManagementTeamMember.history.filter(
        user_id=world.alice.pk, history_type="-"
    ).get()
    assert deleted.history_user == olive


def test_a_deactivated_person_cannot_log_in_or_see_anything(
    world, olive, client
) -> None:
    membership_deactivate(
        organisation=world.lead.organisation, person=world.carol, user=olive
    )
    assert not client.login(username="carol", password=TEST_PASSWORD)
    assert not relationships_visible_to(world.carol).exists()


def test_an_open_session_ends_with_deactivation(world, olive, client) -> None:
    client.force_login(world.carol)
    assert client.get(reverse("relationships:list")).status_code == 200
    membership_deactivate(
        organisation=world.lead.organisation, person=world.carol, user=olive
    )
    response = client.get(reverse("relationships:list"))
    assert response.status_code == 302


def test_pending_signoff_no_longer_counts_a_deactivated_leader(world, olive) -> None:
    plan = start_plan(world, filled=True)
    version = plan.versions.get()
    version = plan_version_submit(
        plan_version=version, relationship=world.relationship, user=world.alice
    )
    assert version.status == PlanVersionStatus.SUBMITTED
    leadership_seat(world.carol, world.lead)
    assert plan_partnerships_represented_by(
        user=world.carol, relationship=world.relationship
    ).exists()
    effects = member_deactivation_effects(
        organisation=world.lead.organisation, person=world.carol
    )
    assert [pending.plan_version for pending in effects.pending_signoffs] == [version]
    assert effects.pending_signoffs[0].others_can_sign  # alice manages the lead
    # A seat that outlives its membership (kept by hand) still does not sign.
    Membership.objects.filter(user=world.carol).update(
        deactivated_at="2026-01-01T00:00Z"
    )
    assert not plan_partnerships_represented_by(
        user=world.carol, relationship=world.relationship
    ).exists()
    assert (
        world.carol
        not in plan_representatives(relationship=world.relationship)[world.lead.pk]
    )


def test_effects_say_when_nobody_else_can_sign(world, olive) -> None:
    plan = start_plan(world, filled=True)
    version = plan.versions.get()
    version = plan_version_submit(
        plan_version=version, relationship=world.relationship, user=world.alice
    )
    effects = member_deactivation_effects(
        organisation=world.lead.organisation, person=world.alice
    )
    assert not effects.pending_signoffs[0].others_can_sign


def test_reactivation_restores_login_not_seats(world, olive, client) -> None:
    leadership_seat(world.carol, world.lead)
    organisation = world.lead.organisation
    membership_deactivate(organisation=organisation, person=world.carol, user=olive)
    membership_reactivate(organisation=organisation, person=world.carol, user=olive)
    assert _membership(world.carol).deactivated_at is None
    assert client.login(username="carol", password=TEST_PASSWORD)
    assert not JointManagementTeamMember.objects.filter(user=world.carol).exists()
    with pytest.raises(ValidationError, match="not a deactivated member"):
        membership_reactivate(organisation=organisation, person=world.carol, user=olive)


def test_deactivating_twice_is_refused(world, olive) -> None:
    organisation = world.lead.organisation
    membership_deactivate(organisation=organisation, person=world.carol, user=olive)
    with pytest.raises(ValidationError, match="not an active member"):
        membership_deactivate(organisation=organisation, person=world.carol, user=olive)


def test_profile_msme_needs_a_size_and_others_none(world, olive) -> None:
    organisation = world.lead.organisation
    with pytest.raises(ValidationError):
        organisation_update(
            organisation=organisation, changes={"kind": "msme"}, user=olive
        )
    with pytest.raises(ValidationError):
        organisation_update(
            organisation=organisation,
            changes={"kind": "university", "msme_size": "small"},
            user=olive,
        )
    organisation_update(
        organisation=organisation,
        changes={"kind": "msme", "msme_size": "small"},
        user=olive,
    )
    organisation.refresh_from_db()
    assert (organisation.kind, organisation.msme_size) == ("msme", "small")
    assert organisation.history.first().history_user == olive


def test_a_deactivated_person_owns_nothing_new_and_is_reported_by_checks(
    world, olive
) -> None:
    from relationships.access import relationship_owner_candidates
    from relationships.checks import seats_held_by_members

    assert world.carol in relationship_owner_candidates(relationship=world.relationship)
    leadership_seat(world.carol, world.lead)
    # Deactivated behind the service's back: the seat would stay, and the data
    # check reports it.
    Membership.objects.filter(user=world.carol).update(
        deactivated_at="2026-01-01T00:00Z"
    )
    assert world.carol not in relationship_owner_candidates(
        relationship=world.relationship
    )
    messages = seats_held_by_members(databases=["default"])
    assert [message.id for message in messages] == ["relationships.E001"]
