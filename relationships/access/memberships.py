"""Who belongs where: the memberships that count, and the user's organisations,
from which every other rule starts."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

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

    A subquery, unless this request has already read the list
    (`organisation_ids_of`, as the register lists and the portfolio do for their
    cache keys): then the ids themselves, so that PostgreSQL knows how many
    partnerships those organisations have (a portfolio viewer's has a thousand)
    and pages a register by walking an index, where the subquery made it guess
    one or two and sort every row. The same rows either way."""
    if roles is None:
        known = getattr(user, "_organisation_ids", None)
        if known is not None:
            return known
        return memberships_active().filter(user=user).values("organisation_id")
    memberships = memberships_active().filter(user=user, role__in=roles)
    return memberships.values("organisation_id")


def organisation_ids_of(user: AnyUser) -> list[int]:
    """The user's organisations: those whose relationships make up what the user
    sees (and key the user's cached portfolio, relationships/caching.py)."""
    if not user.is_authenticated:
        return []
    # Asked several times a request (keys, the portfolio): read once per user object.
    if not hasattr(user, "_organisation_ids"):
        user._organisation_ids = sorted(
            memberships_active()
            .filter(user=user)
            .order_by()
            .values_list("organisation_id", flat=True)
        )
    return user._organisation_ids
