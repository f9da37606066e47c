"""Management reviews: an organisation's (or a relationship's joint management
team's) periodic look at how its collaborative management system performs, with
the inputs gathered from the app at the time and the outputs decided."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from relationships.concurrency import Revisioned
from relationships.models import DocumentRevision, Organisation, Relationship


class ReviewActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


OPEN_REVIEW_ACTION_STATUSES = (ReviewActionStatus.OPEN, ReviewActionStatus.IN_PROGRESS)


class ManagementReview(Revisioned):
    """One management review held: who, when, the inputs considered (written and
    gathered) and the outputs decided."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="management_reviews",
        help_text="The organisation whose review this is; empty for a joint review.",
    )
    relationship = models.ForeignKey(
        Relationship,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="management_reviews",
        help_text="The relationship the review covers; empty for a review of the "
        "organisation's whole management system.",
    )
    is_joint = models.BooleanField(
        "held jointly",
        default=False,
        help_text="Held by the relationship's joint management team: every partner "
        "sees it. Otherwise only the organisation's own people do.",
    )
    held_on = models.DateField("date held")
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+"
    )
    other_attendees = models.TextField(
        blank=True, help_text="People without an account here, one per line."
    )
    # Inputs: what the people wrote about each input the standard asks for.
    previous_actions_input = models.TextField(
        "status of actions from previous reviews", blank=True
    )
    context_changes_input = models.TextField(
        "changes in external and internal context", blank=True
    )
    performance_input = models.TextField(
        "performance and assessment results", blank=True
    )
    nonconformities_input = models.TextField(
        "nonconformities and corrective actions", blank=True
    )
    audit_results_input = models.TextField("results of audits", blank=True)
    opportunities_input = models.TextField("opportunities for improvement", blank=True)
    # The data gathered from the app when the review was recorded, as it stood
    # then (assurance.selectors.reviews.management_review_inputs): a record of
    # what the review saw, which later changes of that data leave alone.
    inputs_snapshot = models.JSONField(default=list, blank=True)
    inputs_gathered_at = models.DateTimeField(null=True, blank=True)
    # The documents the review looked at, each at the revision it saw: a later
    # revision of the document leaves the link where it was.
    evidence_revisions = models.ManyToManyField(
        DocumentRevision,
        blank=True,
        related_name="management_reviews",
        verbose_name="evidence documents",
        help_text="Revisions of the relationship's documents the review considered.",
    )
    # Outputs.
    decisions = models.TextField(blank=True)
    resource_needs = models.TextField(blank=True)
    plan_changes = models.TextField(
        "changes needed to the relationship management plan", blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[attendees, evidence_revisions])

    class Meta:
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(relationship__isnull=False),
                name="management_review_has_subject",
                violation_error_message="A review is of an organisation, a "
                "relationship, or both.",
            ),
            models.CheckConstraint(
                condition=Q(is_joint=False) | Q(relationship__isnull=False),
                name="management_review_joint_has_relationship",
                violation_error_message="Only a review of a relationship can be "
                "held jointly.",
            ),
            models.CheckConstraint(
                condition=Q(is_joint=True) | Q(organisation__isnull=False),
                name="management_review_own_has_organisation",
                violation_error_message="A review that is not joint belongs to an "
                "organisation.",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "held_on"])]

    def __str__(self) -> str:
        return f"Management review of {self.subject} on {self.held_on:%d %b %Y}"

    @property
    def subject(self) -> str:
        if self.is_joint:
            return f"{self.relationship} (joint)"
        if self.relationship_id is not None:
            return f"{self.relationship}, for {self.organisation}"
        return str(self.organisation)

    def get_absolute_url(self) -> str:
        return reverse("assurance:review_detail", kwargs={"pk": self.pk})


class ManagementReviewAction(Revisioned):
    """An action a management review decided on, followed up until the next one."""

    review = models.ForeignKey(
        ManagementReview, on_delete=models.CASCADE, related_name="actions"
    )
    description = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=20,
        choices=ReviewActionStatus.choices,
        default=ReviewActionStatus.OPEN,
    )
    status_note = models.TextField(blank=True)
    completed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["review", "due_date", "pk"]

    def __str__(self) -> str:
        first_line = self.description.splitlines()[0] if self.description else ""
        return first_line[:80]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REVIEW_ACTION_STATUSES
