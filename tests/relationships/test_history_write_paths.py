"""No write path escapes the History page.

WRITE_PATHS lists every public function of the service modules (and the Celery
tasks) that changes a relationship's shared data, each with a scenario that calls
it as a person would and finds the change on the History page with that person's
name. NOT_SHARED_WRITES and READS list the others, each with the reason. The
meta-test fails when a public function is added to one of these modules without
being listed, so a new write path cannot slip past the history.

Seed-data loaders (`load_demo`, `generate_portfolio`, the catalogue) are not
write paths anybody reaches from the app, so they are not listed here.
"""

import datetime
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.urls import reverse
from simple_history.models import registered_models

import assessments.services
import relationships.services
from accounts import services as account_services
from accounts.tokens import invitation_token_new
from assessments.choices import AssessmentKind, AssessmentStatus, ReportStatus
from assessments.models import Assessment
from assessments.selectors.assessments import AssessmentPeriod
from assessments.selectors.confirmations import assessment_fingerprint
from assessments.selectors.reports import ReportPeriod
from assessments.services import assessments as assessment_services
from assessments.services import confirmations as confirmation_services
from assessments.services import reports as report_services
from assessments.services import schedules as schedule_services
from assessments.services.assessments import RatingInput
from assessments.tasks import report_render_task, schedules_daily_task
from relationships.choices import MembershipRole, PlanDecisionKind
from relationships.models import (
    ArtefactEvidence,
    JointManagementTeamMember,
    Membership,
    Objective,
    PartnerInvitation,
)
from relationships.selectors.history import (
    HistoryEntry,
    relationship_history_entries,
    relationship_history_rows,
)
from relationships.selectors.plans import person_name
from relationships.services import documents as document_services
from relationships.services import lifecycle as lifecycle_services
from relationships.services import organisations as organisation_services
from relationships.services import partners as partner_services
from relationships.services import plans as plan_services
from relationships.services import registers as register_services
from relationships.services import relationships as relationship_services
from tests.assessments.factories_assessments import make_assessment, principles_of
from tests.assessments.factories_reports import finished_period
from tests.factories import ActionFactory, ObjectiveFactory, RiskFactory, UserFactory
from tests.relationships.factories_lifecycle import first_artefact, stage
from tests.relationships.factories_plans import approve_by_all, start_plan

pytestmark = pytest.mark.django_db

SYSTEM = "System"


def _entries(world: Any) -> list[HistoryEntry]:
    return relationship_history_entries(
        rows=relationship_history_rows(relationship=world.relationship)
    )


def _recorded(
    world: Any,
    kind: str,
    who: AbstractBaseUser | str,
    *,
    action: str | None = None,
    label: str | None = None,
    new: str | None = None,
    reason: str | None = None,
) -> HistoryEntry:
    """The History page's entry of this kind by this person (or the system), with
    the given change; fails with what the page does show otherwise."""
    name = who if isinstance(who, str) else person_name(who)
    entries = _entries(world)
    for entry in entries:
        if (entry.kind, entry.who) != (kind, name):
            continue
        if action is not None and entry.action != action:
            continue
        if reason is not None and reason not in entry.reason:
            continue
        if label is not None and not any(
            change.label == label and (new is None or change.new == new)
            for change in entry.changes
        ):
            continue
        return entry
    shown = [
        (e.kind, e.who, e.action, e.reason, [(c.label, c.new) for c in e.changes])
        for e in entries
    ]
    raise AssertionError(f"No {kind} entry by {name} ({action}, {label}): {shown}")


# --- relationships.services ----------------------------------------------------------


def _relationship_update(world: Any) -> None:
    relationship_services.relationship_update(
        relationship=world.relationship,
        changes={"status": "on_hold"},
        expected_revision=world.relationship.revision,
        user=world.bob,
    )
    _recorded(world, "relationship", world.bob, label="Status", new="On hold")


def _stage_move(world: Any) -> None:
    lifecycle_services.stage_move(
        relationship=world.relationship,
        to_stage=stage(2),
        reason="Awareness work is done.",
        user=world.bob,
    )
    _recorded(world, "stage_move", world.bob, action="Created", label="Reason")
    _recorded(world, "relationship", world.bob, label="Lifecycle stage")


def _evidence_record(world: Any) -> None:
    lifecycle_services.artefact_evidence_record(
        relationship=world.relationship,
        artefact=first_artefact(),
        expected_revision=0,
        user=world.bob,
        plan_section_key="governance_processes",
        note="Section 3 of the plan.",
    )
    _recorded(world, "lifecycle_evidence", world.bob, action="Created", label="Status")


def _evidence_skip(world: Any) -> None:
    lifecycle_services.artefact_evidence_skip(
        relationship=world.relationship,
        artefact=first_artefact(),
        expected_revision=0,
        user=world.bob,
        reason="Not needed between two partners this small.",
    )
    _recorded(
        world,
        "lifecycle_evidence",
        world.bob,
        label="Status",
        new="Skipped by agreement",
    )


def _evidence_clear(world: Any) -> None:
    lifecycle_services.artefact_evidence_skip(
        relationship=world.relationship,
        artefact=first_artefact(),
        expected_revision=0,
        user=world.alice,
        reason="Not needed.",
    )
    lifecycle_services.artefact_evidence_clear(
        relationship=world.relationship,
        artefact=first_artefact(),
        expected_revision=ArtefactEvidence.objects.get(
            relationship=world.relationship, artefact=first_artefact()
        ).revision,
        user=world.bob,
    )
    _recorded(world, "lifecycle_evidence", world.bob, action="Deleted")


def _document_upload(world: Any) -> None:
    lifecycle_services.document_upload(
        relationship=world.relationship,
        user=world.bob,
        file=SimpleUploadedFile("charter.txt", b"Our charter."),
        title="Charter",
    )
    _recorded(world, "document", world.bob, action="Created", label="Title")


def _uploaded_document(world: Any, user: Any) -> Any:
    return lifecycle_services.document_upload(
        relationship=world.relationship,
        user=user,
        file=SimpleUploadedFile("charter.txt", b"Our charter."),
        title="Charter",
    )


def _document_revision_first(world: Any) -> None:
    # Called by document_upload: revision 1 is recorded with the uploader.
    _uploaded_document(world, world.bob)
    _recorded(world, "document_revision", world.bob, action="Created", label="SHA-256")


def _document_revision_upload(world: Any) -> None:
    document = _uploaded_document(world, world.alice)
    document_services.document_revision_upload(
        document=document,
        user=world.bob,
        file=SimpleUploadedFile("charter-v2.txt", b"Our charter, amended."),
        change_note="Amended after the joint review.",
    )
    _recorded(
        world,
        "document_revision",
        world.bob,
        action="Created",
        label="Change note",
        new="Amended after the joint review.",
    )
    _recorded(world, "document", world.bob, action="Changed", label="File")


def _document_review_dates_set(world: Any) -> None:
    document = _uploaded_document(world, world.alice)
    document_services.document_review_dates_set(
        document=document,
        user=world.bob,
        review_due_on=datetime.date(2027, 3, 1),
        expires_on=None,
        expected_revision=document.revision,
    )
    _recorded(world, "document", world.bob, action="Changed", label="Review date")


def _plan_start(world: Any) -> None:
    plan_services.plan_start(relationship=world.relationship, user=world.bob)
    _recorded(world, "plan", world.bob, action="Created")
    _recorded(world, "plan_section", world.bob, action="Created")


def _plan_depth_set(world: Any) -> None:
    plan = start_plan(world)
    other = "full" if plan.depth != "full" else "essentials"
    plan_services.plan_depth_set(
        plan=plan, relationship=world.relationship, depth=other, user=world.bob
    )
    _recorded(world, "plan", world.bob, action="Changed", label="Depth")


def _plan_section_update(world: Any) -> None:
    plan = start_plan(world)
    section = plan.versions.get().sections.get(principle_key="value_creation")
    plan_services.plan_section_update(
        section=section,
        content={"summary": "Shared savings."},
        expected_revision=section.revision,
        user=world.bob,
    )
    _recorded(world, "plan_section", world.bob, action="Changed")


def _plan_version_submit(world: Any) -> None:
    plan = start_plan(world, filled=True)
    plan_services.plan_version_submit(
        plan_version=plan.versions.get(),
        relationship=world.relationship,
        user=world.bob,
    )
    _recorded(world, "plan_version", world.bob, label="Status", new="Awaiting sign-off")


def _plan_version_decide(world: Any) -> None:
    plan = start_plan(world, filled=True)
    plan_version = plan_services.plan_version_submit(
        plan_version=plan.versions.get(),
        relationship=world.relationship,
        user=world.alice,
    )
    plan_services.plan_version_decide(
        plan_version=plan_version,
        relationship=world.relationship,
        partnership=world.partner,
        user=world.bob,
        decision=PlanDecisionKind.APPROVE,
    )
    _recorded(world, "sign_off", world.bob, action="Created", label="Decision")


def _plan_version_create_draft(world: Any) -> None:
    plan = start_plan(world, filled=True)
    plan_version = plan_services.plan_version_submit(
        plan_version=plan.versions.get(),
        relationship=world.relationship,
        user=world.alice,
    )
    approve_by_all(world, plan_version)
    plan_services.plan_version_create_draft(plan=plan, user=world.bob)
    entry = _recorded(world, "plan_version", world.bob, action="Created")
    assert entry.subject == "Version 2"


def _objective_create(world: Any) -> None:
    register_services.objective_create(
        relationship=world.relationship,
        values={"title": "Faster pay", "horizon": "short"},
        created_by=world.bob,
    )
    _recorded(world, "objective", world.bob, action="Created", label="Title")


def _objective_revise(world: Any) -> None:
    objective = ObjectiveFactory(relationship=world.relationship)
    register_services.objective_revise(
        objective=objective,
        changes={"title": "Faster payment"},
        reason="Clearer wording",
        expected_revision=objective.revision,
        revised_by=world.bob,
    )
    _recorded(world, "objective", world.bob, label="Title", new="Faster payment")


def _risk_create(world: Any) -> None:
    register_services.risk_create(
        relationship=world.relationship,
        values={"title": "Cash flow", "likelihood": 3, "impact": 4},
        created_by=world.bob,
    )
    _recorded(world, "risk", world.bob, action="Created", label="Title")


def _risk_update(world: Any) -> None:
    risk = RiskFactory(relationship=world.relationship)
    register_services.risk_update(
        risk=risk,
        changes={"title": "Cash flow gap"},
        expected_revision=risk.revision,
        updated_by=world.bob,
    )
    _recorded(world, "risk", world.bob, label="Title", new="Cash flow gap")


def _action_create(world: Any) -> None:
    register_services.action_create(
        relationship=world.relationship,
        values={"title": "Agree terms"},
        created_by=world.bob,
    )
    _recorded(world, "action", world.bob, action="Created", label="Title")


def _action_update(world: Any) -> None:
    action = ActionFactory(relationship=world.relationship)
    register_services.action_update(
        action=action,
        changes={"title": "Agree payment terms"},
        expected_revision=action.revision,
        updated_by=world.bob,
    )
    _recorded(world, "action", world.bob, label="Title", new="Agree payment terms")


def _action_mark_done(world: Any) -> None:
    action = ActionFactory(relationship=world.relationship)
    register_services.action_mark_done(
        action=action, expected_revision=action.revision, done_by=world.bob
    )
    _recorded(world, "action", world.bob, label="Status", new="Done")


# --- assessments.services ------------------------------------------------------------

Q1 = AssessmentPeriod(
    start=datetime.date(2026, 1, 1), end=datetime.date(2026, 3, 31), cadence="quarterly"
)


def _assessment_start(world: Any) -> None:
    previous = make_assessment(
        world,
        levels=[3] * 12,
        period=(datetime.date(2025, 10, 1), datetime.date(2025, 12, 31)),
    )
    assert previous.ratings.count() == 12
    assessment_services.assessment_start(
        relationship=world.relationship,
        kind=AssessmentKind.JOINT,
        partnership=None,
        period=Q1,
        user=world.bob,
        from_previous=True,
    )
    entry = _recorded(world, "assessment", world.bob, action="Created")
    assert entry.subject == "2026-Q1 joint assessment"
    _recorded(world, "rating", world.bob, action="Created", label="Level", new="3")


def _assessment_ratings_save(world: Any) -> None:
    assessment = make_assessment(world)
    objective = ObjectiveFactory(relationship=world.relationship, title="Faster pay")
    assessment_services.assessment_ratings_save(
        assessment=assessment,
        ratings=[
            RatingInput(
                principle=principles_of(assessment)[0],
                level=2,
                objectives=[objective],
            )
        ],
        expected_revision=assessment.revision,
        user=world.bob,
    )
    _recorded(
        world,
        "rating",
        world.bob,
        action="Created",
        label="Linked objectives",
        new="Faster pay",
    )


def _assessment_submit(world: Any) -> None:
    assessment = make_assessment(world, levels=[3] * 12)
    assessment_services.assessment_submit(assessment=assessment, user=world.bob)
    _recorded(world, "assessment", world.bob, label="Status", new="Submitted")


def _assessment_finalise(world: Any) -> None:
    # Only a self-assessment is finalised directly; a joint one by confirmations.
    assessment = make_assessment(
        world,
        partnership=world.partner,
        levels=[3] * 12,
        status=AssessmentStatus.SUBMITTED,
    )
    assessment_services.assessment_finalise(assessment=assessment, user=world.bob)
    _recorded(world, "assessment", world.bob, label="Status", new="Final")


def _principle_rating_action_create(world: Any) -> None:
    assessment = make_assessment(world, levels=[1] * 12)
    assessment_services.principle_rating_action_create(
        assessment=assessment, rating=assessment.ratings.first(), user=world.bob
    )
    _recorded(world, "action", world.bob, action="Created")
    _recorded(world, "rating", world.bob, label="Improvement action")


def _submitted_joint(world: Any) -> Assessment:
    return make_assessment(world, levels=[3] * 12, status=AssessmentStatus.SUBMITTED)


def _confirm(assessment: Assessment, user: Any, partnership: Any) -> None:
    confirmation_services.assessment_confirm(
        assessment=assessment,
        partnership=partnership,
        user=user,
        seen_sha256=assessment_fingerprint(assessment=assessment),
    )


def _assessment_confirm(world: Any) -> None:
    assessment = _submitted_joint(world)
    _confirm(assessment, world.alice, world.lead)
    _confirm(assessment, world.bob, world.partner)
    entry = _recorded(world, "confirmation", world.bob, action="Created")
    assert (entry.subject, entry.parent) == ("Partner Org", "2026-Q1 joint assessment")
    _recorded(
        world,
        "assessment",
        world.bob,
        label="Status",
        new="Final",
        reason="Confirmed by every partner",
    )


def _assessment_send_back(world: Any) -> None:
    assessment = _submitted_joint(world)
    _confirm(assessment, world.alice, world.lead)
    confirmation_services.assessment_send_back(
        assessment=assessment,
        partnership=world.partner,
        user=world.bob,
        reason="Principle 3 is rated too high.",
    )
    _recorded(world, "confirmation", world.bob, action="Created", label="Reason")
    _recorded(world, "confirmation", world.bob, label="Cleared because")
    _recorded(world, "assessment", world.bob, label="Status", new="Draft")


def _assessment_confirmations_clear_changed(world: Any) -> None:
    assessment = _submitted_joint(world)
    _confirm(assessment, world.alice, world.lead)
    rating = assessment.ratings.order_by("principle__number").first()
    rating.level = 4
    rating.save()
    assert confirmation_services.assessment_confirmations_clear_changed(
        assessment=assessment, user=world.bob
    )
    _recorded(world, "confirmation", world.bob, label="Cleared by")


def _report_request(world: Any) -> None:
    report = finished_period(world)
    report.delete()
    report_services.report_request(
        relationship=world.relationship,
        period=ReportPeriod(start=report.period_start, end=report.period_end),
        user=world.bob,
    )
    _recorded(world, "report", world.bob, action="Created", label="Status")


def _report_retry(world: Any) -> None:
    report = finished_period(world)
    report.status = ReportStatus.FAILED
    report.save()
    report_services.report_retry(report=report, user=world.bob)
    _recorded(world, "report", world.bob, label="Status", new="Queued")


def _report_reissue(world: Any) -> None:
    report = finished_period(world)
    report_services.report_render(report_id=report.pk)
    report.refresh_from_db()
    report_services.report_reissue(
        report=report, reason="Evidence was missing.", user=world.bob
    )
    _recorded(world, "report", world.bob, action="Created", reason="Re-issue")


def _report_render(world: Any) -> None:
    report = finished_period(world)
    report_services.report_render(report_id=report.pk)
    _recorded(world, "report", SYSTEM, label="Status", new="Running", reason="Claim")
    _recorded(world, "report", SYSTEM, label="Status", new="Done", reason="Rendered")


def _report_render_task(world: Any) -> None:
    report = finished_period(world)
    assert report_render_task.apply(args=[report.pk]).get() == "done"
    _recorded(world, "report", SYSTEM, label="Status", new="Done")


def _assessment_schedule_save(world: Any) -> None:
    schedule_services.assessment_schedule_save(
        relationship=world.relationship,
        cadence="monthly",
        grace_days=10,
        active=True,
        expected_revision=0,
        user=world.bob,
    )
    _recorded(world, "schedule", world.bob, action="Created", label="Cadence")


def _assessments_open_due(world: Any) -> None:
    opened = schedule_services.assessments_open_due(
        relationship=world.relationship, today=datetime.date(2026, 4, 2)
    )
    assert len(opened) == 3
    _recorded(world, "assessment", SYSTEM, action="Created")


def _reports_queue_finished(world: Any) -> None:
    report = finished_period(world)
    report.delete()
    assert schedule_services.reports_queue_finished(relationship=world.relationship)
    _recorded(world, "report", SYSTEM, action="Created", reason="schedule")


def _schedules_run(world: Any) -> None:
    schedule_services.schedules_run(today=datetime.date(2026, 4, 2))
    _recorded(world, "assessment", SYSTEM, action="Created")


def _schedules_daily_task(world: Any) -> None:
    schedules_daily_task.apply().get()
    assert Assessment.objects.filter(relationship=world.relationship).exists()
    _recorded(world, "assessment", SYSTEM, action="Created")


# --- organisations: their admins change roles, deactivate and invite people --------


def _lead_admin(world: Any) -> AbstractBaseUser:
    admin = UserFactory(username="olive", first_name="Olive", last_name="Admin")
    Membership.objects.create(
        user=admin,
        organisation=world.lead.organisation,
        role=MembershipRole.ORG_ADMIN,
    )
    return admin


def _membership_role_change(world: Any) -> None:
    admin = _lead_admin(world)
    organisation_services.membership_role_change(
        membership=Membership.objects.get(user=world.carol),
        role=MembershipRole.AUDITOR,
        user=admin,
    )
    _recorded(world, "membership", admin, label="Role", new="Auditor")


def _membership_deactivate(world: Any) -> None:
    admin = _lead_admin(world)
    JointManagementTeamMember.objects.create(
        relationship=world.relationship, partnership=world.lead, user=world.alice
    )
    organisation_services.membership_deactivate(
        organisation=world.lead.organisation, person=world.alice, user=admin
    )
    _recorded(world, "membership", admin, label="Deactivated by")
    _recorded(world, "team_seat", admin, action="Deleted")
    _recorded(world, "partnership", admin, label="Relationship manager")


def _membership_reactivate(world: Any) -> None:
    admin = _lead_admin(world)
    organisation = world.lead.organisation
    organisation_services.membership_deactivate(
        organisation=organisation, person=world.carol, user=admin
    )
    organisation_services.membership_reactivate(
        organisation=organisation, person=world.carol, user=admin
    )
    _recorded(world, "membership", admin, reason="Reactivated")


def _organisation_invitation_accept(world: Any) -> None:
    invitation, _link = account_services.organisation_invitation_create(
        organisation=world.lead.organisation,
        email="newcomer@example.org",
        role=MembershipRole.JMT_MEMBER,
        invited_by=world.alice,
    )
    newcomer = account_services.organisation_invitation_accept(
        invitation=invitation,
        first_name="Nora",
        last_name="Newcomer",
        password="a long enough passphrase 42",
    )
    _recorded(world, "membership", newcomer, action="Created")


def _sso_member_create(world: Any) -> None:
    from accounts.models import IdentityProvider

    identity_provider = IdentityProvider.objects.create(
        organisation=world.lead.organisation,
        name="Lead IdP",
        server_url="https://idp.lead.example",
        client_id="partnerplan",
        new_member_role=MembershipRole.JMT_MEMBER,
    )
    newcomer = account_services.sso_member_create(
        identity_provider=identity_provider,
        email="sso.newcomer@lead.example",
        first_name="Sam",
        last_name="Single",
    )
    _recorded(world, "membership", newcomer, action="Created")


# --- relationships.services.partners (and starting a relationship) ---------------


def _relationship_create(world: Any) -> None:
    relationship = relationship_services.relationship_create(
        title="New venture",
        reference="new-venture",
        kind="general",
        lead=world.lead.organisation,
        user=world.alice,
    )
    started = SimpleNamespace(relationship=relationship)
    _recorded(started, "relationship", world.alice, action="Created")
    _recorded(started, "partnership", world.alice, action="Created")


def _invite_outsider(world: Any) -> Any:
    return partner_services.partner_invitation_create(
        relationship=world.relationship,
        invited_by=world.alice,
        organisation=world.outsider_organisation,
    )


def _invite_new(world: Any) -> Any:
    return partner_services.partner_invitation_create(
        relationship=world.relationship,
        invited_by=world.alice,
        email="nora@newco.example",
        contact_name="Nora New",
        organisation_name="NewCo",
    )


def _partner_invitation_create(world: Any) -> None:
    _invite_outsider(world)
    _recorded(world, "partner_invitation", world.alice, action="Created")


def _partner_invitation_resend(world: Any) -> None:
    invitation = _invite_new(world)
    partner_services.partner_invitation_resend(invitation=invitation, user=world.carol)
    _recorded(world, "partner_invitation", world.carol, label="Send count", new="2")


def _partner_invitation_revoke(world: Any) -> None:
    invitation = _invite_new(world)
    partner_services.partner_invitation_revoke(invitation=invitation, user=world.carol)
    _recorded(world, "partner_invitation", world.carol, label="Revoked at")


def _partner_invitation_decline(world: Any) -> None:
    invitation = _invite_outsider(world)
    partner_services.partner_invitation_decline(invitation=invitation, user=world.eve)
    _recorded(world, "partner_invitation", world.eve, label="Declined at")


def _partner_invitation_accept(world: Any) -> None:
    invitation = _invite_outsider(world)
    partner_services.partner_invitation_accept(invitation=invitation, user=world.eve)
    _recorded(world, "partner_invitation", world.eve, label="Accepted at")
    _recorded(world, "partnership", world.eve, action="Created")


def _partner_invitation_accept_new(world: Any) -> None:
    invitation = _invite_new(world)
    token, digest = invitation_token_new()
    PartnerInvitation.objects.filter(pk=invitation.pk).update(token_digest=digest)
    partnership = partner_services.partner_invitation_accept_new(
        token=token,
        first_name="Nora",
        last_name="New",
        password="a long enough passphrase 42",
        organisation_name="NewCo Ltd",
        kind="business",
    )
    nora = partnership.relationship_manager
    _recorded(world, "partnership", nora, action="Created")
    _recorded(world, "partner_invitation", nora, label="Accepted at")


def _partnership_update(world: Any) -> None:
    partner_services.partnership_update(
        partnership=world.partner,
        changes={"senior_executive": world.dave},
        expected_revision=world.partner.revision,
        user=world.bob,
    )
    _recorded(world, "partnership", world.bob, label="Senior executive responsible")


def _team_seat_add(world: Any) -> None:
    partner_services.team_seat_add(
        partnership=world.partner,
        seat_holder=world.dave,
        role_title="Finance lead",
        is_leadership=True,
        user=world.bob,
    )
    _recorded(world, "team_seat", world.bob, action="Created")


def _team_seat_update(world: Any) -> None:
    seat = JointManagementTeamMember.objects.create(
        relationship=world.relationship, partnership=world.partner, user=world.dave
    )
    partner_services.team_seat_update(
        seat=seat,
        role_title="Finance lead",
        is_leadership=True,
        expected_revision=seat.revision,
        user=world.bob,
    )
    _recorded(world, "team_seat", world.bob, label="Role title", new="Finance lead")


def _team_seat_remove(world: Any) -> None:
    seat = JointManagementTeamMember.objects.create(
        relationship=world.relationship, partnership=world.partner, user=world.dave
    )
    partner_services.team_seat_remove(seat=seat, user=world.bob)
    _recorded(world, "team_seat", world.bob, action="Deleted")


def _partnership_exit(world: Any) -> None:
    partner_services.partnership_exit(
        partnership=world.partner, reason="The project ended.", user=world.alice
    )
    _recorded(world, "partnership", world.alice, label="Exit reason")


WRITE_PATHS: dict[str, Callable[[Any], None]] = {
    "accounts.services.sso_member_create": _sso_member_create,
    "relationships.services.organisations.membership_role_change": (
        _membership_role_change
    ),
    "relationships.services.organisations.membership_deactivate": (
        _membership_deactivate
    ),
    "relationships.services.organisations.membership_reactivate": (
        _membership_reactivate
    ),
    "accounts.services.organisation_invitation_accept": (
        _organisation_invitation_accept
    ),
    "relationships.services.relationships.relationship_update": _relationship_update,
    "relationships.services.relationships.relationship_create": _relationship_create,
    "relationships.services.partners.partner_invitation_create": (
        _partner_invitation_create
    ),
    "relationships.services.partners.partner_invitation_resend": (
        _partner_invitation_resend
    ),
    "relationships.services.partners.partner_invitation_revoke": (
        _partner_invitation_revoke
    ),
    "relationships.services.partners.partner_invitation_decline": (
        _partner_invitation_decline
    ),
    "relationships.services.partners.partner_invitation_accept": (
        _partner_invitation_accept
    ),
    "relationships.services.partners.partner_invitation_accept_new": (
        _partner_invitation_accept_new
    ),
    "relationships.services.partners.partnership_update": _partnership_update,
    "relationships.services.partners.team_seat_add": _team_seat_add,
    "relationships.services.partners.team_seat_update": _team_seat_update,
    "relationships.services.partners.team_seat_remove": _team_seat_remove,
    "relationships.services.partners.partnership_exit": _partnership_exit,
    "relationships.services.lifecycle.stage_move": _stage_move,
    "relationships.services.lifecycle.artefact_evidence_record": _evidence_record,
    "relationships.services.lifecycle.artefact_evidence_skip": _evidence_skip,
    "relationships.services.lifecycle.artefact_evidence_clear": _evidence_clear,
    "relationships.services.lifecycle.document_upload": _document_upload,
    "relationships.services.documents.document_revision_first": (
        _document_revision_first
    ),
    "relationships.services.documents.document_revision_upload": (
        _document_revision_upload
    ),
    "relationships.services.documents.document_review_dates_set": (
        _document_review_dates_set
    ),
    "relationships.services.plans.plan_start": _plan_start,
    "relationships.services.plans.plan_depth_set": _plan_depth_set,
    "relationships.services.plans.plan_section_update": _plan_section_update,
    "relationships.services.plans.plan_version_submit": _plan_version_submit,
    "relationships.services.plans.plan_version_decide": _plan_version_decide,
    "relationships.services.plans.plan_version_create_draft": (
        _plan_version_create_draft
    ),
    "relationships.services.registers.objective_create": _objective_create,
    "relationships.services.registers.objective_revise": _objective_revise,
    "relationships.services.registers.risk_create": _risk_create,
    "relationships.services.registers.risk_update": _risk_update,
    "relationships.services.registers.action_create": _action_create,
    "relationships.services.registers.action_update": _action_update,
    "relationships.services.registers.action_mark_done": _action_mark_done,
    "assessments.services.assessments.assessment_start": _assessment_start,
    "assessments.services.assessments.assessment_ratings_save": (
        _assessment_ratings_save
    ),
    "assessments.services.assessments.assessment_submit": _assessment_submit,
    "assessments.services.assessments.assessment_finalise": _assessment_finalise,
    "assessments.services.assessments.principle_rating_action_create": (
        _principle_rating_action_create
    ),
    "assessments.services.confirmations.assessment_confirm": _assessment_confirm,
    "assessments.services.confirmations.assessment_send_back": (_assessment_send_back),
    "assessments.services.confirmations.assessment_confirmations_clear_changed": (
        _assessment_confirmations_clear_changed
    ),
    "assessments.services.reports.report_request": _report_request,
    "assessments.services.reports.report_retry": _report_retry,
    "assessments.services.reports.report_reissue": _report_reissue,
    "assessments.services.reports.report_render": _report_render,
    "assessments.services.schedules.assessment_schedule_save": (
        _assessment_schedule_save
    ),
    "assessments.services.schedules.assessments_open_due": _assessments_open_due,
    "assessments.services.schedules.reports_queue_finished": _reports_queue_finished,
    "assessments.services.schedules.schedules_run": _schedules_run,
    "assessments.tasks.report_render_task": _report_render_task,
    "assessments.tasks.schedules_daily_task": _schedules_daily_task,
}

# Writes that touch only records which are not a relationship's shared data (see
# HISTORY_EXCLUDED_MODELS).
NOT_SHARED_WRITES = {
    "assessments.services.document_reminders.document_reminders_send": (
        "Notice: which document reminders were e-mailed"
    ),
    "assessments.services.summaries.relationship_summaries_refresh": (
        "RelationshipSummary: derived from rows whose own history is kept"
    ),
    "assessments.services.summaries.relationship_summaries_backfill": (
        "RelationshipSummary, through relationship_summaries_refresh (migrations)"
    ),
    "assessments.services.summaries.relationship_summaries_refresh_stale": (
        "RelationshipSummary, through relationship_summaries_refresh"
    ),
    "assessments.services.summaries.portfolio_totals_recount": (
        "PortfolioTotals: counts derived from the summaries, counted again"
    ),
    "assessments.tasks.summaries_refresh_stale_task": (
        "RelationshipSummary, through relationship_summaries_refresh_stale"
    ),
    "assessments.services.reports.report_subscription_toggle": "ReportSubscription",
    "assessments.services.reports.report_notify": "Notice",
    "assessments.services.schedules.assessment_notices_send": "Notice",
    "assessments.tasks.report_notify_task": "Notice (through report_notify)",
    "relationships.services.organisations.organisation_create": (
        "a new Organisation and its first admin, before it joins any relationship"
    ),
    "relationships.services.organisations.organisation_update": (
        "an organisation's own profile; its history is on its Profile page"
    ),
    "accounts.services.account_create": "a new User, before any membership",
    "accounts.services.organisation_invitation_create": "OrganisationInvitation",
    "accounts.services.organisation_invitation_resend": "OrganisationInvitation",
    "accounts.services.organisation_invitation_revoke": "OrganisationInvitation",
    "accounts.services.security_policy_update": "an OrganisationSecurityPolicy",
    "accounts.services.external_grant_create": (
        "an ExternalAccessGrant: who granted, when and until stay on the grant"
    ),
    "accounts.services.external_grant_accept": (
        "an ExternalAccessGrant's acceptance (and a new User)"
    ),
    "accounts.services.external_grant_revoke": (
        "an ExternalAccessGrant: who revoked it and when stay on the grant"
    ),
    "accounts.services.external_access_log_write": "ExternalAccessLog rows",
    "accounts.services.identity_provider_save": (
        "an organisation's IdentityProvider and its allauth SocialApp"
    ),
    "accounts.services.identity_provider_delete": (
        "an organisation's IdentityProvider and its allauth SocialApp"
    ),
}

READS = {
    "relationships.services.partners.partner_invitation_by_token": (
        "finds the invitation a link is for"
    ),
    "relationships.services.lifecycle.document_file_validate": "validates a file",
    "relationships.services.documents.file_sha256": "reads a file",
    "relationships.services.documents.review_dates_errors": "validates dates",
    "relationships.services.plans.plan_default_depth": "computes a default",
    "relationships.services.plan_notices.plan_signoff_requests_send": (
        "sends e-mails, writes nothing"
    ),
    "relationships.services.plan_notices.plan_rejection_send": (
        "sends an e-mail, writes nothing"
    ),
    "assessments.services.assessments.rating_input_errors": "validates input",
    "assessments.services.assessments.improvement_action_default_title": "a title",
    "assessments.services.confirmations.assessment_send_back_recipients": (
        "lists e-mail addresses"
    ),
    "assessments.services.confirmations.assessment_send_back_notify": (
        "sends an e-mail, writes nothing"
    ),
    "assessments.services.reports.site_url": "reads settings",
    "assessments.services.reports.report_absolute_url": "builds a URL",
    "assessments.services.reports.report_build_html": "renders a template",
    "assessments.services.reports.reports_requeue_stuck": "queues tasks, no write",
    "assessments.tasks.reports_resend_stuck_task": (
        "queues tasks, no write (reports_requeue_stuck)"
    ),
    "assessments.services.schedules.latest_ended_period": "computes a period",
    "assessments.tasks.daily_run_lock": "a Redis key, no database write",
    "accounts.services.invitation_link": "builds a URL",
    "accounts.services.sso_domain_normalise": "normalises a domain",
    "accounts.services.identity_provider_errors": "validates a provider",
    "accounts.services.users_with_address": "finds accounts by address",
    "accounts.services.organisation_invitation_problem": "explains a dead link",
    "accounts.services.external_grant_errors": "validates a grant",
    "accounts.services.external_grant_link": "builds a URL",
    "accounts.services.external_grant_problem": "explains a dead link",
}


def _service_modules() -> list[ModuleType]:
    modules = []
    for package in (relationships.services, assessments.services):
        for info in pkgutil.iter_modules(package.__path__):
            modules.append(importlib.import_module(f"{package.__name__}.{info.name}"))
    modules.append(importlib.import_module("assessments.tasks"))
    modules.append(importlib.import_module("accounts.services"))
    return modules


def _public_functions() -> set[str]:
    found = set()
    for module in _service_modules():
        for name, value in vars(module).items():
            if (
                not name.startswith("_")
                and callable(value)
                and not inspect.isclass(value)
                and getattr(value, "__module__", None) == module.__name__
            ):
                found.add(f"{module.__name__}.{name}")
    return found


def test_every_public_service_function_is_listed_as_a_write_path_or_not() -> None:
    listed = set(WRITE_PATHS) | set(NOT_SHARED_WRITES) | set(READS)
    public = _public_functions()
    assert public - listed == set(), "List these in WRITE_PATHS (with a scenario)"
    assert listed - public == set(), "These are listed but no longer exist"
    assert not set(WRITE_PATHS) & (set(NOT_SHARED_WRITES) | set(READS))


def test_the_write_path_list_covers_every_tracked_service() -> None:
    # The figure the issue asks for: how many write paths the test below checks.
    assert len(WRITE_PATHS) == 57


@pytest.mark.parametrize("path", sorted(WRITE_PATHS))
def test_each_write_path_appears_in_history_with_its_user(
    path: str, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        WRITE_PATHS[path](world)


# --- admin-facing writes: partners, seats and memberships are kept there ----------


@pytest.fixture
def admin_client_of(client: Any) -> Any:
    admin = UserFactory(
        username="root", is_staff=True, is_superuser=True, first_name="Ada"
    )
    client.force_login(admin)
    client.admin = admin
    return client


def test_admin_changes_of_partners_seats_and_memberships_name_the_admin(
    world: Any, admin_client_of: Any
) -> None:
    client = admin_client_of
    response = client.post(
        reverse("admin:relationships_partnership_change", args=[world.partner.pk]),
        {
            "relationship": world.relationship.pk,
            "organisation": world.partner.organisation_id,
            "role": world.partner.role,
            "relationship_manager": world.bob.pk,
            "senior_executive": world.dave.pk,
            "revision": world.partner.revision,
        },
    )
    assert response.status_code == 302, response.content
    newcomer = UserFactory(username="nina", first_name="Nina", last_name="New")
    response = client.post(
        reverse("admin:relationships_membership_add"),
        {
            "user": newcomer.pk,
            "organisation": world.partner.organisation_id,
            "role": MembershipRole.JMT_MEMBER,
        },
    )
    assert response.status_code == 302, response.content
    response = client.post(
        reverse("admin:relationships_jointmanagementteammember_add"),
        {
            "relationship": world.relationship.pk,
            "user": newcomer.pk,
            "partnership": world.partner.pk,
            "role_title": "Operations lead",
        },
    )
    assert response.status_code == 302, response.content
    assert Membership.objects.filter(user=newcomer).exists()
    assert JointManagementTeamMember.objects.filter(user=newcomer).exists()

    _recorded(world, "partnership", client.admin, label="Senior executive responsible")
    entry = _recorded(world, "membership", client.admin, action="Created")
    assert entry.subject == "Nina New at Partner Org"
    seat = _recorded(world, "team_seat", client.admin, action="Created")
    assert seat.subject == "Nina New, for Partner Org"


# --- every model of shared data is tracked ------------------------------------------

# Models of the apps that are not a relationship's shared data, and why.
HISTORY_EXCLUDED_MODELS: dict[str, str] = {
    "principles.PrincipleSet": "catalogue, loaded from files, the same for everyone",
    "principles.Principle": "catalogue",
    "principles.LifecycleStage": "catalogue",
    "principles.StageArtefact": "catalogue",
    "principles.MaturityLevel": "catalogue",
    "assessments.ReportSubscription": "one person's choice to get report e-mails",
    "assessments.Notice": "a log of e-mails sent, itself a record of an event",
    "assessments.RelationshipSummary": "derived from tracked rows, worked out again",
    "assessments.PortfolioTotals": "counts of the summaries, counted again",
}


def _app_models() -> list[type[Model]]:
    history_models = set(registered_models.values())
    return [
        model
        for app_label in ("principles", "relationships", "assessments")
        for model in apps.get_app_config(app_label).get_models()
        if model not in history_models
        and not hasattr(model, "history_id")
        and not model._meta.auto_created
    ]


def test_every_model_of_shared_data_keeps_history() -> None:
    untracked = {
        model._meta.label
        for model in _app_models()
        if not hasattr(model._meta, "simple_history_manager_attribute")
    }
    assert untracked == set(HISTORY_EXCLUDED_MODELS)


def test_excluded_models_are_not_tracked_behind_the_lists_back() -> None:
    labels = {model._meta.label for model in _app_models()}
    assert set(HISTORY_EXCLUDED_MODELS) <= labels


def test_links_of_a_rating_are_recorded_in_one_record_per_save(world: Any) -> None:
    assessment = make_assessment(world)
    objective = ObjectiveFactory(relationship=world.relationship)
    principle = principles_of(assessment)[0]
    for level in (2, 3):
        assessment_services.assessment_ratings_save(
            assessment=assessment,
            ratings=[
                RatingInput(principle=principle, level=level, objectives=[objective])
            ],
            expected_revision=Assessment.objects.get(pk=assessment.pk).revision,
            user=world.alice,
        )
    rating = assessment.ratings.get()
    records = list(rating.history.order_by("history_id"))
    assert [record.history_type for record in records] == ["+", "~"]
    assert [
        list(record.objectives.values_list("objective_id", flat=True))
        for record in records
    ] == [[objective.pk], [objective.pk]]
    assert Objective.objects.count() == 1
