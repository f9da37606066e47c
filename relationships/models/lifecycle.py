from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from principles.choices import PrincipleKey
from principles.models import LifecycleStage, StageArtefact
from relationships.choices import EvidenceStatus
from relationships.concurrency import Revisioned
from relationships.models.registers import Objective, Risk
from relationships.models.relationships import Relationship, RelationshipDocument


class StageTransition(models.Model):
    """A recorded move of a relationship from one lifecycle stage to another."""

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="stage_transitions"
    )
    from_stage = models.ForeignKey(
        LifecycleStage, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(
        LifecycleStage, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    moved_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["relationship", "-moved_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""), name="stage_transition_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"


class ArtefactEvidence(Revisioned):
    """How a relationship meets an artefact its lifecycle expects, or why it skips."""

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="artefact_evidence"
    )
    artefact = models.ForeignKey(
        StageArtefact, on_delete=models.PROTECT, related_name="evidence"
    )
    status = models.CharField(max_length=12, choices=EvidenceStatus.choices)
    plan_section_key = models.CharField(
        "plan section", max_length=40, choices=PrincipleKey.choices, blank=True
    )
    objective = models.ForeignKey(
        Objective, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    risk = models.ForeignKey(
        Risk, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    document = models.ForeignKey(
        RelationshipDocument,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    document_revision = models.ForeignKey(
        "relationships.DocumentRevision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The revision of the document current when it was linked.",
    )
    note = models.TextField(
        blank=True, help_text="What the evidence shows, or why the partners skip it."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["relationship", "artefact__stage__number", "artefact__order"]
        verbose_name_plural = "artefact evidence"
        constraints = [
            models.UniqueConstraint(
                fields=["relationship", "artefact"],
                name="artefact_evidence_one_per_relationship",
            ),
            models.CheckConstraint(
                condition=~Q(status=EvidenceStatus.SKIPPED) | ~Q(note=""),
                name="artefact_evidence_skip_has_reason",
                violation_error_message="Say why the partners agree to skip this item.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.artefact} ({self.get_status_display()})"

    def clean(self) -> None:
        has_link = bool(
            self.plan_section_key
            or self.objective_id
            or self.risk_id
            or self.document_id
        )
        if self.status == EvidenceStatus.EVIDENCED and not has_link:
            raise ValidationError(
                "Link a plan section, objective, risk or document as evidence."
            )
        if self.document_revision_id and (
            self.document_revision.document_id != self.document_id
        ):
            raise ValidationError(
                {"document_revision": "This revision is of another document."}
            )
