"""Plan workflow: start, depth, sections, submission, sign-off, new drafts."""

import pytest
from django.core.exceptions import ValidationError

from principles.choices import PrincipleKey
from relationships.choices import (
    MembershipRole,
    PlanDecisionKind,
    PlanDepth,
    PlanVersionStatus,
)
from relationships.concurrency import StaleEdit
from relationships.models import Plan, PlanDecision, PlanSection
from relationships.plan_schema import section_fields
from relationships.services.plans import (
    PlanIncomplete,
    plan_depth_set,
    plan_section_update,
    plan_start,
    plan_version_create_draft,
    plan_version_decide,
    plan_version_submit,
)
from tests.relationships.factories_plans import (
    approve_by_all,
    leadership_seat,
    member,
    msme_relationship,
    sample_value,
    start_plan,
)

pytestmark = pytest.mark.django_db


def _submit(world, plan_version):
    return plan_version_submit(
        plan_version=plan_version, relationship=world.relationship, user=world.alice
    )


def _decide(world, plan_version, partnership, user, decision="approve", reason=""):
    return plan_version_decide(
        plan_version=plan_version,
        relationship=world.relationship,
        partnership=partnership,
        user=user,
        decision=decision,
        reason=reason,
    )


def _submitted(world):
    plan = start_plan(world, filled=True)
    plan_version = plan.versions.get()
    _submit(world, plan_version)
    plan_version.refresh_from_db()
    return plan, plan_version


# --- Start and depth ---------------------------------------------------------------


def test_starting_creates_a_draft_with_one_empty_section_per_principle(world) -> None:
    plan = plan_start(relationship=world.relationship, user=world.alice)
    plan_version = plan.versions.get()
    assert (plan_version.number, plan_version.status) == (1, PlanVersionStatus.DRAFT)
    assert plan_version.created_by == world.alice
    assert sorted(plan_version.sections.values_list("principle_key", flat=True)) == (
        sorted(PrincipleKey.values)
    )
    assert all(section.content == {} for section in plan_version.sections.all())
    assert plan.depth == PlanDepth.FULL


def test_a_relationship_with_an_msme_partner_starts_at_the_essentials_depth(
    db,
) -> None:
    setup = msme_relationship()
    plan = plan_start(relationship=setup["relationship"], user=setup["large_manager"])
    assert plan.depth == PlanDepth.ESSENTIALS


def test_a_plan_is_started_only_once(world) -> None:
    start_plan(world)
    with pytest.raises(ValidationError, match="already has a plan"):
        plan_start(relationship=world.relationship, user=world.bob)
    assert Plan.objects.count() == 1


def test_switching_depth_is_recorded_with_who_did_it(world) -> None:
    plan = start_plan(world)
    plan_depth_set(
        plan=plan,
        relationship=world.relationship,
        depth=PlanDepth.ESSENTIALS,
        user=world.bob,
    )
    plan.refresh_from_db()
    assert plan.depth == PlanDepth.ESSENTIALS
    record = plan.history.first()
    assert record.history_user == world.bob
    assert record.history_change_reason == "Depth set to Essentials"


def test_only_a_partners_representative_switches_depth(world) -> None:
    plan = start_plan(world)
    with pytest.raises(ValidationError, match="relationship manager or senior leader"):
        plan_depth_set(
            plan=plan,
            relationship=world.relationship,
            depth=PlanDepth.ESSENTIALS,
            user=world.carol,
        )
    plan.refresh_from_db()
    assert plan.depth == PlanDepth.FULL


def test_depth_cannot_change_while_a_version_awaits_sign_off(world) -> None:
    plan, _plan_version = _submitted(world)
    with pytest.raises(ValidationError, match="awaits sign-off"):
        plan_depth_set(
            plan=plan,
            relationship=world.relationship,
            depth=PlanDepth.ESSENTIALS,
            user=world.alice,
        )


# --- Sections -----------------------------------------------------------------------


def test_saving_a_section_bumps_its_revision_and_records_history(world) -> None:
    section = (
        start_plan(world).versions.get().sections.get(principle_key="value_creation")
    )
    plan_section_update(
        section=section,
        content={"summary": "Shared savings."},
        expected_revision=1,
        user=world.bob,
    )
    section.refresh_from_db()
    assert section.revision == 2
    assert section.content == {"summary": "Shared savings."}
    assert section.updated_by == world.bob
    latest = section.history.first()
    assert (latest.revision, latest.history_user) == (2, world.bob)
    assert latest.content == {"summary": "Shared savings."}


def test_second_save_is_refused_when_section_changed(world) -> None:
    section = (
        start_plan(world).versions.get().sections.get(principle_key="value_creation")
    )
    plan_section_update(
        section=section, content={"summary": "A"}, expected_revision=1, user=world.alice
    )
    stale = PlanSection.objects.get(pk=section.pk)
    with pytest.raises(StaleEdit) as conflict:
        plan_section_update(
            section=stale, content={"summary": "B"}, expected_revision=1, user=world.bob
        )
    assert conflict.value.current.updated_by == world.alice
    assert conflict.value.current.content == {"summary": "A"}
    section.refresh_from_db()
    assert (section.revision, section.content) == (2, {"summary": "A"})


def test_saving_keeps_content_keys_the_form_does_not_show(world) -> None:
    section = (
        start_plan(world).versions.get().sections.get(principle_key="value_creation")
    )
    section.content = {"legacy_note": "kept"}
    section.save()
    plan_section_update(
        section=section, content={"summary": "New"}, expected_revision=1, user=world.bob
    )
    section.refresh_from_db()
    assert section.content == {"legacy_note": "kept", "summary": "New"}


def test_sections_of_a_submitted_version_cannot_be_edited(world) -> None:
    _plan, plan_version = _submitted(world)
    section = plan_version.sections.get(principle_key="exit_strategy")
    before = section.content
    with pytest.raises(ValidationError, match="can no longer be edited"):
        plan_section_update(
            section=section,
            content={"summary": "Sneaky"},
            expected_revision=section.revision,
            user=world.alice,
        )
    section.refresh_from_db()
    assert section.content == before


# --- Submission ---------------------------------------------------------------------


def test_submit_is_refused_with_the_missing_fields_when_incomplete(world) -> None:
    plan = start_plan(world, filled=True)
    plan_version = plan.versions.get()
    section = plan_version.sections.get(principle_key="exit_strategy")
    section.content = {**section.content, "triggers": "", "hand_back": ""}
    section.save()
    with pytest.raises(PlanIncomplete) as incomplete:
        _submit(world, plan_version)
    [(principle, fields)] = incomplete.value.missing
    assert principle.key == "exit_strategy"
    assert [f.key for f in fields] == ["triggers", "hand_back"]
    plan_version.refresh_from_db()
    assert plan_version.status == PlanVersionStatus.DRAFT
    assert plan_version.submission_round == 0


def test_essentials_depth_submits_without_the_full_depths_fields(db) -> None:
    setup = msme_relationship()
    relationship = setup["relationship"]
    plan = plan_start(relationship=relationship, user=setup["large_manager"])
    plan_version = plan.versions.get()
    for section in plan_version.sections.all():
        section.content = {
            f.key: sample_value(f)
            for f in section_fields(
                principle_key=section.principle_key, relationship_kind=relationship.kind
            )
            if f.essential
        }
        section.save()
    plan_version_submit(
        plan_version=plan_version,
        relationship=relationship,
        user=setup["small_manager"],
    )
    plan_version.refresh_from_db()
    assert plan_version.status == PlanVersionStatus.SUBMITTED

    # The same content is not enough at the full depth.
    plan_version.status = PlanVersionStatus.DRAFT
    plan_version.save()
    plan.depth = PlanDepth.FULL
    plan.save()
    with pytest.raises(PlanIncomplete):
        plan_version_submit(
            plan_version=plan_version,
            relationship=relationship,
            user=setup["small_manager"],
        )


def test_submitting_opens_a_new_round(world) -> None:
    _plan, plan_version = _submitted(world)
    assert plan_version.status == PlanVersionStatus.SUBMITTED
    assert plan_version.submission_round == 1
    assert plan_version.submitted_at is not None


# --- Sign-off -----------------------------------------------------------------------


def test_version_is_approved_only_when_every_partner_has_signed(world) -> None:
    _plan, plan_version = _submitted(world)
    _decide(world, plan_version, world.lead, world.alice)
    plan_version.refresh_from_db()
    assert plan_version.status == PlanVersionStatus.SUBMITTED
    assert plan_version.approved_at is None
    _decide(world, plan_version, world.partner, world.bob)
    plan_version.refresh_from_db()
    assert plan_version.status == PlanVersionStatus.APPROVED
    assert plan_version.approved_at is not None
    assert plan_version.is_frozen


def test_a_leadership_member_of_the_joint_team_can_sign_for_their_partner(
    world,
) -> None:
    leadership_seat(world.carol, world.lead)
    _plan, plan_version = _submitted(world)
    decision = _decide(world, plan_version, world.lead, world.carol)
    assert decision.decided_by == world.carol


def test_a_non_representative_cannot_sign(world) -> None:
    _plan, plan_version = _submitted(world)
    # carol sits on the joint team, but not as a leader.
    with pytest.raises(ValidationError, match="not a named representative"):
        _decide(world, plan_version, world.lead, world.carol)
    # alice manages the lead partner, not the other one.
    with pytest.raises(ValidationError, match="not a named representative"):
        _decide(world, plan_version, world.partner, world.alice)
    assert not PlanDecision.objects.exists()


def test_a_partner_cannot_sign_twice_in_a_round(world) -> None:
    second_manager = member("alex", world.lead.organisation, MembershipRole.JMT_MEMBER)
    leadership_seat(second_manager, world.lead)
    _plan, plan_version = _submitted(world)
    _decide(world, plan_version, world.lead, world.alice)
    with pytest.raises(
        ValidationError, match="already decided on this content in this round"
    ):
        _decide(world, plan_version, world.lead, second_manager)
    with pytest.raises(
        ValidationError, match="already decided on this content in this round"
    ):
        _decide(world, plan_version, world.lead, world.alice)
    assert PlanDecision.objects.count() == 1


def test_a_draft_cannot_be_signed(world) -> None:
    plan = start_plan(world, filled=True)
    with pytest.raises(ValidationError, match="not awaiting sign-off"):
        _decide(world, plan.versions.get(), world.lead, world.alice)


def test_rejection_needs_a_reason(world) -> None:
    _plan, plan_version = _submitted(world)
    with pytest.raises(ValidationError):
        _decide(world, plan_version, world.partner, world.bob, "reject", "   ")
    plan_version.refresh_from_db()
    assert plan_version.status == PlanVersionStatus.SUBMITTED


def test_rejection_returns_the_version_to_draft_and_closes_the_round(world) -> None:
    _plan, plan_version = _submitted(world)
    _decide(world, plan_version, world.lead, world.alice)
    _decide(world, plan_version, world.partner, world.bob, "reject", "Exit too vague.")
    plan_version.refresh_from_db()
    assert plan_version.status == PlanVersionStatus.DRAFT
    assert plan_version.history.first().history_change_reason == (
        "Rejected for Partner Org: Exit too vague."
    )

    # Resubmitted: the first round's sign-off no longer counts.
    _submit(world, plan_version)
    plan_version.refresh_from_db()
    assert plan_version.submission_round == 2
    _decide(world, plan_version, world.partner, world.bob)
    plan_version.refresh_from_db()
    assert plan_version.status == PlanVersionStatus.SUBMITTED
    _decide(world, plan_version, world.lead, world.alice)
    plan_version.refresh_from_db()
    assert plan_version.status == PlanVersionStatus.APPROVED


# --- After approval -----------------------------------------------------------------


def test_approved_version_is_frozen(world) -> None:
    _plan, plan_version = _submitted(world)
    approve_by_all(world, plan_version)
    section = plan_version.sections.get(principle_key="exit_strategy")
    with pytest.raises(ValidationError, match="approved and can no longer be edited"):
        plan_section_update(
            section=section,
            content={"summary": "Changed after approval"},
            expected_revision=section.revision,
            user=world.alice,
        )
    section.refresh_from_db()
    assert section.content["summary"] != "Changed after approval"


def test_new_draft_copies_the_approved_content_and_supersedes_it_on_approval(
    world,
) -> None:
    plan, first = _submitted(world)
    approve_by_all(world, first)
    second = plan_version_create_draft(plan=plan, user=world.bob, summary="Refresh")
    assert (second.number, second.status) == (2, PlanVersionStatus.DRAFT)
    assert second.created_by == world.bob
    copied = {s.principle_key: s.content for s in second.sections.all()}
    original = {s.principle_key: s.content for s in first.sections.all()}
    assert copied == original

    # Editing the draft leaves the approved version untouched.
    section = second.sections.get(principle_key="exit_strategy")
    plan_section_update(
        section=section,
        content={"summary": "Two years' notice."},
        expected_revision=section.revision,
        user=world.bob,
    )
    assert first.sections.get(principle_key="exit_strategy").content["summary"] != (
        "Two years' notice."
    )

    _submit(world, second)
    approve_by_all(world, second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == PlanVersionStatus.SUPERSEDED
    assert second.status == PlanVersionStatus.APPROVED


def test_only_one_version_is_open_at_a_time(world) -> None:
    plan = start_plan(world)
    with pytest.raises(ValidationError, match="still draft"):
        plan_version_create_draft(plan=plan, user=world.alice)
    assert plan.versions.count() == 1


def test_history_records_who_approved(world) -> None:
    _plan, plan_version = _submitted(world)
    approve_by_all(world, plan_version)
    latest = plan_version.history.first()
    assert latest.history_user == world.bob
    assert latest.history_change_reason == "Approved: every partner signed off"
    assert PlanDecision.objects.filter(decision=PlanDecisionKind.APPROVE).count() == 2
