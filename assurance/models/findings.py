"""Findings of a management system and the corrective actions that answer them.

A finding is raised against one relationship (every partner sees it) or against
one organisation's own management system (its members only): exactly one of the
two, enforced by the database. Who may see or change it is decided in
`relationships.access.assurance`.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from assurance.clauses import CLAUSE_HELP, Iso44001Clause
from principles.choices import PrincipleKey
from principles.models import LifecycleStage
from relationships.concurrency import Revisioned
from relationships.models import DocumentRevision, Organisation, Relationship


class FindingKind(models.TextChoices):
    MAJOR_NONCONFORMITY = "major_nc", "Major nonconformity"
    MINOR_NONCONFORMITY = "minor_nc", "Minor nonconformity"
    OBSERVATION = "observation", "Observation"
    IMPROVEMENT = "improvement", "Opportunity for improvement"
    GOOD_PRACTICE = "good_practice", "Good practice"


# A nonconformity closes only once a corrective action was verified effective.
NONCONFORMITY_KINDS = frozenset(
    {FindingKind.MAJOR_NONCONFORMITY, FindingKind.MINOR_NONCONFORMITY}
)


class FindingStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class CorrectiveActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    COMPLETED = "completed", "Completed, awaiting verification"
    VERIFIED = "verified", "Verified effective"


class VerificationResult(models.TextChoices):
    EFFECTIVE = "effective", "Effective"
    NOT_EFFECTIVE = "not_effective", "Not effective"


class Finding(Revisioned):
    """A nonconformity, observation, opportunity for improvement or good practice
    found in a relationship or in an organisation's own management system."""

    relationship = models.ForeignKey(
        Relationship,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="findings",
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="findings",
        help_text="Set for a finding about the organisation's own management system.",
    )
    kind = models.CharField(max_length=20, choices=FindingKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(
        help_text="What was found, stated so that someone else can check it."
    )
    clause = models.CharField(
        "ISO 44001 clause",
        max_length=5,
        choices=Iso44001Clause.choices,
        blank=True,
        help_text=CLAUSE_HELP,
    )
    stage = models.ForeignKey(
        LifecycleStage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name="lifecycle stage",
    )
    principle_key = models.CharField(
        "principle", max_length=40, choices=PrincipleKey.choices, blank=True
    )
    evidence = models.TextField(
        blank=True,
        help_text="What the finding rests on: records seen, people asked, samples.",
    )
    evidence_revision = models.ForeignKey(
        DocumentRevision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name="evidence document",
        help_text=(
            "A revision of a document of the same relationship that shows the "
            "evidence: the one cited stays linked when the document moves on."
        ),
    )
    internal_audit = models.ForeignKey(
        "assurance.InternalAudit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
        help_text="The internal audit that raised it, if one did.",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    raised_on = models.DateField(default=timezone.localdate)
    status = models.CharField(
        max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(relationship__isnull=False, organisation__isnull=True)
                | Q(relationship__isnull=True, organisation__isnull=False),
                name="finding_of_relationship_or_organisation",
                violation_error_message=(
                    "A finding is raised against either a relationship or an "
                    "organisation's own management system, not both or neither."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status=FindingStatus.OPEN, closed_at__isnull=True)
                | Q(status=FindingStatus.CLOSED, closed_at__isnull=False),
                name="finding_closed_has_date",
                violation_error_message="A closed finding records when it closed.",
            ),
        ]
        indexes = [
            models.Index(fields=["relationship", "status"]),
            models.Index(fields=["organisation", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_nonconformity(self) -> bool:
        return self.kind in NONCONFORMITY_KINDS

    @property
    def is_open(self) -> bool:
        return self.status == FindingStatus.OPEN


class CorrectiveAction(Revisioned):
    """What is done about a finding: its root cause, the action, its owner and due
    date, and the later check that it worked."""

    finding = models.ForeignKey(
        Finding, on_delete=models.CASCADE, related_name="corrective_actions"
    )
    root_cause = models.TextField(
        help_text="Why it happened, not only what happened: the cause the action "
        "removes."
    )
    action = models.TextField("action to take")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_corrective_actions",
    )
    due_date = models.DateField()
    status = models.CharField(
        max_length=10,
        choices=CorrectiveActionStatus.choices,
        default=CorrectiveActionStatus.OPEN,
    )
    completed_on = models.DateField(null=True, blank=True)
    completion_note = models.TextField(blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_on = models.DateField(null=True, blank=True)
    verification_result = models.CharField(
        max_length=15, choices=VerificationResult.choices, blank=True
    )
    verification_notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=CorrectiveActionStatus.OPEN)
                | Q(completed_on__isnull=False),
                name="corrective_action_completed_has_date",
                violation_error_message="A completed action records when.",
            ),
            models.CheckConstraint(
                condition=~Q(status=CorrectiveActionStatus.VERIFIED)
                | Q(
                    verification_result=VerificationResult.EFFECTIVE,
                    verified_on__isnull=False,
                    verified_on__gte=F("completed_on"),
                ),
                name="corrective_action_verified_after_completion",
                violation_error_message=(
                    "An action is verified effective only after its completion."
                ),
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        first_line = self.action.strip().splitlines()[0] if self.action else ""
        if len(first_line) > 80:
            first_line = first_line[:79].rstrip() + "…"
        return first_line or f"Corrective action {self.pk}"

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == CorrectiveActionStatus.OPEN
            and self.due_date < timezone.localdate()
        )

    @property
    def is_verified_effective(self) -> bool:
        return self.status == CorrectiveActionStatus.VERIFIED


class CorrectiveActionNotice(models.Model):
    """An overdue reminder e-mailed to an action's owner: one per due date, so the
    daily run sends it once (and again only if the due date is moved and missed)."""

    corrective_action = models.ForeignKey(
        CorrectiveAction, on_delete=models.CASCADE, related_name="notices"
    )
    due_date = models.DateField()
    recipient = models.EmailField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["corrective_action", "due_date"],
                name="corrective_action_notice_once_per_due_date",
            )
        ]

    def __str__(self) -> str:
        return f"Overdue notice for {self.corrective_action} to {self.recipient}"
