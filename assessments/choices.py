from django.db import models


class AssessmentKind(models.TextChoices):
    SELF = "self", "Self-assessment"
    JOINT = "joint", "Joint assessment"


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    FINAL = "final", "Final"


# Statuses in which a self-assessment is shared with the other partners; a draft
# is its own partner's alone (relationships/access/assessments.py).
VISIBLE_TO_PARTNERS = (AssessmentStatus.SUBMITTED, AssessmentStatus.FINAL)


class ConfirmationDecision(models.TextChoices):
    """A partner's answer to a submitted joint assessment."""

    CONFIRM = "confirm", "Confirmed"
    SEND_BACK = "send_back", "Sent back"


class ConfirmationClearedBecause(models.TextChoices):
    """Why a partner's confirmation no longer counts."""

    CHANGED = "changed", "The ratings changed after it"
    SENT_BACK = "sent_back", "The assessment was sent back"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ReportDistribution(models.TextChoices):
    """Who a report is meant for: printed on every page of it."""

    PARTNERS_AND_AUDITORS = (
        "partners_auditors",
        "The partners and their certification auditors",
    )
    PARTNERS = "partners", "The partners only"
    TEAM = "team", "The joint management team only"


# The marking a report carries, by distribution ({relationship}: its title).
REPORT_DISTRIBUTION_MARKINGS = {
    ReportDistribution.PARTNERS_AND_AUDITORS: (
        "Restricted: partners of {relationship} and their certification auditors"
    ),
    ReportDistribution.PARTNERS: "Restricted: partners of {relationship} only",
    ReportDistribution.TEAM: (
        "Restricted: the joint management team of {relationship} only"
    ),
}


class Cadence(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    HALF_YEARLY = "half_yearly", "Half-yearly"
    YEARLY = "yearly", "Yearly"


# Months in one assessment period of each cadence.
CADENCE_MONTHS = {
    Cadence.MONTHLY: 1,
    Cadence.QUARTERLY: 3,
    Cadence.HALF_YEARLY: 6,
    Cadence.YEARLY: 12,
}


class RatingChange(models.TextChoices):
    """How a rating compares with the assessment it was copied from."""

    UNCHANGED = "unchanged", "Unchanged"
    CHANGED = "changed", "Changed"
    NEW = "new", "New"


class NoticeKind(models.TextChoices):
    """E-mails the schedule sends once (reports: issue 4)."""

    ASSESSMENT_DUE = "due", "Assessment due"
    ASSESSMENT_OVERDUE = "overdue", "Assessment overdue"
    REPORT_READY = "report_ready", "Report ready"
    DOCUMENT_REVIEW = "document_review", "Document review due"
    DOCUMENT_EXPIRY = "document_expiry", "Document expiring"
