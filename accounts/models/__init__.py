from accounts.models.sso import IdentityProvider, IdentityProviderDomain

__all__ = ["IdentityProvider", "IdentityProviderDomain"]
