"""Writes for the joint plan: start, depth, section edits, submission, sign-off.

Every save goes through `save()` so django-simple-history records who changed
what; a section edit first claims the section's revision (relationships.concurrency),
which writes no history row of its own.
"""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from principles.choices import PrincipleKey
from principles.models import Principle
from relationships.access import (
    partnerships_taking_part,
    plan_partnerships_represented_by,
)
from relationships.choices import (
    OrganisationKind,
    PlanDecisionKind,
    PlanDepth,
    PlanVersionStatus,
)
from relationships.concurrency import revision_claim
from relationships.models import (
    Partnership,
    Plan,
    PlanDecision,
    PlanSection,
    PlanVersion,
    Relationship,
)
from relationships.plan_schema import PlanField
from relationships.selectors.plans import (
    OPEN_VERSION_STATUSES,
    plan_version_fingerprint,
    plan_version_missing_fields,
)
from relationships.services.plan_notices import (
    plan_rejection_send,
    plan_signoff_requests_send,
)


class PlanIncomplete(Exception):
    """A version cannot be submitted: required fields are empty."""

    def __init__(
        self, *, missing: list[tuple[Principle, tuple[PlanField, ...]]]
    ) -> None:
        super().__init__("Required fields are missing.")
        self.missing = missing


class PlanDecisionRefused(ValidationError):
    """A sign-off or rejection that may not be recorded, however the form was
    filled in; the subclasses say why."""


class PlanNotAwaitingSignOff(PlanDecisionRefused):
    """No version awaits sign-off (a draft, or already approved)."""


class PlanSignerNotAllowed(PlanDecisionRefused):
    """The user may not sign for this partner."""


class PlanAlreadyDecided(PlanDecisionRefused):
    """The partner has already decided on this content in this round."""


def _save(
    instance: models.Model, *, user: AbstractBaseUser, reason: str | None = None
) -> None:
    # Set explicitly so history names the user outside requests too (shell, tasks).
    instance._history_user = user
    instance._change_reason = reason
    instance.full_clean()
    instance.save()


def plan_default_depth(relationship: Relationship) -> str:
    """Essentials when any partner is an MSME (proportionate, after ISO/TR 44004)."""
    has_msme = relationship.partnerships.filter(
        organisation__kind=OrganisationKind.MSME
    ).exists()
    return PlanDepth.ESSENTIALS if has_msme else PlanDepth.FULL


def _lock_plan(plan: Plan) -> Plan:
    # Serialises version changes of one plan (a no-op on SQLite, which locks the
    # whole database for writes anyway).
    return Plan.objects.select_for_update().get(pk=plan.pk)


def _lock_version(plan_version: PlanVersion) -> PlanVersion:
    return PlanVersion.objects.select_for_update().get(pk=plan_version.pk)


def _create_version(
    *,
    plan: Plan,
    user: AbstractBaseUser,
    summary: str,
    copy_from: PlanVersion | None,
) -> PlanVersion:
    number = (plan.versions.aggregate(highest=models.Max("number"))["highest"] or 0) + 1
    plan_version = PlanVersion(
        plan=plan, number=number, summary=summary, created_by=user
    )
    reason = f"Drafted from version {copy_from.number}" if copy_from else "First draft"
    _save(plan_version, user=user, reason=reason)
    contents = (
        {section.principle_key: section.content for section in copy_from.sections.all()}
        if copy_from
        else {}
    )
    for principle_key in PrincipleKey.values:
        section = PlanSection(
            plan_version=plan_version,
            principle_key=principle_key,
            content=dict(contents.get(principle_key, {})),
            updated_by=user,
        )
        _save(section, user=user, reason=reason)
    return plan_version


@transaction.atomic
def plan_start(*, relationship: Relationship, user: AbstractBaseUser) -> Plan:
    """Create the relationship's plan with an empty first draft of every section.

    A relationship with an MSME partner starts at the essentials depth.
    """
    if Plan.objects.filter(relationship=relationship).exists():
        raise ValidationError("This relationship already has a plan.")
    plan = Plan(relationship=relationship, depth=plan_default_depth(relationship))
    _save(plan, user=user, reason="Plan started")
    _create_version(plan=plan, user=user, summary="First draft.", copy_from=None)
    return plan


@transaction.atomic
def plan_depth_set(
    *,
    plan: Plan,
    relationship: Relationship,
    depth: str,
    user: AbstractBaseUser,
) -> Plan:
    """Switch how much the plan asks for; only a partner's representative may."""
    if not plan_partnerships_represented_by(
        user=user, relationship=relationship
    ).exists():
        raise ValidationError(
            "Only a partner's relationship manager or senior leader can change the "
            "plan's depth."
        )
    plan = _lock_plan(plan)
    if plan.versions.filter(status=PlanVersionStatus.SUBMITTED).exists():
        raise ValidationError(
            "The depth cannot change while a version awaits sign-off: the partners "
            "are signing what they were shown."
        )
    if plan.depth == depth:
        return plan
    plan.depth = depth
    _save(plan, user=user, reason=f"Depth set to {plan.get_depth_display()}")
    return plan


@transaction.atomic
def plan_section_update(
    *,
    section: PlanSection,
    content: dict[str, Any],
    expected_revision: int,
    user: AbstractBaseUser,
) -> PlanSection:
    """Save a section's fields, refusing if anyone saved it since the user opened
    it (`expected_revision`: StaleEdit) or if its version is no longer a draft.

    The version row is locked first, so that it cannot be submitted while the
    section saves (its status is checked here, not in the claim's statement).
    """
    plan_version = PlanVersion.objects.select_for_update(no_key=True).get(
        pk=section.plan_version_id
    )
    if plan_version.status != PlanVersionStatus.DRAFT:
        raise ValidationError(
            f"Version {plan_version.number} is "
            f"{plan_version.get_status_display().lower()} and can no longer be "
            "edited."
        )
    revision_claim(section, expected_revision=expected_revision)
    section.refresh_from_db()
    # Keys the form did not show (such as university-only fields) are kept.
    section.content = {**section.content, **content}
    section.updated_by = user
    _save(section, user=user)
    return section


@transaction.atomic
def plan_version_submit(
    *,
    plan_version: PlanVersion,
    relationship: Relationship,
    user: AbstractBaseUser,
    summary: str = "",
) -> PlanVersion:
    """Send a complete draft to the partners for sign-off, opening a new round;
    each partner's representatives are asked by e-mail once it is committed."""
    plan_version = _lock_version(plan_version)
    if plan_version.status != PlanVersionStatus.DRAFT:
        raise ValidationError(
            f"Only a draft can be submitted; version {plan_version.number} is "
            f"{plan_version.get_status_display().lower()}."
        )
    missing = plan_version_missing_fields(
        plan_version=plan_version,
        relationship=relationship,
        depth=plan_version.plan.depth,
    )
    if missing:
        raise PlanIncomplete(missing=missing)
    plan_version.status = PlanVersionStatus.SUBMITTED
    plan_version.submission_round += 1
    plan_version.submitted_at = timezone.now()
    plan_version.submitted_by = user
    if summary:
        plan_version.summary = summary
    _save(plan_version, user=user, reason="Submitted for sign-off")
    transaction.on_commit(lambda: plan_signoff_requests_send(plan_version=plan_version))
    return plan_version


@transaction.atomic
def plan_version_decide(
    *,
    plan_version: PlanVersion,
    relationship: Relationship,
    partnership: Partnership,
    user: AbstractBaseUser,
    decision: str,
    reason: str = "",
) -> PlanDecision:
    """Record one partner's sign-off or rejection of a submitted version.

    The decision records the fingerprint of the content decided on. A rejection
    sends the version back to draft and closes the round. The version is approved
    once every partner has signed off in the same round on the content as it is
    now; the version approved before it is then superseded.
    """
    plan_version = _lock_version(plan_version)
    organisation = partnership.organisation
    if plan_version.status != PlanVersionStatus.SUBMITTED:
        raise PlanNotAwaitingSignOff(
            f"Version {plan_version.number} is not awaiting sign-off."
        )
    if (
        not plan_partnerships_represented_by(user=user, relationship=relationship)
        .filter(pk=partnership.pk)
        .exists()
    ):
        raise PlanSignerNotAllowed(
            f"You are not a named representative of {organisation}: only its "
            "relationship manager or a senior leader seated for it on the joint "
            "management team can sign for it, and only while a member of it."
        )
    if decision == PlanDecisionKind.REJECT and not reason.strip():
        raise ValidationError({"reason": "Say why the plan is rejected."})
    fingerprint = plan_version_fingerprint(plan_version=plan_version)
    # Under the version's lock: a second representative of the same partner
    # deciding at the same moment is told, instead of hitting the constraint.
    if plan_version.decisions.filter(
        partnership=partnership,
        submission_round=plan_version.submission_round,
        content_sha256=fingerprint,
    ).exists():
        raise PlanAlreadyDecided(
            f"{organisation} has already decided on this content in this round."
        )
    plan_decision = PlanDecision(
        plan_version=plan_version,
        partnership=partnership,
        submission_round=plan_version.submission_round,
        decision=decision,
        reason=reason.strip(),
        decided_by=user,
        content_sha256=fingerprint,
    )
    plan_decision.full_clean()
    plan_decision._history_user = user
    plan_decision.save()

    if decision == PlanDecisionKind.REJECT:
        plan_version.status = PlanVersionStatus.DRAFT
        _save(
            plan_version,
            user=user,
            reason=f"Rejected for {organisation}: {plan_decision.reason}",
        )
        transaction.on_commit(lambda: plan_rejection_send(plan_decision=plan_decision))
        return plan_decision

    partner_ids = set(
        partnerships_taking_part(relationship).values_list("pk", flat=True)
    )
    # Sign-offs given on other content (changed after they were given) do not
    # count: every partner must have signed exactly what is there now.
    signed_ids = set(
        plan_version.decisions.filter(
            submission_round=plan_version.submission_round,
            decision=PlanDecisionKind.APPROVE,
            content_sha256=fingerprint,
        ).values_list("partnership_id", flat=True)
    )
    if partner_ids <= signed_ids:
        now = timezone.now()
        for approved in plan_version.plan.versions.filter(
            status=PlanVersionStatus.APPROVED
        ).exclude(pk=plan_version.pk):
            approved.status = PlanVersionStatus.SUPERSEDED
            _save(
                approved,
                user=user,
                reason=f"Superseded by version {plan_version.number}",
            )
        plan_version.status = PlanVersionStatus.APPROVED
        plan_version.approved_at = now
        plan_version.approved_depth = plan_version.plan.depth
        _save(plan_version, user=user, reason="Approved: every partner signed off")
    else:
        # Still written so the change log shows each partner's sign-off in turn.
        _save(plan_version, user=user, reason=f"Signed off for {organisation}")
    return plan_decision


@transaction.atomic
def plan_version_create_draft(
    *, plan: Plan, user: AbstractBaseUser, summary: str = ""
) -> PlanVersion:
    """Start the next version as a copy of the latest approved one (or the latest
    one, if none was approved); refused while another version is open."""
    plan = _lock_plan(plan)
    open_version = plan.versions.filter(status__in=OPEN_VERSION_STATUSES).first()
    if open_version is not None:
        raise ValidationError(
            f"Version {open_version.number} is still "
            f"{open_version.get_status_display().lower()}: finish it first."
        )
    source = (
        plan.versions.filter(status=PlanVersionStatus.APPROVED)
        .order_by("-number")
        .first()
        or plan.versions.order_by("-number").first()
    )
    return _create_version(plan=plan, user=user, summary=summary, copy_from=source)
