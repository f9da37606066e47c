"""Reads for an organisation's admin pages: its people, who has access to what,
and what deactivating a person would change.

Every function takes an organisation the caller obtained through
`organisation_get_for_admin`, so access is decided there."""

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from relationships.access import (
    organisation_admins,
    partnership_represented_by_q,
    roles_may_write,
    signers_by_partnership,
)
from relationships.choices import PlanVersionStatus
from relationships.models import (
    JointManagementTeamMember,
    Membership,
    Organisation,
    Partnership,
    PlanVersion,
)


@dataclass
class Person:
    """A person of the organisation, with their memberships (usually one)."""

    user: Any
    memberships: list[Membership]

    @property
    def is_active(self) -> bool:
        return any(membership.is_active for membership in self.memberships)

    @property
    def deactivated(self) -> Membership | None:
        return next((m for m in self.memberships if not m.is_active), None)


def organisation_people(*, organisation: Organisation) -> list[Person]:
    memberships = (
        Membership.objects.filter(organisation=organisation)
        .select_related("user", "deactivated_by")
        .order_by("user__last_name", "user__first_name", "user__username", "role")
    )
    people: dict[int, Person] = {}
    for membership in memberships:
        people.setdefault(
            membership.user_id, Person(user=membership.user, memberships=[])
        ).memberships.append(membership)
    return sorted(people.values(), key=lambda person: not person.is_active)


def organisation_membership_get(*, organisation: Organisation, pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "organisation"),
        organisation=organisation,
        pk=pk,
    )


def organisation_member_get(
    *, organisation: Organisation, user_id: int
) -> AbstractBaseUser:
    return get_object_or_404(
        get_user_model()
        .objects.filter(memberships__organisation=organisation)
        .distinct(),
        pk=user_id,
    )


@dataclass
class AccessCell:
    """What one person may do in one relationship."""

    sees: bool = False
    edits: bool = False
    manager: bool = False
    seat: JointManagementTeamMember | None = None
    signs: bool = False


@dataclass
class AccessRow:
    person: Person
    cells: list[AccessCell] = field(default_factory=list)


def organisation_partnerships(*, organisation: Organisation) -> QuerySet[Partnership]:
    return (
        Partnership.objects.filter(organisation=organisation)
        .select_related("relationship", "relationship_manager")
        .prefetch_related(
            Prefetch(
                "jmt_members",
                queryset=JointManagementTeamMember.objects.select_related("user"),
            )
        )
        .order_by("relationship__title")
    )


def _signer_ids(partnerships: list[Partnership]) -> dict[int, set[int]]:
    return {
        partnership_id: {person.pk for person in people}
        for partnership_id, people in signers_by_partnership(partnerships).items()
    }


def organisation_access_context(*, organisation: Organisation) -> dict[str, Any]:
    """Who has access to what: every person and every relationship the organisation
    takes part in, with their seats, manager roles and signing rights (the rule of
    `partnership_represented_by_q`, in one query)."""
    partnerships = list(organisation_partnerships(organisation=organisation))
    signers = _signer_ids(partnerships)
    rows = []
    for person in organisation_people(organisation=organisation):
        roles = {m.role for m in person.memberships if m.is_active}
        row = AccessRow(person=person)
        for partnership in partnerships:
            seat = next(
                (
                    seat
                    for seat in partnership.jmt_members.all()
                    if seat.user_id == person.user.pk
                ),
                None,
            )
            row.cells.append(
                AccessCell(
                    sees=bool(roles),
                    edits=roles_may_write(roles=roles, partnership=partnership),
                    manager=partnership.relationship_manager_id == person.user.pk,
                    seat=seat,
                    signs=person.user.pk in signers[partnership.pk],
                )
            )
        rows.append(row)
    return {"partnerships": partnerships, "rows": rows}


@dataclass
class PendingSignoff:
    plan_version: PlanVersion
    partnership: Partnership
    others_can_sign: bool


@dataclass
class DeactivationEffects:
    """What deactivating a person would change, for the admin to read first."""

    seats: list[JointManagementTeamMember]
    manager_of: list[Partnership]
    pending_signoffs: list[PendingSignoff]
    last_admin: bool


def member_deactivation_effects(
    *, organisation: Organisation, person: AbstractBaseUser
) -> DeactivationEffects:
    seats = list(
        JointManagementTeamMember.objects.filter(
            user=person, partnership__organisation=organisation
        ).select_related("relationship", "partnership")
    )
    manager_of = list(
        Partnership.objects.filter(
            organisation=organisation, relationship_manager=person
        ).select_related("relationship")
    )
    represented = list(
        Partnership.objects.filter(organisation=organisation)
        .filter(partnership_represented_by_q(person))
        .distinct()
    )
    signers = _signer_ids(represented)
    pending = [
        PendingSignoff(
            plan_version=version,
            partnership=partnership,
            others_can_sign=bool(signers[partnership.pk] - {person.pk}),
        )
        for partnership in represented
        for version in PlanVersion.objects.filter(
            plan__relationship_id=partnership.relationship_id,
            status=PlanVersionStatus.SUBMITTED,
        ).select_related("plan__relationship")
        if not version.decisions.filter(partnership=partnership).exists()
    ]
    admins = organisation_admins(organisation)
    last_admin = admins.exists() and not admins.exclude(user=person).exists()
    return DeactivationEffects(
        seats=seats,
        manager_of=manager_of,
        pending_signoffs=pending,
        last_admin=last_admin,
    )


@dataclass(frozen=True)
class ProfileChange:
    when: Any
    who: Any
    changes: list[tuple[str, Any, Any]]


def organisation_profile_changes(
    *, organisation: Organisation, limit: int = 10
) -> list[ProfileChange]:
    """The latest changes of the organisation's profile: who changed which field
    from what to what."""
    records = list(
        organisation.history.select_related("history_user").order_by(
            "-history_date", "-history_id"
        )[: limit + 1]
    )
    changes = []
    for record, previous in zip(records, [*records[1:], None], strict=True):
        if len(changes) == limit:
            break
        if previous is None:
            changed = [("Created", "", "")]
        else:
            changed = [
                (
                    Organisation._meta.get_field(change.field).verbose_name,
                    change.old,
                    change.new,
                )
                for change in record.diff_against(previous).changes
            ]
        changes.append(
            ProfileChange(
                when=record.history_date, who=record.history_user, changes=changed
            )
        )
    return changes
