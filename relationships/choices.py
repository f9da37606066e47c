from django.db import models

from principles.choices import PrincipleSetKey


class OrganisationKind(models.TextChoices):
    LARGE = "large", "Large organisation"
    MSME = "msme", "MSME"
    UNIVERSITY = "university", "University"
    BUSINESS = "business", "Business"
    PUBLIC_BODY = "public_body", "Public body"
    OTHER = "other", "Other"


class MsmeSize(models.TextChoices):
    """Self-declared size class, by the common EU head-count thresholds."""

    MICRO = "micro", "Micro (fewer than 10 staff)"
    SMALL = "small", "Small (fewer than 50 staff)"
    MEDIUM = "medium", "Medium (fewer than 250 staff)"


class MembershipRole(models.TextChoices):
    RELATIONSHIP_MANAGER = "relationship_manager", "Relationship manager"
    JMT_MEMBER = "jmt_member", "Joint management team member"
    AUDITOR = "auditor", "Auditor"
    ORG_ADMIN = "org_admin", "Organisation admin"


# Roles whose holders may change a relationship's data; auditors only read.
WRITE_ROLES = frozenset(
    {
        MembershipRole.RELATIONSHIP_MANAGER,
        MembershipRole.JMT_MEMBER,
        MembershipRole.ORG_ADMIN,
    }
)

# Roles that speak for an organisation in a relationship: start one, answer an
# invitation to one, seat its people, leave, finalise its self-assessment.
MANAGE_ROLES = frozenset(
    {MembershipRole.RELATIONSHIP_MANAGER, MembershipRole.ORG_ADMIN}
)


class RelationshipKind(models.TextChoices):
    GENERAL = "general", "General collaboration"
    LARGE_MSME = "large_msme", "Large organisation with MSMEs"
    UNIVERSITY_BUSINESS = "university_business", "University-business collaboration"


# Which principle set a relationship's kind selects.
PRINCIPLE_SET_FOR_KIND = {
    RelationshipKind.GENERAL: PrincipleSetKey.GENERAL,
    RelationshipKind.LARGE_MSME: PrincipleSetKey.LARGE_MSME,
    RelationshipKind.UNIVERSITY_BUSINESS: PrincipleSetKey.UBC,
}


class RelationshipStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"
    EXITING = "exiting", "Exiting"
    CLOSED = "closed", "Closed"


class PartnerRole(models.TextChoices):
    LEAD = "lead", "Lead partner"
    PARTNER = "partner", "Partner"


class PlanVersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Awaiting sign-off"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Superseded"


class Horizon(models.TextChoices):
    SHORT = "short", "Short term"
    MEDIUM = "medium", "Medium term"
    LONG = "long", "Long term"


class ObjectiveStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    ACHIEVED = "achieved", "Achieved"
    DROPPED = "dropped", "Dropped"


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    MITIGATING = "mitigating", "Being mitigated"
    ACCEPTED = "accepted", "Accepted"
    CLOSED = "closed", "Closed"


class ActionSource(models.TextChoices):
    ASSESSMENT = "assessment", "Assessment"
    MEETING = "meeting", "Meeting"
    REVIEW = "review", "Review"
    RISK = "risk", "Risk register"
    OTHER = "other", "Other"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class PlanDepth(models.TextChoices):
    """How much a plan asks for: MSME partners get the essentials (ISO/TR 44004)."""

    ESSENTIALS = "essentials", "Essentials"
    FULL = "full", "Full"


class PlanDecisionKind(models.TextChoices):
    APPROVE = "approve", "Signed off"
    REJECT = "reject", "Rejected"


class EvidenceStatus(models.TextChoices):
    EVIDENCED = "evidenced", "Evidenced"
    SKIPPED = "skipped", "Skipped by agreement"


class Visibility(models.TextChoices):
    """Whose eyes a register entry or a self-assessment is for."""

    JOINT = "joint", "Joint (all partners)"
    PARTNER = "partner", "Private to its partner"
