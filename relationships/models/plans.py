from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from principles.choices import PrincipleKey
from relationships.choices import (
    PlanDecisionKind,
    PlanDepth,
    PlanVersionStatus,
)
from relationships.concurrency import Revisioned
from relationships.models.relationships import Partnership, Relationship


class Plan(models.Model):
    """The joint Relationship Management Plan of one relationship."""

    relationship = models.OneToOneField(
        Relationship, on_delete=models.CASCADE, related_name="plan"
    )
    depth = models.CharField(
        max_length=12,
        choices=PlanDepth.choices,
        default=PlanDepth.FULL,
        help_text=(
            "Essentials asks only for what a small partner needs; the full depth "
            "stays available but is not required."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "relationship management plan"

    def __str__(self) -> str:
        return f"RMP of {self.relationship}"


class PlanVersion(models.Model):
    """A numbered version of a joint plan; approved versions are frozen."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=20,
        choices=PlanVersionStatus.choices,
        default=PlanVersionStatus.DRAFT,
    )
    summary = models.CharField(
        "change summary",
        max_length=300,
        blank=True,
        help_text="What this version changes.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who last submitted it for sign-off: told if a partner rejects it.",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    submission_round = models.PositiveIntegerField(
        default=0, help_text="Counts submissions; sign-offs belong to one round."
    )
    approved_depth = models.CharField(
        max_length=12,
        choices=PlanDepth.choices,
        blank=True,
        help_text=(
            "The plan's depth when this version was approved: part of what was "
            "signed, kept with the version once the plan's depth changes."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"], name="plan_version_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="plan_version_number_positive"
            ),
            models.CheckConstraint(
                condition=~Q(status=PlanVersionStatus.APPROVED)
                | Q(approved_at__isnull=False),
                name="plan_version_approved_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Version {self.number} ({self.get_status_display()})"

    @property
    def is_frozen(self) -> bool:
        return self.status in (PlanVersionStatus.APPROVED, PlanVersionStatus.SUPERSEDED)


class PlanSection(Revisioned):
    """One principle's section of a plan version (its fields are kept as JSON)."""

    plan_version = models.ForeignKey(
        PlanVersion, on_delete=models.CASCADE, related_name="sections"
    )
    principle_key = models.CharField(max_length=40, choices=PrincipleKey.choices)
    content = models.JSONField(default=dict, blank=True)
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
        ordering = ["plan_version", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan_version", "principle_key"],
                name="plan_section_unique_principle_per_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_principle_key_display()} ({self.plan_version})"


class PlanDecision(models.Model):
    """A partner representative's sign-off or rejection of a submitted plan version."""

    plan_version = models.ForeignKey(
        PlanVersion, on_delete=models.CASCADE, related_name="decisions"
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="plan_decisions"
    )
    submission_round = models.PositiveIntegerField()
    decision = models.CharField(max_length=10, choices=PlanDecisionKind.choices)
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)
    content_sha256 = models.CharField(
        "content fingerprint",
        max_length=64,
        help_text=(
            "SHA-256 of exactly the content decided on (version number, plan depth, "
            "every section); the decision counts only while the content still has it."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan_version", "submission_round", "decided_at"]
        constraints = [
            # Per content as well as per round: when the content changes after a
            # sign-off, that sign-off stops counting and the partner signs again in
            # the same round; the stale decision stays on record.
            models.UniqueConstraint(
                fields=[
                    "plan_version",
                    "partnership",
                    "submission_round",
                    "content_sha256",
                ],
                name="plan_decision_one_per_partner_round_and_content",
                violation_error_message=(
                    "This partner has already decided on this content in this round."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(decision=PlanDecisionKind.REJECT) | ~Q(reason=""),
                name="plan_decision_rejection_has_reason",
                violation_error_message="A rejection needs a reason.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {self.partnership.organisation}"
