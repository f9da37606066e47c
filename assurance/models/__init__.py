from assurance.models.organisation_records import (  # noqa: F401
    ORGANISATION_STAGE_KEYS,
    STAGE_SPECIFIC_FIELDS,
    OrganisationStageRecord,
    StageRecordStatus,
)
from assurance.models.reviews import (  # noqa: F401
    OPEN_REVIEW_ACTION_STATUSES,
    ManagementReview,
    ManagementReviewAction,
    ReviewActionStatus,
)
