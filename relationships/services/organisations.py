from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.text import slugify

from relationships.choices import MembershipRole
from relationships.models import Membership, Organisation


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
