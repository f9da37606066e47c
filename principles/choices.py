from django.db import models


class PrincipleKey(models.TextChoices):
    """The canonical key of each of the 12 principles, in canonical order."""

    RELATIONSHIP_MANAGEMENT = "relationship_management", "Relationship management"
    VISIONS_VALUES = "visions_values", "Visions and values"
    BUSINESS_OBJECTIVES = "business_objectives", "Business objectives"
    COLLABORATIVE_LEADERSHIP = "collaborative_leadership", "Collaborative leadership"
    GOVERNANCE_PROCESSES = "governance_processes", "Governance and processes"
    COMPETENCE_BEHAVIOUR = (
        "competence_behaviour",
        "Collaborative competence and behaviour",
    )
    TRUST_MUTUAL_BENEFIT = (
        "trust_mutual_benefit",
        "Trust and commitment to mutual benefit",
    )
    VALUE_CREATION = "value_creation", "Value creation"
    KNOWLEDGE_SHARING = "knowledge_sharing", "Information and knowledge sharing"
    RISK_MANAGEMENT = "risk_management", "Risk management"
    MEASUREMENT_OPTIMIZATION = (
        "measurement_optimization",
        "Relationship measurement and optimization",
    )
    EXIT_STRATEGY = "exit_strategy", "Exit strategy"


class PrincipleSetKey(models.TextChoices):
    GENERAL = "general", "General (ISO/TR 44000, ISO 44001)"
    LARGE_MSME = "large_msme", "Large organisations with MSMEs (ISO/TR 44004)"
    MSME = "msme", "MSMEs (ISO 44003)"
    UBC = "ubc", "University-business collaboration (ISO/TS 44006)"


class Phase(models.TextChoices):
    STRATEGIC = "strategic", "Strategic"
    ENGAGEMENT = "engagement", "Engagement"
    MANAGEMENT = "management", "Management"
