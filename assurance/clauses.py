"""The clauses of ISO 44001:2017 a finding or an audit can point at.

Only the clause numbers and their short titles (the standard's structure, shared
with every ISO management-system standard); the help texts are our own words.
"""

from django.db import models


class Iso44001Clause(models.TextChoices):
    """A clause of ISO 44001, by its number and short title."""

    CONTEXT = "4.1", "4.1 Understanding the organization and its context"
    INTERESTED_PARTIES = "4.2", "4.2 Needs and expectations of interested parties"
    SCOPE = "4.3", "4.3 Scope of the management system"
    SYSTEM = "4.4", "4.4 Collaborative business relationship management system"
    LEADERSHIP = "5.1", "5.1 Leadership and commitment"
    POLICY = "5.2", "5.2 Policy"
    ROLES = "5.3", "5.3 Roles, responsibilities and authorities"
    RISKS_OPPORTUNITIES = "6.1", "6.1 Actions to address risks and opportunities"
    OBJECTIVES = "6.2", "6.2 Objectives and planning to achieve them"
    RESOURCES = "7.1", "7.1 Resources"
    COMPETENCE = "7.2", "7.2 Competence"
    AWARENESS = "7.3", "7.3 Awareness"
    COMMUNICATION = "7.4", "7.4 Communication"
    DOCUMENTED_INFORMATION = "7.5", "7.5 Documented information"
    OPERATIONAL_PLANNING = "8.1", "8.1 Operational planning and control"
    OPERATIONAL_AWARENESS = "8.2", "8.2 Operational awareness"
    KNOWLEDGE = "8.3", "8.3 Knowledge"
    INTERNAL_ASSESSMENT = "8.4", "8.4 Internal assessment"
    PARTNER_SELECTION = "8.5", "8.5 Partner selection"
    WORKING_TOGETHER = "8.6", "8.6 Working together"
    VALUE_CREATION = "8.7", "8.7 Value creation"
    STAYING_TOGETHER = "8.8", "8.8 Staying together"
    EXIT_STRATEGY = "8.9", "8.9 Exit strategy activation"
    MONITORING = "9.1", "9.1 Monitoring, measurement, analysis and evaluation"
    INTERNAL_AUDIT = "9.2", "9.2 Internal audit"
    MANAGEMENT_REVIEW = "9.3", "9.3 Management review"
    NONCONFORMITY = "10.1", "10.1 Nonconformity and corrective action"
    CONTINUAL_IMPROVEMENT = "10.2", "10.2 Continual improvement"


CLAUSE_HELP = (
    "The clause of ISO 44001 the finding is about, where one applies: the "
    "requirement that is not met (for a nonconformity) or that the point concerns."
)
