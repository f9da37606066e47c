from django.db import models

from relationships.choices import MembershipRole


class SsoProtocol(models.TextChoices):
    OPENID_CONNECT = "openid_connect", "OpenID Connect"


class SsoNewMemberRole(models.TextChoices):
    """What a person of a vouched-for domain becomes on their first sign-on when
    the site has no account for them yet."""

    NOBODY = "", "Nobody: they ask an admin for an invitation"
    AUDITOR = MembershipRole.AUDITOR.value, "Auditor (reads only)"
    JMT_MEMBER = MembershipRole.JMT_MEMBER.value, "Joint management team member"
