"""An organisation's own pages and whom it works with: who administers it, who
may start a relationship for it, which organisations a user knows of."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from relationships.access.memberships import (
    AnyUser,
    _organisations_of,
    memberships_active,
)
from relationships.access.relationships import relationships_visible_to
from relationships.choices import MANAGE_ROLES, MembershipRole
from relationships.models import Membership, Organisation


def organisations_administered_by(user: AnyUser) -> QuerySet[Organisation]:
    """Organisations whose admin the user is (role "Organisation admin")."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        id__in=_organisations_of(user, roles=[MembershipRole.ORG_ADMIN])
    )


def organisation_admins(organisation: Organisation) -> QuerySet[Membership]:
    """The memberships that administer the organisation: active ones with the
    admin role (the other side of `organisations_administered_by`)."""
    return memberships_active().filter(
        organisation=organisation, role=MembershipRole.ORG_ADMIN
    )


def organisation_get_for_admin(*, user: AnyUser, slug: str) -> Organisation:
    """An organisation its admin manages. A member who is not its admin gets 403;
    anyone else 404, so that which organisations exist does not leak."""
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None or not user.is_authenticated:
        raise Http404("No such organisation.")
    if not organisations_administered_by(user).filter(id=organisation.id).exists():
        if Membership.objects.filter(user=user, organisation=organisation).exists():
            raise PermissionDenied(
                "Only the organisation's admins manage its profile and people."
            )
        raise Http404("No such organisation.")
    return organisation


def organisations_that_may_lead(user: AnyUser) -> QuerySet[Organisation]:
    """Organisations the user may start a relationship for (as its relationship
    manager or organisation admin)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        id__in=_organisations_of(user, roles=MANAGE_ROLES)
    )


def organisations_known_to(user: AnyUser) -> QuerySet[Organisation]:
    """Organisations the user's own work with: partners in a relationship the
    user sees (their own organisations included)."""
    return Organisation.objects.filter(
        partnerships__relationship__in=relationships_visible_to(user)
    ).distinct()
