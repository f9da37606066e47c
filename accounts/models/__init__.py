from accounts.models.external import (
    ExternalAccessGrant,
    ExternalAccessLog,
    ExternalGrantState,
)
from accounts.models.invitations import OrganisationInvitation
from accounts.models.security import OrganisationSecurityPolicy
from accounts.models.sso import IdentityProvider, IdentityProviderDomain

__all__ = [
    "ExternalAccessGrant",
    "ExternalAccessLog",
    "ExternalGrantState",
    "IdentityProvider",
    "IdentityProviderDomain",
    "OrganisationInvitation",
    "OrganisationSecurityPolicy",
]
