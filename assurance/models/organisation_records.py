"""An organisation's own lifecycle records: the stages of ISO 44001's lifecycle
that each partner works through alone, before and beside any one relationship
(its policy and senior executive, what it knows, its own readiness)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from principles.models import LifecycleStage
from relationships.concurrency import Revisioned
from relationships.models import Organisation

# The lifecycle stages (principles/data/catalogue.toml) that belong to each
# organisation alone: the strategic phase. The later stages are a relationship's
# and are recorded on its Lifecycle page.
ORGANISATION_STAGE_KEYS = ("operational_awareness", "knowledge", "internal_assessment")

# The fields each of those stages adds to the common ones (status, date, notes,
# evidence).
STAGE_SPECIFIC_FIELDS: dict[str, tuple[str, ...]] = {
    "operational_awareness": ("policy_statement", "senior_executive"),
    "knowledge": (),
    "internal_assessment": ("readiness_assessment",),
}


class StageRecordStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    IN_PLACE = "in_place", "In place"
    NEEDS_REVIEW = "needs_review", "Needs review"


class OrganisationStageRecord(Revisioned):
    """Where an organisation stands on one of its own lifecycle stages, and its
    evidence: private to the organisation."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="stage_records"
    )
    stage = models.ForeignKey(
        LifecycleStage, on_delete=models.PROTECT, related_name="organisation_records"
    )
    status = models.CharField(
        max_length=20,
        choices=StageRecordStatus.choices,
        default=StageRecordStatus.NOT_STARTED,
    )
    recorded_on = models.DateField(
        "date",
        null=True,
        blank=True,
        help_text="When this was put in place or last reviewed.",
    )
    policy_statement = models.TextField(
        blank=True,
        help_text="The organisation's commitment to collaborative working, and how "
        "it expects its relationships to be run.",
    )
    senior_executive = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="senior executive responsible",
        help_text="A member of the organisation accountable for its collaborative "
        "relationships.",
    )
    readiness_assessment = models.TextField(
        "internal assessment of readiness",
        blank=True,
        help_text="How ready the organisation is to collaborate: capability, "
        "culture, internal risks, who will lead, the gaps found and what is being "
        "done about them.",
    )
    notes = models.TextField(blank=True)
    evidence = models.TextField(
        blank=True,
        help_text="Where the evidence is kept: documents, minutes, approvals.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation", "stage__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "stage"],
                name="organisation_stage_record_unique",
                violation_error_message="This organisation already has a record "
                "for this stage.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.stage.name}"

    def get_absolute_url(self) -> str:
        return reverse(
            "assurance:organisation_records", kwargs={"slug": self.organisation.slug}
        )
