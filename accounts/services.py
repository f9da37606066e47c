import logging
import re
from collections.abc import Callable
from datetime import date, timedelta
from smtplib import SMTPException
from urllib.parse import urlsplit

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AbstractUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from accounts.choices import SsoProtocol
from accounts.models import (
    ExternalAccessGrant,
    ExternalAccessLog,
    ExternalGrantState,
    IdentityProvider,
    IdentityProviderDomain,
    OrganisationInvitation,
    OrganisationSecurityPolicy,
)
from accounts.selectors import mfa_gate_changed
from accounts.tokens import (
    InvitationState,
    invitation_link_renew,
    invitation_token_new,
)
from relationships.access import grants_active, relationships_grantable_by
from relationships.caching import organisations_changed
from relationships.choices import MembershipRole
from relationships.models import (
    Membership,
    Organisation,
    Partnership,
    Relationship,
)

logger = logging.getLogger(__name__)


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
    *, email: str, first_name: str, last_name: str, password: str | None
) -> AbstractUser:
    """A new person's account, from an invitation they accepted (the link reached
    their inbox) or a first single sign-on login (their provider verified it): the
    address counts as verified. With no password they log in through their
    provider only."""
    User = get_user_model()
    user = User(
        username=_username_for(email),
        email=email.lower(),
        first_name=first_name,
        last_name=last_name,
    )
    if password is None:
        user.set_unusable_password()
    else:
        validate_password(password, user)
        user.set_password(password)
    user.full_clean()
    user.save()
    EmailAddress.objects.create(
        user=user, email=user.email, verified=True, primary=True
    )
    return user


# --- Invitations to an organisation ------------------------------------------------


def invitation_link(token: str) -> str:
    return f"{settings.SITE_URL}{reverse('accounts:invitation_accept', args=[token])}"


def _invitation_mail(
    *, invitation: OrganisationInvitation, token: str
) -> Callable[[], None]:
    """The e-mail, to send after the commit: an invitation whose transaction rolled
    back is never received."""
    context = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "inviter": invitation.invited_by,
        "link": invitation_link(token),
        "expires_at": invitation.expires_at,
    }

    def send() -> None:
        subject = " ".join(
            render_to_string(
                "accounts/email/organisation_invitation_subject.txt", context
            ).split()
        )
        try:
            EmailMessage(
                subject=subject,
                body=render_to_string(
                    "accounts/email/organisation_invitation.txt", context
                ),
                to=[invitation.email],
            ).send()
        except (SMTPException, OSError):
            logger.exception("Could not send the invitation %s", invitation.pk)

    return send


def users_with_address(email: str) -> QuerySet:
    User = get_user_model()
    return User.objects.filter(
        Q(email__iexact=email)
        | Q(pk__in=EmailAddress.objects.filter(email__iexact=email).values("user_id"))
    )


def _membership_error(*, organisation: Organisation, email: str) -> str | None:
    """Why the person with this address cannot join the organisation, if they
    cannot: one person belongs to one organisation."""
    people = users_with_address(email)
    memberships = Membership.objects.filter(user__in=people).select_related(
        "organisation"
    )
    elsewhere = memberships.exclude(organisation=organisation).first()
    if elsewhere is not None:
        return (
            f"{email} already belongs to another organisation "
            f"({elsewhere.organisation}): one person belongs to one organisation."
        )
    here = memberships.filter(organisation=organisation).first()
    if here is not None and here.deactivated_at is not None:
        return (
            f"{email} is a deactivated member of {organisation}: reactivate them on "
            "the People page instead."
        )
    if here is not None:
        return f"{email} is already a member of {organisation}."
    return None


def _pending_invitation_error(*, organisation: Organisation, email: str) -> str | None:
    pending = OrganisationInvitation.objects.filter(
        organisation=organisation,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        declined_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    if pending.exists():
        return (
            f"An invitation to {email} is already pending: resend it from the list "
            "instead."
        )
    return None


@transaction.atomic
def organisation_invitation_create(
    *,
    organisation: Organisation,
    email: str,
    role: str,
    invited_by: AbstractBaseUser | None,
) -> tuple[OrganisationInvitation, str]:
    """Invite a person by e-mail to join the organisation with a role: a single-use
    link that expires, e-mailed after the commit. Returns the invitation and its
    link (shown once: only its digest is stored). `invited_by` is None for the
    first admin, invited by the first-run command."""
    email = email.strip().lower()
    # One invitation at a time per organisation: two admins inviting the same
    # address at once cannot both pass the duplicate check.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    if role not in MembershipRole.values:
        raise ValidationError({"role": "Choose one of the roles."})
    error = _membership_error(
        organisation=organisation, email=email
    ) or _pending_invitation_error(organisation=organisation, email=email)
    if error:
        raise ValidationError({"email": error})
    token, digest = invitation_token_new()
    invitation = OrganisationInvitation(
        organisation=organisation,
        email=email,
        role=role,
        invited_by=invited_by,
        token_digest=digest,
        sent_at=timezone.now(),
        send_count=1,
    )
    invitation.full_clean()
    invitation.save()
    transaction.on_commit(_invitation_mail(invitation=invitation, token=token))
    return invitation, invitation_link(token)


def _state_label(invitation: OrganisationInvitation) -> str:
    return InvitationState(invitation.state).label.lower()


def _locked(invitation: OrganisationInvitation) -> OrganisationInvitation:
    return OrganisationInvitation.objects.select_for_update().get(pk=invitation.pk)


@transaction.atomic
def organisation_invitation_resend(
    *, invitation: OrganisationInvitation, user: AbstractBaseUser | None
) -> tuple[OrganisationInvitation, str]:
    """Send the invitation again with a fresh link and a fresh expiry: the link
    sent before stops working. An expired invitation may be resent; an accepted
    or revoked one may not."""
    invitation = _locked(invitation)
    if invitation.state in (InvitationState.ACCEPTED, InvitationState.REVOKED):
        raise ValidationError(
            f"This invitation was {_state_label(invitation)}: it cannot be sent again."
        )
    error = _membership_error(
        organisation=invitation.organisation, email=invitation.email
    )
    if error:
        raise ValidationError(error)
    token = invitation_link_renew(invitation)
    invitation.full_clean()
    invitation.save(
        update_fields=["token_digest", "expires_at", "sent_at", "send_count"]
    )
    transaction.on_commit(_invitation_mail(invitation=invitation, token=token))
    return invitation, invitation_link(token)


@transaction.atomic
def organisation_invitation_revoke(
    *, invitation: OrganisationInvitation, user: AbstractBaseUser
) -> OrganisationInvitation:
    """Withdraw an invitation that was not accepted: its link stops working."""
    invitation = _locked(invitation)
    if invitation.state in (InvitationState.ACCEPTED, InvitationState.REVOKED):
        raise ValidationError(
            f"This invitation was already {_state_label(invitation)}."
        )
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return invitation


def organisation_invitation_problem(invitation: OrganisationInvitation) -> str | None:
    """Why a link can no longer be used, in words for the person who followed it."""
    state = invitation.state
    if state == InvitationState.ACCEPTED:
        return "This invitation has already been used. Log in to use the site."
    if state == InvitationState.REVOKED:
        return (
            f"This invitation was withdrawn by {invitation.organisation}. Ask its "
            "admin for a new one if you still need to join."
        )
    if state == InvitationState.EXPIRED:
        return (
            "This invitation has expired. Ask the admin of "
            f"{invitation.organisation} to send it again."
        )
    if state != InvitationState.PENDING:
        return "This invitation can no longer be used."
    return None


@transaction.atomic
def organisation_invitation_accept(
    *,
    invitation: OrganisationInvitation,
    user: AbstractBaseUser | None = None,
    first_name: str = "",
    last_name: str = "",
    password: str = "",
) -> AbstractBaseUser:
    """Accept an invitation: as `user`, logged in with the invited address, or
    with a new account (names and password) when the address has none yet. The
    person becomes a member with the invited role; the link is used up."""
    invitation = _locked(invitation)
    problem = organisation_invitation_problem(invitation)
    if problem:
        raise ValidationError(problem)
    if user is None:
        if users_with_address(invitation.email).exists():
            raise ValidationError(
                f"An account for {invitation.email} exists already: log in with it "
                "to accept."
            )
        user = account_create(
            email=invitation.email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            password=password,
        )
    elif not users_with_address(invitation.email).filter(pk=user.pk).exists():
        raise ValidationError(
            f"This invitation is for {invitation.email}, and you are logged in as "
            "someone else: log out and open the link again."
        )
    error = _membership_error(organisation=invitation.organisation, email=user.email)
    if error:
        raise ValidationError(error)
    membership = Membership(
        user=user, organisation=invitation.organisation, role=invitation.role
    )
    membership.full_clean()
    membership._history_user = user
    membership.save()
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user


# Plain http is allowed only to a provider on this machine, and only where the
# settings say so (DEBUG, and the tests' own provider).
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
DOMAIN_PATTERN = re.compile(
    r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)


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
    user = account_create(
        email=email,
        first_name=first_name[:150],
        last_name=last_name[:150],
        password=None,
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


# --- external auditors' access ----------------------------------------------------

# The longest an external auditor's access may be granted for at once: a
# certification audit cycle's surveillance visit falls within a year.
EXTERNAL_GRANT_MAX_DAYS = 366


def _external_grant_person_error(
    *, organisation: Organisation, relationship_ids: list[int], email: str
) -> str | None:
    """Why this address cannot hold a grant: it belongs to a member (active or
    not) of the granting organisation or of a partner in a chosen relationship,
    who would read through their membership and not as an outsider."""
    partners = Partnership.objects.filter(relationship_id__in=relationship_ids).values(
        "organisation_id"
    )
    membership = (
        Membership.objects.filter(
            Q(organisation=organisation) | Q(organisation_id__in=partners),
            user__in=users_with_address(email),
        )
        .select_related("organisation")
        .first()
    )
    if membership is None:
        return None
    return (
        f"{email} belongs to a member of {membership.organisation}, a partner in "
        "the chosen relationships: external access is for people outside every "
        "partner (their membership already decides what they see)."
    )


def external_grant_errors(
    *,
    organisation: Organisation,
    name: str,
    email: str,
    relationships: list[Relationship],
    ends_on: date | None,
    today: date | None = None,
) -> dict[str, str]:
    """What is wrong with a grant, by field: the one place these rules are
    stated (the form shows them; the service refuses on them)."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Give the person's name."
    if not relationships:
        errors["relationships"] = "Choose at least one relationship."
    else:
        grantable = set(
            relationships_grantable_by(organisation).values_list("pk", flat=True)
        )
        foreign = [r for r in relationships if r.pk not in grantable]
        if foreign:
            errors["relationships"] = (
                f"{organisation} is not a partner in "
                f"{', '.join(str(r) for r in foreign)}: it grants access only to "
                "its own relationships."
            )
    if ends_on is None:
        errors["ends_on"] = "Choose the last day of access: a grant always ends."
    elif ends_on < today:
        errors["ends_on"] = "The last day of access is in the past."
    elif ends_on > today + timedelta(days=EXTERNAL_GRANT_MAX_DAYS):
        errors["ends_on"] = (
            "Access may be granted for a year at most "
            f"(until {today + timedelta(days=EXTERNAL_GRANT_MAX_DAYS):%d %B %Y}); "
            "grant it again when it ends."
        )
    if email and "relationships" not in errors:
        error = _external_grant_person_error(
            organisation=organisation,
            relationship_ids=[r.pk for r in relationships],
            email=email,
        )
        if error:
            errors["email"] = error
    return errors


def external_grant_link(token: str) -> str:
    return (
        f"{settings.SITE_URL}{reverse('accounts:external_grant_accept', args=[token])}"
    )


def _external_grant_mail(
    *, grant: ExternalAccessGrant, token: str
) -> Callable[[], None]:
    context = {
        "grant": grant,
        "organisation": grant.organisation,
        "relationships": list(grant.relationships.order_by("title")),
        "inviter": grant.invited_by,
        "link": external_grant_link(token),
        "expires_at": grant.expires_at,
    }

    def send() -> None:
        subject = " ".join(
            render_to_string(
                "accounts/email/external_grant_subject.txt", context
            ).split()
        )
        try:
            EmailMessage(
                subject=subject,
                body=render_to_string("accounts/email/external_grant.txt", context),
                to=[grant.email],
            ).send()
        except (SMTPException, OSError):
            logger.exception("Could not send the external access grant %s", grant.pk)

    return send


def _grants_changed(grant: ExternalAccessGrant) -> None:
    """The grantee's cached portfolio is keyed by the granting organisation's
    version: move it on once the change is committed."""
    organisation_id = grant.organisation_id
    transaction.on_commit(lambda: organisations_changed([organisation_id]))


@transaction.atomic
def external_grant_create(
    *,
    organisation: Organisation,
    name: str,
    email: str,
    relationships: list[Relationship],
    management_system: bool,
    ends_on: date | None,
    granted_by: AbstractBaseUser,
) -> tuple[ExternalAccessGrant, str]:
    """Grant a named person outside the partners read-only access to some of the
    organisation's relationships until a last day, and e-mail them a single-use
    link (after the commit) to accept it with a new or existing account. Returns
    the grant and its link (only its digest is stored)."""
    email = email.strip().lower()
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    errors = external_grant_errors(
        organisation=organisation,
        name=name,
        email=email,
        relationships=relationships,
        ends_on=ends_on,
    )
    if errors:
        raise ValidationError(errors)
    token, digest = invitation_token_new()
    grant = ExternalAccessGrant(
        organisation=organisation,
        name=name.strip(),
        email=email,
        management_system=management_system,
        ends_on=ends_on,
        invited_by=granted_by,
        token_digest=digest,
        sent_at=timezone.now(),
        send_count=1,
    )
    grant.full_clean()
    grant.save()
    grant.relationships.set(relationships)
    transaction.on_commit(_external_grant_mail(grant=grant, token=token))
    _grants_changed(grant)
    return grant, external_grant_link(token)


def _grant_locked(grant: ExternalAccessGrant) -> ExternalAccessGrant:
    return ExternalAccessGrant.objects.select_for_update().get(pk=grant.pk)


@transaction.atomic
def external_grant_revoke(
    *, grant: ExternalAccessGrant, user: AbstractBaseUser
) -> ExternalAccessGrant:
    """End a grant now: the grantee's next request, in any open session, sees
    nothing of it, and its link stops working."""
    grant = _grant_locked(grant)
    if grant.revoked_at is not None:
        raise ValidationError("This access was already revoked.")
    grant.revoked_at = timezone.now()
    grant.revoked_by = user
    grant.save(update_fields=["revoked_at", "revoked_by"])
    _grants_changed(grant)
    return grant


def external_grant_problem(grant: ExternalAccessGrant) -> str | None:
    """Why a grant's link can no longer be used, in words for its person."""
    state = grant.grant_state()
    if state == ExternalGrantState.REVOKED:
        return f"This access was withdrawn by {grant.organisation}."
    if state == ExternalGrantState.LAPSED:
        return f"This access ended on {grant.ends_on:%d %B %Y}."
    if grant.accepted_at is not None:
        return "This link has already been used. Log in to use the site."
    if grant.expires_at <= timezone.now():
        return (
            f"This link has expired. Ask the admin of {grant.organisation} to "
            "grant the access again."
        )
    return None


@transaction.atomic
def external_grant_accept(
    *,
    grant: ExternalAccessGrant,
    user: AbstractBaseUser | None = None,
    first_name: str = "",
    last_name: str = "",
    password: str = "",
) -> AbstractBaseUser:
    """Accept a grant: as `user`, logged in with the granted address, or with a
    new account (names and password) when the address has none yet. From then
    on the grant lets that account read, until it lapses or is revoked."""
    grant = _grant_locked(grant)
    problem = external_grant_problem(grant)
    if problem:
        raise ValidationError(problem)
    if user is None:
        if users_with_address(grant.email).exists():
            raise ValidationError(
                f"An account for {grant.email} exists already: log in with it "
                "to accept."
            )
        user = account_create(
            email=grant.email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            password=password,
        )
    elif not users_with_address(grant.email).filter(pk=user.pk).exists():
        raise ValidationError(
            f"This access is for {grant.email}, and you are logged in as someone "
            "else: log out and open the link again."
        )
    error = _external_grant_person_error(
        organisation=grant.organisation,
        relationship_ids=list(grant.relationships.values_list("pk", flat=True)),
        email=user.email,
    )
    if error:
        raise ValidationError(error)
    grant.accepted_at = timezone.now()
    grant.accepted_by = user
    grant.save(update_fields=["accepted_at", "accepted_by"])
    _grants_changed(grant)
    return user


def external_access_log_write(
    *,
    user: AbstractBaseUser,
    reference: str | None,
    method: str,
    path: str,
    status_code: int,
) -> int:
    """Log one request of a person who holds grants, for each granting
    organisation it concerns: the grants covering the relationship the path
    names, or else the person's grants that count today (every grant they
    accepted, when none counts any more). Returns the rows written."""
    grants = ExternalAccessGrant.objects.filter(accepted_by=user)
    covering = grants.filter(relationships__reference=reference) if reference else None
    active = grants_active(user)
    if covering is not None and covering.exists():
        grants = covering
    elif active.exists():
        grants = active
    rows = [
        ExternalAccessLog(
            grant_id=grant_id,
            user=user,
            method=method[:10],
            path=path[:500],
            status_code=status_code,
        )
        for grant_id in grants.values_list("pk", flat=True).distinct()
    ]
    ExternalAccessLog.objects.bulk_create(rows)
    return len(rows)
