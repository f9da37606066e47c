"""Management-system records (the assurance app): findings, corrective actions,
internal audits.

A finding raised against a relationship, and its corrective actions, follow the
relationship: whoever sees the relationship sees them, its writers change them.
An organisation's own findings and its internal audits are that organisation's
alone: its members read them (auditors only read), its writers change them, and
nobody else learns they exist (404).
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from assurance.models import CorrectiveAction, Finding
from relationships.access.external import (
    organisation_ids_management_system_granted_to,
)
from relationships.access.memberships import (
    AnyUser,
    _organisations_of,
    memberships_active,
)
from relationships.access.relationships import (
    _partner_in,
    relationship_owner_candidates,
    user_can_edit_relationship,
)
from relationships.choices import WRITE_ROLES
from relationships.models import Organisation, Relationship


def organisations_with_records_readable_by(user: AnyUser) -> QuerySet[Organisation]:
    """Organisations whose management-system records (own findings, internal
    audits, management reviews, own lifecycle records) the user may read: those
    the user is an active member of, whatever the role, and those whose grant
    to the user (an external auditor) includes them. The one place that
    answers it; writing starts from memberships alone."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        Q(id__in=_organisations_of(user))
        | Q(id__in=organisation_ids_management_system_granted_to(user))
    )


def organisations_with_records_writable_by(user: AnyUser) -> QuerySet[Organisation]:
    """Organisations whose management-system records the user may change: those
    where the user holds a write role (auditors read only)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        id__in=_organisations_of(user, roles=WRITE_ROLES)
    )


def organisation_get_for_records(*, user: AnyUser, slug: str) -> Organisation:
    """The organisation if the user may read its records, else Http404."""
    organisation = (
        organisations_with_records_readable_by(user).filter(slug=slug).first()
    )
    if organisation is None:
        raise Http404("No such organisation.")
    return organisation


def user_can_edit_organisation_records(
    *, user: AnyUser, organisation: Organisation
) -> bool:
    return (
        organisations_with_records_writable_by(user).filter(pk=organisation.pk).exists()
    )


def organisation_get_for_record_editing(*, user: AnyUser, slug: str) -> Organisation:
    """The organisation if the user may change its records: 404 if the user may
    not read them, 403 if only read."""
    organisation = organisation_get_for_records(user=user, slug=slug)
    if not user_can_edit_organisation_records(user=user, organisation=organisation):
        raise PermissionDenied("Your role in this organisation is read-only.")
    return organisation


def findings_visible_to(user: AnyUser) -> QuerySet[Finding]:
    """Every finding the user may see: of relationships the user sees, and of
    organisations whose own records the user reads."""
    if not user.is_authenticated:
        return Finding.objects.none()
    return Finding.objects.alias(
        _visible_relationship=_partner_in(user, "relationship_id")
    ).filter(
        Q(relationship__isnull=False, _visible_relationship=True)
        | Q(organisation__in=organisations_with_records_readable_by(user))
    )


def user_can_edit_finding(*, user: AnyUser, finding: Finding) -> bool:
    """Whether the user may change a finding (and add, complete and verify its
    corrective actions): the writers of its relationship, or of its organisation."""
    if finding.relationship_id is not None:
        return user_can_edit_relationship(user=user, relationship=finding.relationship)
    return user_can_edit_organisation_records(
        user=user, organisation=finding.organisation
    )


def finding_check_editable(*, user: AnyUser, finding: Finding) -> None:
    if not user_can_edit_finding(user=user, finding=finding):
        raise PermissionDenied("Your role here is read-only.")


def organisation_record_people(*, organisation: Organisation) -> QuerySet:
    """People who may own an organisation's corrective action or lead its
    audit: its active members with a write role (auditors only read, so they
    could not act on what they own)."""
    return (
        get_user_model()
        .objects.filter(
            id__in=memberships_active()
            .filter(organisation=organisation, role__in=WRITE_ROLES)
            .values("user_id")
        )
        .order_by("first_name", "last_name", "username")
    )


def organisation_auditors(*, organisation: Organisation) -> QuerySet:
    """People who may lead an organisation's internal audit: any active member,
    its auditors included (recording the audit is a writer's job)."""
    return (
        get_user_model()
        .objects.filter(
            id__in=memberships_active()
            .filter(organisation=organisation)
            .values("user_id")
        )
        .order_by("first_name", "last_name", "username")
    )


def corrective_action_owner_candidates(*, finding: Finding) -> QuerySet:
    """Who may own a finding's corrective action: a working member of a partner
    of its relationship, or of its organisation."""
    if finding.relationship_id is not None:
        return relationship_owner_candidates(relationship=finding.relationship)
    return organisation_record_people(organisation=finding.organisation)


def corrective_action_verifier_problem(
    *, user: AnyUser, corrective_action: CorrectiveAction
) -> str:
    """Why the user may not verify this action's effectiveness ("" when they may):
    a writer of the finding's scope who does not own the action, so that nobody
    marks their own work effective."""
    if not user_can_edit_finding(user=user, finding=corrective_action.finding):
        return "Your role here is read-only."
    if corrective_action.owner_id == user.pk:
        return (
            "You own this action: someone else checks whether it worked, so that "
            "nobody verifies their own work."
        )
    return ""


def relationships_of_organisation(
    *, organisation: Organisation
) -> QuerySet[Relationship]:
    """Relationships an organisation takes part in: those its internal audits may
    look at."""
    return Relationship.objects.filter(partnerships__organisation=organisation)
