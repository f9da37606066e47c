from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from relationships.access import memberships_active, organisation_admins
from relationships.choices import MembershipRole
from relationships.models import (
    JointManagementTeamMember,
    Membership,
    Organisation,
    Partnership,
)


def _free_slug(name: str) -> str:
    base = slugify(name)[:70] or "organisation"
    slug, number = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


@transaction.atomic
def organisation_create(
    *,
    name: str,
    kind: str,
    msme_size: str = "",
    country: str = "",
    website: str = "",
    admin: AbstractBaseUser | None,
    created_by: AbstractBaseUser | None = None,
) -> Organisation:
    """A new organisation, with `admin` as its first organisation admin (the first
    run, or a person accepting an invitation for a new partner organisation)."""
    organisation = Organisation(
        name=name.strip(),
        slug=_free_slug(name),
        kind=kind,
        msme_size=msme_size,
        country=country,
        website=website,
    )
    organisation.full_clean()
    organisation.save()
    if admin is not None:
        membership = Membership(
            user=admin, organisation=organisation, role=MembershipRole.ORG_ADMIN
        )
        membership.full_clean()
        membership._history_user = created_by or admin
        membership.save()
    return organisation


ORGANISATION_PROFILE_FIELDS = ("name", "kind", "msme_size", "country", "website")


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, changes: dict[str, Any], user: AbstractBaseUser
) -> Organisation:
    """Change the organisation's profile (its admin, in the app); history records
    who changed what. An MSME needs a size class and other kinds none (the
    model's constraint, checked by `full_clean`)."""
    unknown = set(changes) - set(ORGANISATION_PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not a profile field: {', '.join(sorted(unknown))}")
    for field, value in changes.items():
        setattr(organisation, field, value.strip() if isinstance(value, str) else value)
    organisation.full_clean()
    organisation._history_user = user
    organisation.save()
    return organisation


def _refuse_leaving_without_admin(
    *, organisation: Organisation, person_id: int, message: str
) -> None:
    # Lock the organisation's admin rows, so two admins demoting each other at the
    # same moment cannot both succeed.
    admins = list(organisation_admins(organisation).select_for_update())
    if admins and all(admin.user_id == person_id for admin in admins):
        raise ValidationError(message)


@transaction.atomic
def membership_role_change(
    *, membership: Membership, role: str, user: AbstractBaseUser
) -> Membership:
    """Give a member another role in the organisation. Refused when it would
    leave the organisation without an active admin."""
    if role not in MembershipRole.values:
        raise ValidationError({"role": "Choose one of the roles."})
    if membership.deactivated_at is not None:
        raise ValidationError("Reactivate this person before changing their role.")
    if role == membership.role:
        return membership
    if membership.role == MembershipRole.ORG_ADMIN:
        _refuse_leaving_without_admin(
            organisation=membership.organisation,
            person_id=membership.user_id,
            message=(
                f"{membership.user.get_full_name() or membership.user} is the only "
                "active admin of the organisation: make someone else an admin first."
            ),
        )
    if (
        Membership.objects.filter(
            user_id=membership.user_id,
            organisation_id=membership.organisation_id,
            role=role,
        )
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise ValidationError({"role": "This person already has that role."})
    membership.role = role
    membership.full_clean()
    membership._history_user = user
    membership.save()
    return membership


@dataclass(frozen=True)
class DeactivationResult:
    memberships: int
    seats_ended: list[JointManagementTeamMember]
    manager_of: list[Partnership]


@transaction.atomic
def membership_deactivate(
    *, organisation: Organisation, person: AbstractBaseUser, user: AbstractBaseUser
) -> DeactivationResult:
    """Deactivate a person in the organisation. Nothing is deleted but their team
    seats: their memberships stay, marked, with history; they can no longer log
    in (one person belongs to one organisation); each joint management team seat
    they held for the organisation ends (its removal is in the relationship's
    history, as an admin removing the seat would be); partnerships they managed
    lose their relationship manager; and from now on they count as a signer of no
    plan (the sign-off rule reads active memberships only). Refused when it would
    leave the organisation without an active admin, or when it is the person's
    own membership."""
    if person.pk == user.pk:
        raise ValidationError(
            "You cannot deactivate yourself: ask another admin of the organisation."
        )
    memberships = list(
        Membership.objects.select_for_update().filter(
            organisation=organisation, user=person, deactivated_at__isnull=True
        )
    )
    if not memberships:
        raise ValidationError(f"{person} is not an active member of {organisation}.")
    _refuse_leaving_without_admin(
        organisation=organisation,
        person_id=person.pk,
        message=(
            f"{person.get_full_name() or person} is the only active admin of the "
            "organisation: make someone else an admin first."
        ),
    )
    now = timezone.now()
    for membership in memberships:
        membership.deactivated_at = now
        membership.deactivated_by = user
        membership._history_user = user
        membership._change_reason = "Deactivated by the organisation's admin"
        membership.save(update_fields=["deactivated_at", "deactivated_by"])
    seats = list(
        JointManagementTeamMember.objects.select_for_update().filter(
            user=person, partnership__organisation=organisation
        )
    )
    for seat in seats:
        seat._history_user = user
        seat._change_reason = f"Seat ended: {person} was deactivated"
        seat.delete()
    managed = list(
        Partnership.objects.select_for_update().filter(
            organisation=organisation, relationship_manager=person
        )
    )
    for partnership in managed:
        partnership.relationship_manager = None
        partnership.revision += 1
        partnership._history_user = user
        partnership._change_reason = f"Manager removed: {person} was deactivated"
        partnership.save(update_fields=["relationship_manager", "revision"])
    if not memberships_active().filter(user=person).exists():
        person.is_active = False
        person.save(update_fields=["is_active"])
    return DeactivationResult(
        memberships=len(memberships), seats_ended=seats, manager_of=managed
    )


@transaction.atomic
def membership_reactivate(
    *, organisation: Organisation, person: AbstractBaseUser, user: AbstractBaseUser
) -> int:
    """Restore a deactivated person's memberships and login. Seats and manager
    roles are not restored: the relationships may have moved on; seat them again
    where they are wanted."""
    memberships = list(
        Membership.objects.select_for_update().filter(
            organisation=organisation, user=person, deactivated_at__isnull=False
        )
    )
    if not memberships:
        raise ValidationError(
            f"{person} is not a deactivated member of {organisation}."
        )
    if (
        memberships_active()
        .filter(user=person)
        .exclude(organisation=organisation)
        .exists()
    ):
        raise ValidationError(
            f"{person} is now a member of another organisation: one person belongs "
            "to one organisation."
        )
    for membership in memberships:
        membership.deactivated_at = None
        membership.deactivated_by = None
        membership._history_user = user
        membership._change_reason = "Reactivated by the organisation's admin"
        membership.save(update_fields=["deactivated_at", "deactivated_by"])
    person.is_active = True
    person.save(update_fields=["is_active"])
    return len(memberships)
