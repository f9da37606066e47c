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


def _organisations_of(user: AnyUser, *, roles: Iterable[str] | None = None) -> QuerySet:
    """The ids of the user's organisations (of those where the user holds one of
    `roles`, when given), as a subquery: the other access modules build on it."""
    memberships = memberships_active().filter(user=user)
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    return memberships.values("organisation_id")


def organisation_ids_of(user: AnyUser) -> list[int]:
    """The user's organisations: those whose relationships make up what the user
    sees (and key the user's cached portfolio, relationships/caching.py)."""
    if not user.is_authenticated:
        return []
    # Asked several times a request (keys, the portfolio): read once per user object.
    if not hasattr(user, "_organisation_ids"):
        user._organisation_ids = sorted(
            _organisations_of(user).order_by().values_list("organisation_id", flat=True)
        )
    return user._organisation_ids
