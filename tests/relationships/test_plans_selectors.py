"""Reads of the plan editor: guidance per side, representatives, sign-off rows."""

import pytest

from relationships.access import plan_partnerships_represented_by
from relationships.choices import MembershipRole, RelationshipKind
from relationships.selectors.plans import (
    plan_guidance_for_user,
    plan_guidance_set_key_for_user,
    plan_signoff_rows,
)
from relationships.services.plans import plan_version_decide, plan_version_submit
from tests.relationships.factories_plans import (
    leadership_seat,
    member,
    msme_relationship,
    start_plan,
    ubc_relationship,
)

pytestmark = pytest.mark.django_db


def test_msme_partner_reads_the_msme_guidance_in_a_large_msme_relationship(
    db,
) -> None:
    setup = msme_relationship()
    relationship = setup["relationship"]
    small_auditor = member(
        "sam-auditor", setup["partner"].organisation, MembershipRole.AUDITOR
    )
    for user, expected in (
        (setup["small_manager"], "msme"),
        (small_auditor, "msme"),
        (setup["large_manager"], "large_msme"),
    ):
        assert (
            plan_guidance_set_key_for_user(user=user, relationship=relationship)
            == expected
        )
    guidance = plan_guidance_for_user(
        user=setup["small_manager"],
        relationship=relationship,
        principle_key="risk_management",
    )
    assert (guidance.principle_set.key, guidance.key) == ("msme", "risk_management")


def test_other_relationships_read_their_own_set_whoever_reads(world) -> None:
    ubc = ubc_relationship(world)
    for user in (world.alice, world.bob, world.dave):
        assert plan_guidance_set_key_for_user(user=user, relationship=ubc) == "ubc"
        assert (
            plan_guidance_set_key_for_user(user=user, relationship=world.relationship)
            == RelationshipKind.GENERAL
        )


def test_representatives_are_managers_and_leadership_members(world) -> None:
    def represented(user):
        return list(
            plan_partnerships_represented_by(user=user, relationship=world.relationship)
        )

    assert represented(world.alice) == [world.lead]
    assert represented(world.bob) == [world.partner]
    assert represented(world.carol) == []
    assert represented(world.dave) == []
    leadership_seat(world.carol, world.lead)
    assert represented(world.carol) == [world.lead]


def test_sign_off_rows_show_each_partners_decision_in_the_round(world) -> None:
    plan = start_plan(world, filled=True)
    plan_version = plan.versions.get()
    plan_version_submit(
        plan_version=plan_version, relationship=world.relationship, user=world.alice
    )
    plan_version.refresh_from_db()
    plan_version_decide(
        plan_version=plan_version,
        relationship=world.relationship,
        partnership=world.lead,
        user=world.alice,
        decision="approve",
    )
    rows = plan_signoff_rows(plan_version=plan_version, relationship=world.relationship)
    assert [(row.partnership, row.signed) for row in rows] == [
        (world.lead, True),
        (world.partner, False),
    ]
    assert rows[0].decision.decided_by == world.alice
    assert rows[1].decision is None
    assert rows[1].representatives == (world.bob.get_full_name(),)
