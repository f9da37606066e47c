from accounts.models.invitations import OrganisationInvitation
from accounts.models.security import OrganisationSecurityPolicy
from accounts.models.sso import IdentityProvider, IdentityProviderDomain

__all__ = [
    "IdentityProvider",
    "IdentityProviderDomain",
    "OrganisationInvitation",
    "OrganisationSecurityPolicy",
]
