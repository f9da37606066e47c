"""Team seats are held only by members of the organisation they represent, and
count for signing only while that membership lasts."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection
from django.urls import reverse

from relationships.access import plan_partnerships_represented_by
from relationships.checks import seats_held_by_members
from relationships.choices import MembershipRole, PlanDecisionKind
from relationships.models import (
    JointManagementTeamMember,
    Membership,
    Partnership,
    PlanDecision,
)
from relationships.selectors.plans import plan_representatives, plan_signoff_rows
from relationships.services.plans import plan_version_decide, plan_version_submit
from tests.factories import (
    JointManagementTeamMemberFactory,
    PartnershipFactory,
    UserFactory,
)
from tests.relationships.factories_plans import leadership_seat, start_plan


def _seat(world: Any, user: Any, partnership: Any, **fields: Any):
    return JointManagementTeamMember(
        relationship=world.relationship,
        user=user,
        partnership=partnership,
        is_leadership=True,
        **fields,
    )


def _represented(world: Any, user: Any) -> list:
    return list(
        plan_partnerships_represented_by(user=user, relationship=world.relationship)
    )


# --- Model validation ---------------------------------------------------------


def test_a_seat_for_a_partner_is_refused_to_a_person_of_another_organisation(
    world,
) -> None:
    with pytest.raises(ValidationError) as refused:
        _seat(world, world.carol, world.partner).full_clean()
    assert refused.value.message_dict["user"] == [
        "carol is not a member of Partner Org: a seat for a partner is held only by "
        "one of its own people."
    ]


def test_a_seat_for_a_partner_of_another_relationship_is_refused(world) -> None:
    elsewhere = PartnershipFactory(
        relationship=world.outsider_relationship,
        organisation=world.lead.organisation,
    )
    with pytest.raises(ValidationError) as refused:
        _seat(world, world.carol, elsewhere).full_clean()
    assert "not in this relationship" in refused.value.message_dict["partnership"][0]


def test_a_seat_for_ones_own_organisation_is_accepted(world) -> None:
    _seat(world, world.carol, world.lead, role_title="Sponsor").full_clean()


def test_the_seat_factory_makes_its_holder_a_member(world) -> None:
    outsider = UserFactory(username="newcomer")
    seat = JointManagementTeamMemberFactory(partnership=world.partner, user=outsider)
    assert seat.relationship == world.relationship
    assert Membership.objects.filter(
        user=outsider, organisation=world.partner.organisation
    ).exists()


# --- The admin ----------------------------------------------------------------


@pytest.fixture
def admin_client(client, world):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    client.login(username="root", password="correct horse battery staple")
    return client


def test_the_admin_refuses_a_seat_held_by_another_organisations_person(
    admin_client, world
) -> None:
    response = admin_client.post(
        reverse("admin:relationships_jointmanagementteammember_add"),
        {
            "relationship": world.relationship.pk,
            "user": world.carol.pk,
            "partnership": world.partner.pk,
            "role_title": "Sponsor",
            "is_leadership": "on",
        },
    )
    assert response.status_code == 200
    assert "carol is not a member of Partner Org" in response.content.decode()
    assert not JointManagementTeamMember.objects.exists()


def _posted_admin_form(response: Any) -> dict[str, Any]:
    """The admin change form's current values, as the browser would post them."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data: dict[str, Any] = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is True:
                data[form.add_prefix(name)] = "on"
            elif value is not None and value is not False:
                data[form.add_prefix(name)] = value
    return data


def test_the_relationship_admins_team_inline_refuses_it_too(
    admin_client, world
) -> None:
    url = reverse(
        "admin:relationships_relationship_change", args=[world.relationship.pk]
    )
    data = _posted_admin_form(admin_client.get(url))
    data.update(
        {
            "jmt_members-TOTAL_FORMS": "1",
            "jmt_members-0-user": world.carol.pk,
            "jmt_members-0-partnership": world.partner.pk,
            "jmt_members-0-is_leadership": "on",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "carol is not a member of Partner Org" in response.content.decode()
    assert not JointManagementTeamMember.objects.exists()
    data["jmt_members-0-partnership"] = world.lead.pk
    assert admin_client.post(url, data).status_code == 302
    assert JointManagementTeamMember.objects.get().partnership == world.lead


# --- Who may sign: only while the membership lasts ---------------------------


def test_a_manager_whose_membership_was_removed_signs_for_nobody(world) -> None:
    assert _represented(world, world.alice) == [world.lead]
    Membership.objects.filter(user=world.alice).delete()
    assert _represented(world, world.alice) == []


def test_a_leaders_seat_no_longer_counts_once_the_membership_is_removed(
    world,
) -> None:
    leadership_seat(world.carol, world.lead)
    assert _represented(world, world.carol) == [world.lead]
    Membership.objects.filter(user=world.carol).delete()
    assert JointManagementTeamMember.objects.filter(user=world.carol).exists()
    assert _represented(world, world.carol) == []


def test_a_seat_written_around_validation_gives_no_right_to_sign(world) -> None:
    # As the issue found it: the MSME's person seated for the university.
    JointManagementTeamMember.objects.create(
        relationship=world.relationship,
        user=world.bob,
        partnership=world.lead,
        is_leadership=True,
    )
    assert _represented(world, world.bob) == [world.partner]


def test_a_former_member_cannot_sign_and_nothing_is_saved(world) -> None:
    plan = start_plan(world, filled=True)
    plan_version = plan.versions.get()
    plan_version_submit(
        plan_version=plan_version, relationship=world.relationship, user=world.alice
    )
    Membership.objects.filter(user=world.alice).delete()
    with pytest.raises(ValidationError, match="not a named representative"):
        plan_version_decide(
            plan_version=plan_version,
            relationship=world.relationship,
            partnership=world.lead,
            user=world.alice,
            decision=PlanDecisionKind.APPROVE,
        )
    assert not PlanDecision.objects.exists()


def test_sign_off_rows_name_only_valid_representatives(world) -> None:
    leadership_seat(world.carol, world.lead)
    JointManagementTeamMember.objects.create(  # invalid: bob is the partner's
        relationship=world.relationship,
        user=world.bob,
        partnership=world.lead,
        is_leadership=True,
    )
    plan_version = start_plan(world).versions.get()
    names = {
        row.partnership: row.representatives
        for row in plan_signoff_rows(
            plan_version=plan_version, relationship=world.relationship
        )
    }
    assert names[world.lead] == (
        world.alice.get_full_name(),
        world.carol.get_full_name(),
    )
    assert names[world.partner] == (world.bob.get_full_name(),)
    Membership.objects.filter(user=world.alice).delete()
    names = {
        row.partnership: row.representatives
        for row in plan_signoff_rows(
            plan_version=plan_version, relationship=world.relationship
        )
    }
    assert names[world.lead] == (world.carol.get_full_name(),)


def test_the_list_of_representatives_follows_the_same_rule_as_signing(
    world,
) -> None:
    leadership_seat(world.carol, world.lead)
    JointManagementTeamMember.objects.create(
        relationship=world.relationship,
        user=world.dave,  # the partner's auditor, seated for the lead
        partnership=world.lead,
        is_leadership=True,
    )
    Membership.objects.create(
        user=world.eve,
        organisation=world.partner.organisation,
        role=MembershipRole.JMT_MEMBER,
    )
    JointManagementTeamMemberFactory(
        partnership=world.partner, user=world.eve, is_leadership=False
    )
    listed = plan_representatives(relationship=world.relationship)
    for user in (world.alice, world.bob, world.carol, world.dave, world.eve):
        assert {partnership.pk for partnership in _represented(world, user)} == {
            pk for pk, people in listed.items() if user in people
        }, user


# --- The data check -------------------------------------------------------------


def test_the_data_check_passes_on_valid_seats(world) -> None:
    leadership_seat(world.carol, world.lead)
    assert seats_held_by_members(databases=["default"]) == []


def test_the_data_check_is_silent_before_the_first_migration(
    world, monkeypatch
) -> None:
    """migrate runs the checks before it creates the tables: on a new database
    there is nothing stored to check, and nothing to warn of."""
    JointManagementTeamMember.objects.create(  # would be an error, were it read
        relationship=world.relationship,
        user=world.bob,
        partnership=world.lead,
        is_leadership=True,
    )
    monkeypatch.setattr(
        connection.introspection, "table_names", lambda *args, **kwargs: []
    )
    assert seats_held_by_members(databases=["default"]) == []


def test_the_data_check_reports_each_seat_that_breaks_the_rule(world) -> None:
    wrong_organisation = JointManagementTeamMember.objects.create(
        relationship=world.relationship,
        user=world.bob,
        partnership=world.lead,
        is_leadership=True,
    )
    leadership_seat(world.carol, world.lead)
    Membership.objects.filter(user=world.carol).delete()
    Membership.objects.filter(user=world.bob).delete()  # bob also manages Partner Org
    elsewhere = PartnershipFactory(
        relationship=world.outsider_relationship,
        organisation=world.lead.organisation,
    )
    wrong_relationship = JointManagementTeamMember.objects.create(
        relationship=world.relationship,
        user=world.alice,
        partnership=elsewhere,
    )
    errors = seats_held_by_members(databases=["default"])
    reported = sorted((error.id, str(error.obj)) for error in errors)
    carol_seat = JointManagementTeamMember.objects.get(user=world.carol)
    assert reported == sorted(
        [
            ("relationships.E001", str(wrong_organisation)),
            ("relationships.E001", str(carol_seat)),
            ("relationships.E002", str(wrong_relationship)),
            ("relationships.E003", str(world.partner)),
        ]
    )
    carol_error = next(error for error in errors if error.obj == carol_seat)
    assert carol_error.msg == (
        f"Joint management team seat {carol_seat.pk} in “joint-venture”: carol "
        "represents Lead Org but is not a member of it."
    )


def test_manage_py_check_with_the_database_lists_the_offending_seats(
    world, capsys
) -> None:
    JointManagementTeamMember.objects.create(
        relationship=world.relationship,
        user=world.bob,
        partnership=world.lead,
        is_leadership=True,
    )
    call_command("check")  # without --database the data is not looked at
    with pytest.raises(SystemCheckError) as failed:
        call_command("check", "--database", "default")
    report = str(failed.value)
    assert "relationships.E001" in report
    assert "“joint-venture”: bob represents Lead Org but is not a member" in report


def test_the_data_check_reports_a_senior_executive_of_another_organisation(
    world,
) -> None:
    Partnership.objects.filter(pk=world.partner.pk).update(senior_executive=world.alice)

    errors = seats_held_by_members(databases=["default"])

    assert [(error.id, error.obj) for error in errors] == [
        ("relationships.E004", world.partner)
    ]
    assert errors[0].msg == (
        "Senior executive responsible of Partner Org in “joint-venture”: alice is "
        "not a member of Partner Org."
    )
