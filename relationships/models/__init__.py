"""Relationships app models, one module per area (organisations, relationships,
plans, registers, lifecycle); import them from here."""

from relationships.models.documents import DocumentRevision
from relationships.models.invitations import PartnerInvitation
from relationships.models.lifecycle import ArtefactEvidence, StageTransition
from relationships.models.organisations import Membership, Organisation
from relationships.models.plans import Plan, PlanDecision, PlanSection, PlanVersion
from relationships.models.registers import (
    OPEN_ACTION_STATUSES,
    OPEN_RISK_STATUSES,
    Action,
    Objective,
    Risk,
)
from relationships.models.relationships import (
    JointManagementTeamMember,
    Partnership,
    Relationship,
    RelationshipDocument,
)

__all__ = [
    "OPEN_ACTION_STATUSES",
    "OPEN_RISK_STATUSES",
    "Action",
    "ArtefactEvidence",
    "DocumentRevision",
    "JointManagementTeamMember",
    "Membership",
    "Objective",
    "Organisation",
    "PartnerInvitation",
    "Partnership",
    "Plan",
    "PlanDecision",
    "PlanSection",
    "PlanVersion",
    "Relationship",
    "RelationshipDocument",
    "Risk",
    "StageTransition",
]
