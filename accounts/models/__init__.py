from accounts.models.invitations import OrganisationInvitation

__all__ = ["OrganisationInvitation"]
