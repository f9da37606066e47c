"""Assurance app models, one module per area; import them from here."""

from assurance.models.audits import InternalAudit, PlannedAudit
from assurance.models.findings import (
    CorrectiveAction,
    CorrectiveActionNotice,
    Finding,
)
from assurance.models.organisation_records import (
    ORGANISATION_STAGE_KEYS,
    STAGE_SPECIFIC_FIELDS,
    OrganisationStageRecord,
    StageRecordStatus,
)
from assurance.models.packs import AuditPack, AuditPackStatus
from assurance.models.reviews import (
    OPEN_REVIEW_ACTION_STATUSES,
    ManagementReview,
    ManagementReviewAction,
    ReviewActionStatus,
)

__all__ = [
    "OPEN_REVIEW_ACTION_STATUSES",
    "ORGANISATION_STAGE_KEYS",
    "STAGE_SPECIFIC_FIELDS",
    "AuditPack",
    "AuditPackStatus",
    "CorrectiveAction",
    "CorrectiveActionNotice",
    "Finding",
    "InternalAudit",
    "ManagementReview",
    "ManagementReviewAction",
    "OrganisationStageRecord",
    "PlannedAudit",
    "ReviewActionStatus",
    "StageRecordStatus",
]
