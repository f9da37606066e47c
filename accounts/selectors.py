"""Reads for the accounts app: who must use two-factor authentication."""

import time
from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import OrganisationSecurityPolicy
from accounts.models.security import policy_requires_mfa
from relationships.models import Membership, Organisation

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
    key = f"accounts:mfa-gate:{user.pk}:{mfa_gate_version()}"
    cached = cache.get(key)
    if cached is not None:
        return MfaGate(*cached)
    gate = user_mfa_gate(user)
    cache.set(key, (gate.required, gate.enrolled), MFA_GATE_SECONDS)
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
