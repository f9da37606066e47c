from accounts.models.security import OrganisationSecurityPolicy

__all__ = ["OrganisationSecurityPolicy"]
