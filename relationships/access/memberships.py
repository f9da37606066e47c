"""Who belongs where: the memberships that count, and the user's organisations,
from which every other rule starts."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import BooleanField, QuerySet, Value

from relationships.models import Membership

type AnyUser = AbstractBaseUser | AnonymousUser


def memberships_active() -> QuerySet[Membership]:
    """Memberships that count: a deactivated one (the person left, or was
    deactivated by the organisation's admin) grants no access, no seat and no
    signature, though its row and history stay."""
    return Membership.objects.filter(deactivated_at__isnull=True)


def _organisations_of(
    user: AnyUser, *, roles: Iterable[str] | None = None
) -> QuerySet | list[int]:
    """The ids of the user's organisations (of those where the user holds one of
    `roles`, when given): the other access modules build on it.

    A subquery, unless this request has already read them
    (`organisation_ids_of`, as the register lists and the portfolio do for their
    cache keys): then the ids of the user's memberships themselves (never those
    of organisations that grant the user access), so that PostgreSQL knows how many
    partnerships those organisations have (a portfolio viewer's has a thousand)
    and pages a register by walking an index, where the subquery made it guess
    one or two and sort every row. The same rows either way."""
    if roles is None:
        known = getattr(user, "_member_organisation_ids", None)
        if known is not None:
            return known
        return memberships_active().filter(user=user).values("organisation_id")
    memberships = memberships_active().filter(user=user, role__in=roles)
    return memberships.values("organisation_id")


def organisation_ids_of(user: AnyUser) -> list[int]:
    """The user's organisations, and those whose grants let the user read some of
    their relationships (`external.grants_active`): the organisations whose
    relationships make up what the user sees (and key the user's cached
    portfolio, relationships/caching.py)."""
    _organisations_read(user)
    return user._organisation_ids if user.is_authenticated else []


def granting_organisation_ids_of(user: AnyUser) -> list[int]:
    """Of `organisation_ids_of`, those the user reads through a grant only."""
    _organisations_read(user)
    return user._granting_organisation_ids if user.is_authenticated else []


def _organisations_read(user: AnyUser) -> None:
    """Read the user's organisations once per user object (they are asked several
    times a request: keys, the portfolio), in one query with the organisations
    granting the user access."""
    if not user.is_authenticated or hasattr(user, "_organisation_ids"):
        return
    # Imported here: the external module builds on this one.
    from relationships.access.external import grants_active

    members = (
        _organisations_of(user)
        .order_by()
        .values_list("organisation_id", Value(True, output_field=BooleanField()))
    )
    granting = (
        grants_active(user)
        .order_by()
        .values_list("organisation_id", Value(False, output_field=BooleanField()))
    )
    member_ids, granting_ids = set(), set()
    for organisation_id, is_member in members.union(granting):
        (member_ids if is_member else granting_ids).add(organisation_id)
    user._member_organisation_ids = sorted(member_ids)
    user._granting_organisation_ids = sorted(granting_ids - member_ids)
    user._organisation_ids = sorted(member_ids | granting_ids)


def member_organisation_ids_of(user: AnyUser) -> list[int]:
    """Of `organisation_ids_of`, those the user is an active member of."""
    _organisations_read(user)
    return user._member_organisation_ids if user.is_authenticated else []
