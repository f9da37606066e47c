from django.db import models


class AssessmentKind(models.TextChoices):
    SELF = "self", "Self-assessment"
    JOINT = "joint", "Joint assessment"


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    FINAL = "final", "Final"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
