import re
from urllib.parse import urlsplit

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from accounts.choices import SsoProtocol
from accounts.models import IdentityProvider, IdentityProviderDomain
from relationships.models import Membership, Organisation

# Plain http is allowed only to a provider on this machine, and only where the
# settings say so (DEBUG, and the tests' own provider).
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
DOMAIN_PATTERN = re.compile(
    r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)


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


# --- single sign-on ------------------------------------------------------------


def sso_domain_normalise(domain: str) -> str:
    return domain.strip().lower().lstrip("@").rstrip(".")


def identity_provider_errors(
    *, organisation: Organisation, server_url: str, domains: list[str]
) -> dict[str, list[str]]:
    """What is wrong with a provider's address and domains, by field: the one
    place these rules are stated (the organisation's page, the admin site and
    the service all ask it)."""
    errors: dict[str, list[str]] = {}
    url = urlsplit(server_url)
    local = url.hostname in LOCAL_HOSTS and settings.SOCIALACCOUNT_LOCAL_HTTP_ALLOWED
    if url.scheme != "https" and not (url.scheme == "http" and local):
        errors["server_url"] = [
            "The provider's address must start with https://, so that nobody "
            "between us and it can read or change the sign-on."
        ]
    domain_errors = []
    if not domains:
        domain_errors.append("Name at least one e-mail domain, such as example.org.")
    for domain in domains:
        if not DOMAIN_PATTERN.fullmatch(domain):
            domain_errors.append(f"“{domain}” is not an e-mail domain.")
    claimed = (
        IdentityProviderDomain.objects.filter(domain__in=domains)
        .exclude(identity_provider__organisation=organisation)
        .values_list("domain", flat=True)
    )
    for domain in sorted(claimed):
        domain_errors.append(
            f"{domain} is already used for single sign-on by another "
            "organisation; a domain can belong to one organisation only. If it "
            "is yours, ask the site's administrators."
        )
    if domain_errors:
        errors["domains"] = domain_errors
    return errors


@transaction.atomic
def identity_provider_save(
    *,
    organisation: Organisation,
    name: str,
    server_url: str,
    client_id: str,
    client_secret: str,
    domains: list[str],
    enabled: bool,
    new_member_role: str,
    protocol: str = SsoProtocol.OPENID_CONNECT,
) -> IdentityProvider:
    """Ties an organisation to its sign-on provider (or changes the tie), and keeps
    allauth's SocialApp in step. An empty client secret keeps the stored one."""
    domains = sorted({sso_domain_normalise(domain) for domain in domains} - {""})
    errors = identity_provider_errors(
        organisation=organisation, server_url=server_url, domains=domains
    )
    identity_provider = (
        IdentityProvider.objects.select_for_update()
        .filter(organisation=organisation)
        .first()
    ) or IdentityProvider(organisation=organisation)
    identity_provider.protocol = protocol
    identity_provider.name = name.strip()
    identity_provider.server_url = server_url.strip().rstrip("/")
    identity_provider.client_id = client_id.strip()
    if client_secret:
        identity_provider.client_secret = client_secret
    identity_provider.enabled = enabled
    identity_provider.new_member_role = new_member_role
    try:
        identity_provider.full_clean(exclude=["social_app"])
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    identity_provider.social_app = _social_app_sync(identity_provider)
    identity_provider.save()
    identity_provider.domains.exclude(domain__in=domains).delete()
    for domain in domains:
        try:
            with transaction.atomic():
                IdentityProviderDomain.objects.get_or_create(
                    identity_provider=identity_provider, domain=domain
                )
        except IntegrityError:
            # Another organisation claimed it since the check above.
            raise ValidationError(
                {"domains": [f"{domain} was just claimed by another organisation."]}
            ) from None
    return identity_provider


def _social_app_sync(identity_provider: IdentityProvider) -> SocialApp:
    social_app = identity_provider.social_app or SocialApp(
        provider=identity_provider.protocol
    )
    social_app.provider_id = identity_provider.provider_id
    social_app.name = identity_provider.name
    social_app.client_id = identity_provider.client_id
    social_app.secret = identity_provider.client_secret
    social_app.settings = {
        "server_url": identity_provider.server_url,
        "oauth_pkce_enabled": True,
    }
    social_app.full_clean()
    social_app.save()
    return social_app


@transaction.atomic
def sso_member_create(
    *, identity_provider: IdentityProvider, email: str, first_name: str, last_name: str
) -> AbstractUser:
    """A person of a vouched-for domain who logs in for the first time: an account
    without a password (they log in through their provider), their verified
    address and the role the organisation gives such people."""
    if not identity_provider.new_member_role:
        raise ValidationError("This organisation admits people by invitation only.")
    User = get_user_model()
    user = User(
        username=_username_for(email),
        email=email.lower(),
        first_name=first_name[:150],
        last_name=last_name[:150],
    )
    user.set_unusable_password()
    user.full_clean()
    user.save()
    EmailAddress.objects.create(
        user=user, email=user.email, verified=True, primary=True
    )
    membership = Membership(
        user=user,
        organisation=identity_provider.organisation,
        role=identity_provider.new_member_role,
    )
    membership.full_clean()
    membership._history_user = user
    membership.save()
    return user


@transaction.atomic
def identity_provider_delete(*, identity_provider: IdentityProvider) -> None:
    """Unties an organisation from its provider; allauth's SocialApp (and the
    logins tied through it) go with it, so nobody signs on through it again."""
    social_app = identity_provider.social_app
    identity_provider.delete()
    if social_app is not None:
        social_app.delete()
