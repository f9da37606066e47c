"""Data checks: `manage.py check --database default` reports stored rows that
break a rule the model validation now enforces (rows saved before the rule, or
written around it)."""

from collections.abc import Iterable
from typing import Any

from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import DatabaseError, connections
from django.db.models import Exists, F, OuterRef, Q

from relationships.models import JointManagementTeamMember, Membership, Partnership

SEAT_HOLDER_HINT = (
    "Give the person a membership of the organisation, or seat someone from it "
    "(admin: Joint management team members)."
)


def _member_of(user_field: str, organisation_field: str) -> Exists:
    return Exists(
        Membership.objects.filter(
            user=OuterRef(user_field),
            organisation=OuterRef(organisation_field),
            deactivated_at__isnull=True,
        )
    )


def _seat_errors(alias: str) -> Iterable[CheckMessage]:
    seats = (
        JointManagementTeamMember.objects.using(alias)
        .annotate(is_member=_member_of("user", "partnership__organisation"))
        .filter(Q(is_member=False) | ~Q(partnership__relationship=F("relationship")))
        .select_related(
            "user",
            "relationship",
            "partnership__organisation",
            "partnership__relationship",
        )
        .order_by("relationship__reference", "pk")
    )
    for seat in seats:
        organisation = seat.partnership.organisation
        if seat.partnership.relationship_id != seat.relationship_id:
            yield Error(
                f"Joint management team seat {seat.pk} in "
                f"“{seat.relationship.reference}” ({seat.user.get_username()}) "
                f"represents {organisation}, a partner of another relationship "
                f"(“{seat.partnership.relationship.reference}”).",
                hint="Seat the person for a partner of this relationship.",
                obj=seat,
                id="relationships.E002",
            )
        if not seat.is_member:
            yield Error(
                f"Joint management team seat {seat.pk} in "
                f"“{seat.relationship.reference}”: {seat.user.get_username()} "
                f"represents {organisation} but is not a member of it.",
                hint=SEAT_HOLDER_HINT,
                obj=seat,
                id="relationships.E001",
            )


# A partner's named people (field, label, check id): each must be one of its own.
PARTNER_PEOPLE = (
    ("relationship_manager", "Relationship manager", "relationships.E003"),
    ("senior_executive", "Senior executive responsible", "relationships.E004"),
)


def _partner_people_errors(alias: str) -> Iterable[CheckMessage]:
    for field_name, label, check_id in PARTNER_PEOPLE:
        partnerships = (
            Partnership.objects.using(alias)
            .filter(**{f"{field_name}__isnull": False})
            .annotate(is_member=_member_of(field_name, "organisation"))
            .filter(is_member=False)
            .select_related("relationship", "organisation", field_name)
            .order_by("relationship__reference", "pk")
        )
        for partnership in partnerships:
            person = getattr(partnership, field_name)
            yield Error(
                f"{label} of {partnership.organisation} in "
                f"“{partnership.relationship.reference}”: "
                f"{person.get_username()} is not a member of "
                f"{partnership.organisation}.",
                hint=SEAT_HOLDER_HINT,
                obj=partnership,
                id=check_id,
            )


@register(Tags.database)
def seats_held_by_members(
    app_configs: Any = None, databases: Iterable[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """Every team seat is held by a member of the organisation it represents."""
    messages: list[CheckMessage] = []
    tables = {JointManagementTeamMember._meta.db_table, Partnership._meta.db_table}
    for alias in databases or ():
        if not tables <= set(connections[alias].introspection.table_names()):
            # Not migrated yet (migrate runs the checks first): no rows to check.
            continue
        try:
            messages.extend(_seat_errors(alias))
            messages.extend(_partner_people_errors(alias))
        except DatabaseError as error:
            messages.append(
                Warning(
                    f"Team seats in database “{alias}” could not be checked: {error}",
                    id="relationships.W001",
                )
            )
    return messages
