from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils.text import slugify

from accounts.models import OrganisationSecurityPolicy
from accounts.selectors import mfa_gate_changed
from relationships.models import Organisation


def _username_for(email: str) -> str:
    """A free username from the address (people log in by e-mail; usernames
    stay for existing accounts and the admin)."""
    User = get_user_model()
    base = slugify(email.split("@")[0])[:140] or "user"
    username, number = base, 1
    while User.objects.filter(username__iexact=username).exists():
        number += 1
        username = f"{base}{number}"
    return username


@transaction.atomic
def account_create(
    *, email: str, first_name: str, last_name: str, password: str
) -> AbstractUser:
    """A new person's account, from an invitation they accepted: the link reached
    their inbox, so the address counts as verified."""
    User = get_user_model()
    user = User(
        username=_username_for(email),
        email=email.lower(),
        first_name=first_name,
        last_name=last_name,
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    EmailAddress.objects.create(
        user=user, email=user.email, verified=True, primary=True
    )
    return user


@transaction.atomic
def security_policy_update(
    *,
    organisation: Organisation,
    mfa_required_for_all: bool,
    mfa_required_roles: list[str],
    updated_by: AbstractUser,
) -> OrganisationSecurityPolicy:
    """Set which of the organisation's members must use two-factor
    authentication; the middleware applies it from their next request."""
    policy, _ = OrganisationSecurityPolicy.objects.get_or_create(
        organisation=organisation
    )
    policy.mfa_required_for_all = mfa_required_for_all
    policy.mfa_required_roles = sorted(set(mfa_required_roles))
    policy.updated_by = updated_by
    policy.full_clean()
    policy.save()
    transaction.on_commit(mfa_gate_changed)
    return policy
