"""Reads of the accounts app: invitations (an organisation's invitations are read
through an organisation its admin obtained from `organisation_get_for_admin`) and
single sign-on (which provider vouches for an address, and whom a login is for),
and who must use two-factor authentication."""

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AbstractUser
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from accounts.models import (
    ExternalAccessGrant,
    ExternalAccessLog,
    IdentityProvider,
    OrganisationInvitation,
    OrganisationSecurityPolicy,
)
from accounts.models.security import policy_requires_mfa
from accounts.tokens import invitation_token_digest
from relationships.access import external_grants_of_organisation
from relationships.models import Membership, Organisation


def organisation_invitation_get_by_token(*, token: str) -> OrganisationInvitation:
    """The invitation a link names: Http404 for a link that was never issued (or
    was replaced by a resend)."""
    invitation = (
        OrganisationInvitation.objects.filter(
            token_digest=invitation_token_digest(token)
        )
        .select_related("organisation", "invited_by")
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


def organisation_invitations(
    *, organisation: Organisation
) -> QuerySet[OrganisationInvitation]:
    return organisation.invitations.select_related("invited_by", "accepted_by")


def organisation_invitation_get(
    *, organisation: Organisation, pk: int
) -> OrganisationInvitation:
    return get_object_or_404(organisation_invitations(organisation=organisation), pk=pk)


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def identity_provider_for_email(email: str) -> IdentityProvider | None:
    """The enabled provider that vouches for the address's domain, if any."""
    if "@" not in email:
        return None
    return (
        IdentityProvider.objects.filter(
            enabled=True,
            domains__domain=email_domain(email),
            social_app__isnull=False,
        )
        .select_related("organisation", "social_app")
        .first()
    )


def identity_provider_origins() -> list[str]:
    """The origins (scheme://host[:port]) of the enabled identity providers: where
    a login form's submission may be sent on to (the Content-Security-Policy's
    form-action)."""
    origins = set()
    for server_url in IdentityProvider.objects.filter(
        enabled=True, social_app__isnull=False
    ).values_list("server_url", flat=True):
        parts = urlsplit(server_url)
        if parts.scheme in ("http", "https") and parts.netloc:
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)


def identity_provider_for_social_app(social_app: SocialApp) -> IdentityProvider | None:
    return (
        IdentityProvider.objects.filter(social_app=social_app)
        .select_related("organisation")
        .prefetch_related("domains")
        .first()
    )


@dataclass(frozen=True)
class SsoMatch:
    """Who a sign-on is for: an existing member (`user`), a newcomer the provider
    may admit (`create`), or nobody, with the reason shown to the person."""

    user: AbstractUser | None = None
    create: bool = False
    refusal: str = ""


def sso_match(
    *, identity_provider: IdentityProvider | None, email: str, email_verified: bool
) -> SsoMatch:
    """The person a provider vouches for, matched to their membership by verified
    e-mail address and domain."""
    if identity_provider is None or not identity_provider.enabled:
        return SsoMatch(refusal="Single sign-on is not enabled for this provider.")
    organisation = identity_provider.organisation
    if not email:
        return SsoMatch(
            refusal=f"{identity_provider.name} did not tell us your e-mail "
            "address, so we cannot match you to your organisation."
        )
    if not email_verified:
        return SsoMatch(
            refusal=f"{identity_provider.name} has not verified your e-mail "
            f"address {email}; ask your IT service to verify it, then try again."
        )
    if email_domain(email) not in identity_provider.domain_names:
        return SsoMatch(
            refusal=f"{identity_provider.name} signs on people of "
            f"{', '.join(identity_provider.domain_names)} only, not {email}."
        )
    user = _user_with_email(email)
    if user is None:
        if identity_provider.new_member_role:
            return SsoMatch(create=True)
        return SsoMatch(
            refusal=f"There is no Partnerplan account for {email} yet. Ask an "
            f"admin of {organisation} for an invitation."
        )
    if not user.is_active:
        return SsoMatch(refusal="This account has been deactivated.")
    if not Membership.objects.filter(user=user, organisation=organisation).exists():
        return SsoMatch(
            refusal=f"The account for {email} is not a member of {organisation}, "
            f"so it cannot log in through {identity_provider.name}. Log in with "
            "your password instead."
        )
    return SsoMatch(user=user)


def _user_with_email(email: str) -> AbstractUser | None:
    User = get_user_model()
    with_address = EmailAddress.objects.filter(email__iexact=email).values("user_id")
    return (
        User.objects.filter(Q(email__iexact=email) | Q(id__in=with_address))
        .order_by("id")
        .first()
    )


def identity_provider_of(organisation: Organisation) -> IdentityProvider | None:
    return (
        IdentityProvider.objects.filter(organisation=organisation)
        .prefetch_related("domains")
        .first()
    )


def sso_callback_url(organisation: Organisation) -> str:
    """The redirect URL the organisation registers at its provider."""
    path = reverse(
        "openid_connect_callback",
        kwargs={"provider_id": IdentityProvider(organisation=organisation).provider_id},
    )
    return f"{settings.SITE_URL}{path}"


# Changed whenever a policy, a membership or someone's authenticators change
# (accounts/apps.py), so that no request acts on an out-of-date verdict.
MFA_GATE_VERSION_KEY = "accounts:mfa-gate-version"
MFA_GATE_SECONDS = 600
# An authenticator that proves a second factor; recovery codes only back one up.
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


@dataclass(frozen=True)
class MfaGate:
    required: bool  # an organisation's policy asks it of this person
    enrolled: bool  # the person has a second factor


def security_policy_for(*, organisation: Organisation) -> OrganisationSecurityPolicy:
    """The organisation's policy; an unsaved one (nothing required) when it has
    none yet."""
    policy = OrganisationSecurityPolicy.objects.filter(
        organisation=organisation
    ).first()
    return policy or OrganisationSecurityPolicy(organisation=organisation)


def _second_factors_of(user_id: object) -> QuerySet[Authenticator]:
    return Authenticator.objects.filter(user_id=user_id, type__in=SECOND_FACTORS)


def user_mfa_gate(user: AbstractBaseUser) -> "MfaGate":
    """Whether a policy of one of the user's organisations requires MFA of them,
    and whether they have a second factor: one query (two for someone in no
    organisation)."""
    memberships = list(
        Membership.objects.filter(user=user)
        .annotate(enrolled=Exists(_second_factors_of(OuterRef("user_id"))))
        .values_list(
            "role",
            "organisation__security_policy__mfa_required_for_all",
            "organisation__security_policy__mfa_required_roles",
            "enrolled",
        )
    )
    if not memberships:
        return MfaGate(required=False, enrolled=user_has_second_factor(user))
    required = any(
        policy_requires_mfa(required_for_all=for_all, required_roles=roles, role=role)
        for role, for_all, roles, _ in memberships
    )
    return MfaGate(required=required, enrolled=memberships[0][3])


def user_has_second_factor(user: AbstractBaseUser) -> bool:
    return _second_factors_of(user.pk).exists()


def mfa_gate_version() -> int:
    version = cache.get(MFA_GATE_VERSION_KEY)
    if version is None:
        cache.add(MFA_GATE_VERSION_KEY, time.time_ns(), None)
        version = cache.get(MFA_GATE_VERSION_KEY, 0)
    return version


def mfa_gate_changed() -> None:
    cache.set(MFA_GATE_VERSION_KEY, time.time_ns(), None)


def mfa_gate_for(user: AbstractBaseUser) -> MfaGate:
    """The user's MFA verdict, read from the cache on most requests: the
    middleware asks on every page, and pages should not pay a query for it."""
    # The user's verdict carries the version it was worked out under; both are
    # read in one round trip, and a verdict of another version is stale.
    key = f"accounts:mfa-gate:{user.pk}"
    found = cache.get_many([MFA_GATE_VERSION_KEY, key])
    version = found.get(MFA_GATE_VERSION_KEY)
    if version is None:
        version = mfa_gate_version()
    cached = found.get(key)
    if cached is not None and cached[0] == version:
        return MfaGate(*cached[1:])
    gate = user_mfa_gate(user)
    cache.set(key, (version, gate.required, gate.enrolled), MFA_GATE_SECONDS)
    return gate


@dataclass(frozen=True)
class MemberMfaStatus:
    membership: Membership
    enrolled: bool
    required: bool


def organisation_members_mfa_status(
    *, organisation: Organisation, policy: OrganisationSecurityPolicy
) -> list[MemberMfaStatus]:
    """Each member of the organisation, whether they have a second factor and
    whether the policy requires one of them (for the admin's security page)."""
    memberships: QuerySet[Membership] = (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username", "role")
    )
    enrolled = set(
        Authenticator.objects.filter(
            user__memberships__organisation=organisation, type__in=SECOND_FACTORS
        ).values_list("user_id", flat=True)
    )
    return [
        MemberMfaStatus(
            membership=membership,
            enrolled=membership.user_id in enrolled,
            required=policy.requires_mfa_for(membership.role),
        )
        for membership in memberships
    ]


def external_grant_get_by_token(*, token: str) -> ExternalAccessGrant:
    """The grant a link names: Http404 for a link that was never issued."""
    grant = (
        ExternalAccessGrant.objects.filter(token_digest=invitation_token_digest(token))
        .select_related("organisation", "invited_by")
        .first()
    )
    if grant is None:
        raise Http404("No such access.")
    return grant


def external_grants(*, organisation: Organisation) -> QuerySet[ExternalAccessGrant]:
    """An organisation's grants, newest first, with who granted and revoked them
    and how often each was used."""
    return (
        external_grants_of_organisation(organisation.pk)
        .select_related("invited_by", "revoked_by", "accepted_by")
        .prefetch_related("relationships")
        .annotate(log_count=Count("log"))
        .order_by("-created_at")
    )


def external_grant_get(*, organisation: Organisation, pk: int) -> ExternalAccessGrant:
    return get_object_or_404(external_grants(organisation=organisation), pk=pk)


def external_access_log(*, grant: ExternalAccessGrant) -> QuerySet[ExternalAccessLog]:
    return grant.log.select_related("user")
