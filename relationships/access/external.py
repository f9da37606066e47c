"""External auditors: read-only access granted by an organisation's admin to a
named person outside every partner (a certification body's auditor), to some of
the relationships in which the organisation is a partner, until a last day
(`accounts.ExternalAccessGrant`).

A grant counts while it is accepted, not revoked and its last day has not
passed (`grants_active`); it is asked on every request, so a revocation or the
end of the last day takes effect at once, also for open sessions. The grantee
sees what the granting partner's auditor would see there, less what other
partners merely share with it: joint records, and the granting partner's own
private ones (`partnerships_granted_to`). Nothing is ever writable through a
grant: every write, signing, confirming and inviting rule starts from
memberships, which a grantee does not hold.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import ExternalAccessGrant
from relationships.access.memberships import AnyUser, granting_organisation_ids_of
from relationships.models import Organisation, Partnership, Relationship


def grants_active(user: AnyUser) -> QuerySet[ExternalAccessGrant]:
    """The user's grants that count today."""
    if not user.is_authenticated:
        return ExternalAccessGrant.objects.none()
    return ExternalAccessGrant.objects.filter(
        accepted_by=user,
        revoked_at__isnull=True,
        ends_on__gte=timezone.localdate(),
    )


def grant_clause(user: AnyUser, lookup: str) -> Q:
    """`Q(<lookup>__in=partnerships_granted_to(user))`, or nothing when this
    request already knows the user holds no grant (`organisation_ids_of` read
    them: the register lists and the portfolio do). Without that OR and its
    subquery the rules' SQL is what it was before grants existed, which lets
    PostgreSQL page a register by walking its index; the rows are the same."""
    if getattr(user, "_granting_organisation_ids", None) == []:
        return Q()
    return Q(**{f"{lookup}__in": partnerships_granted_to(user)})


def partnerships_granted_to(user: AnyUser) -> QuerySet:
    """The ids of the partnerships through which a grant lets the user read, as a
    subquery: the granting organisation's partnership in each granted
    relationship. Seeing a relationship, and its partner's private records, start
    from it."""
    granted = ExternalAccessGrant.relationships.through.objects.filter(
        externalaccessgrant__in=grants_active(user),
        externalaccessgrant__organisation_id=OuterRef("organisation_id"),
        relationship_id=OuterRef("relationship_id"),
    )
    return Partnership.objects.filter(Exists(granted)).values("pk")


def partnership_ids_granted_to(user: AnyUser) -> set[int]:
    """`partnerships_granted_to` read once."""
    if not user.is_authenticated:
        return set()
    return set(
        Partnership.objects.filter(pk__in=partnerships_granted_to(user)).values_list(
            "pk", flat=True
        )
    )


def organisation_ids_granting_to(user: AnyUser) -> list[int]:
    """The organisations whose grants count for the user now: their versions key
    the grantee's cached portfolio and lists (relationships/caching.py)."""
    if not user.is_authenticated:
        return []
    return sorted(
        set(grants_active(user).order_by().values_list("organisation_id", flat=True))
    )


def organisation_ids_management_system_granted_to(user: AnyUser) -> list[int]:
    """Organisations whose own management-system records (findings, internal
    audits, management reviews) the user may read through a grant: those of
    grants that count today with `management_system` chosen. Read-only."""
    if not user.is_authenticated:
        return []
    return sorted(
        set(
            grants_active(user)
            .filter(management_system=True)
            .order_by()
            .values_list("organisation_id", flat=True)
        )
    )


def user_holds_grants(user: AnyUser) -> bool:
    """Whether the user ever accepted a grant (current or not): their requests
    are logged for the granting organisations."""
    if not user.is_authenticated:
        return False
    return ExternalAccessGrant.objects.filter(accepted_by=user).exists()


def external_grants_of_organisation(organisation_id: int) -> QuerySet:
    """An organisation's grants, for its admin pages (fetched through
    `organisation_get_for_admin`)."""
    return ExternalAccessGrant.objects.filter(organisation_id=organisation_id)


def relationships_grantable_by(organisation: Organisation) -> QuerySet[Relationship]:
    """The relationships an organisation's admin may grant access to: those in
    which the organisation is a partner (an exited one still reads its own)."""
    return Relationship.objects.filter(
        partnerships__organisation=organisation
    ).distinct()


def grants_cache_key_part(user: AnyUser) -> tuple[int, ...]:
    """What a grantee reads through grants, for a cache key of pages shared
    between viewers of the same organisations (a register page's ids and rows):
    the partnerships granted to the user, so that a grantee never meets the
    granting organisation's members' entries. Empty, and no query, for anyone
    without a grant (their organisations already say what they see)."""
    if not granting_organisation_ids_of(user):
        return ()
    return tuple(sorted(partnership_ids_granted_to(user)))
