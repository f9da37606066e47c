"""An organisation's internal audit programme and the records of its audits.

Both belong to one organisation and are seen by its members only
(`relationships.access.assurance`). An audit can look at one relationship the
organisation takes part in, or at a clause or lifecycle stage of its system.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from assurance.clauses import Iso44001Clause
from principles.models import LifecycleStage
from relationships.concurrency import Revisioned
from relationships.models import Organisation, Relationship


class PlannedAuditStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class AuditScope(models.Model):
    """What an audit looks at: a relationship, a clause and/or a stage, in words."""

    scope = models.TextField(
        help_text="What the audit covers, in a sentence or two: processes, sites, "
        "people, the period looked at."
    )
    scope_relationship = models.ForeignKey(
        Relationship,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="relationship audited",
    )
    scope_clause = models.CharField(
        "ISO 44001 clause audited",
        max_length=5,
        choices=Iso44001Clause.choices,
        blank=True,
    )
    scope_stage = models.ForeignKey(
        LifecycleStage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="lifecycle stage audited",
    )

    class Meta:
        abstract = True


class PlannedAudit(Revisioned, AuditScope):
    """An entry of an organisation's internal audit programme: what will be
    audited, when, and by whom."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="planned_audits"
    )
    title = models.CharField(max_length=200)
    planned_for = models.DateField(
        help_text="When the audit is to take place (the month is what counts)."
    )
    lead_auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="A member of the organisation, independent of what is audited.",
    )
    status = models.CharField(
        max_length=10,
        choices=PlannedAuditStatus.choices,
        default=PlannedAuditStatus.PLANNED,
    )
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
        ordering = ["planned_for", "id"]
        indexes = [models.Index(fields=["organisation", "planned_for"])]

    def __str__(self) -> str:
        return self.title


class InternalAudit(Revisioned, AuditScope):
    """The record of an internal audit performed: scope, criteria, auditors, date,
    and what it concluded; the findings it raised point back to it."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="internal_audits"
    )
    planned_audit = models.OneToOneField(
        PlannedAudit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit",
        help_text="The programme entry this audit carries out, if any.",
    )
    title = models.CharField(max_length=200)
    criteria = models.TextField(
        help_text="What the audit checked against: the clauses of ISO 44001, the "
        "organisation's own procedures, the joint plan."
    )
    lead_auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
    )
    audit_team = models.CharField(
        "other auditors",
        max_length=300,
        blank=True,
        help_text="Names of the other people who audited, if any.",
    )
    performed_on = models.DateField("date performed")
    summary = models.TextField(help_text="What was looked at and what was seen.")
    conclusion = models.TextField(
        help_text="The audit's overall conclusion on how well the system works."
    )
    recorded_by = models.ForeignKey(
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
        ordering = ["-performed_on", "-id"]
        indexes = [models.Index(fields=["organisation", "performed_on"])]

    def __str__(self) -> str:
        return self.title
