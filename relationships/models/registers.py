from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from principles.choices import PrincipleKey
from relationships.choices import (
    ActionSource,
    ActionStatus,
    Horizon,
    ObjectiveStatus,
    RiskStatus,
)
from relationships.concurrency import Revisioned
from relationships.models.privacy import PartnerPrivateRecord, private_needs_owner
from relationships.models.relationships import Partnership, Relationship

OPEN_RISK_STATUSES = (RiskStatus.OPEN, RiskStatus.MITIGATING)
OPEN_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class Objective(Revisioned, PartnerPrivateRecord):
    """A partner's own or a common objective of the relationship, with its KPI."""

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="objectives"
    )
    owner = models.ForeignKey(
        Partnership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="objectives",
        help_text="The partner whose objective this is; empty for a common objective.",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    horizon = models.CharField(max_length=10, choices=Horizon.choices)
    milestone_date = models.DateField(null=True, blank=True)
    kpi_name = models.CharField("KPI", max_length=120, blank=True)
    kpi_unit = models.CharField("KPI unit", max_length=30, blank=True)
    kpi_target = models.DecimalField(
        "KPI target", max_digits=14, decimal_places=2, null=True, blank=True
    )
    kpi_actual = models.DecimalField(
        "KPI actual", max_digits=14, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        max_length=20,
        choices=ObjectiveStatus.choices,
        default=ObjectiveStatus.NOT_STARTED,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    owner_partnership_field = "owner"

    class Meta:
        ordering = ["relationship", "milestone_date", "title"]
        constraints = [private_needs_owner("owner", "objective_private_has_owner")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_common(self) -> bool:
        return self.owner_id is None

    @property
    def progress_percent(self) -> int | None:
        """Actual as a share of target (0-100), when both are known."""
        if self.kpi_target in (None, Decimal(0)) or self.kpi_actual is None:
            return None
        share = self.kpi_actual / self.kpi_target * 100
        return max(0, min(100, int(share)))


class Risk(Revisioned, PartnerPrivateRecord):
    """An entry of the risk register: a joint risk or one partner's own."""

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="risks"
    )
    owner_partnership = models.ForeignKey(
        Partnership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="risks",
        verbose_name="partner",
        help_text="The partner this risk belongs to; empty for a joint risk.",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    likelihood = models.PositiveSmallIntegerField(
        help_text="1 (rare) to 5 (almost certain)."
    )
    impact = models.PositiveSmallIntegerField(help_text="1 (minor) to 5 (severe).")
    mitigation = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_risks",
    )
    review_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=RiskStatus.choices, default=RiskStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    owner_partnership_field = "owner_partnership"

    class Meta:
        ordering = ["relationship", "-likelihood", "-impact", "title"]
        indexes = [
            # The risks list's order, highest score first: a page reads its rows
            # off this index instead of sorting every risk the user sees.
            models.Index(
                (F("likelihood") * F("impact")).desc(), F("id"), name="risks_score_idx"
            ),
        ]
        constraints = [
            private_needs_owner("owner_partnership", "risk_private_has_owner"),
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5),
                name="risk_likelihood_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(impact__gte=1, impact__lte=5), name="risk_impact_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_joint(self) -> bool:
        return self.owner_partnership_id is None

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def review_overdue(self) -> bool:
        return (
            self.status in OPEN_RISK_STATUSES
            and self.review_date is not None
            and self.review_date < timezone.localdate()
        )


class Action(Revisioned, PartnerPrivateRecord):
    """An improvement or follow-up action, from an assessment, a meeting or a review."""

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="actions"
    )
    owner_partnership = models.ForeignKey(
        Partnership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name="partner",
        help_text="The partner whose own action this is; empty for a joint action.",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    source = models.CharField(
        max_length=20, choices=ActionSource.choices, default=ActionSource.MEETING
    )
    principle_key = models.CharField(
        "principle", max_length=40, choices=PrincipleKey.choices, blank=True
    )
    risk = models.ForeignKey(
        Risk, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_actions",
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    owner_partnership_field = "owner_partnership"

    class Meta:
        ordering = ["relationship", "due_date", "title"]
        indexes = [
            # The actions list's order, earliest due first (see risks_score_idx).
            models.Index(fields=["due_date", "id"], name="actions_due_idx"),
        ]
        constraints = [
            private_needs_owner("owner_partnership", "action_private_has_owner")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in OPEN_ACTION_STATUSES
            and self.due_date is not None
            and self.due_date < timezone.localdate()
        )
