"""Assurance app models, one module per area; import them from here."""

from assurance.models.audits import InternalAudit, PlannedAudit
from assurance.models.findings import (
    CorrectiveAction,
    CorrectiveActionNotice,
    Finding,
)

__all__ = [
    "CorrectiveAction",
    "CorrectiveActionNotice",
    "Finding",
    "InternalAudit",
    "PlannedAudit",
]
