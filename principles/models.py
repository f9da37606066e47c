from django.db import models
from django.db.models import Q

from principles.choices import Phase, PrincipleKey, PrincipleSetKey


def rag_for_level(level: int) -> str:
    """Red for maturity levels 1-2, amber for 3, green for 4-5."""
    if level <= 2:
        return "red"
    return "amber" if level == 3 else "green"


class PrincipleSet(models.Model):
    """A published wording of the 12 principles for one audience (e.g. ISO/TS 44006)."""

    key = models.CharField(max_length=32, unique=True, choices=PrincipleSetKey.choices)
    name = models.CharField(max_length=120)
    standard = models.CharField(max_length=120)
    audience = models.TextField(blank=True)
    description = models.TextField(blank=True)
    catalogue_version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Principle(models.Model):
    """One of the 12 principles as a principle set words it, with its guidance."""

    principle_set = models.ForeignKey(
        PrincipleSet, on_delete=models.CASCADE, related_name="principles"
    )
    key = models.CharField(max_length=40, choices=PrincipleKey.choices)
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=120)
    intent = models.TextField("what", help_text="What the principle is about.")
    relevance = models.TextField("why", help_text="Why it matters.")
    implementation = models.TextField("how", help_text="How to put it into practice.")
    prompts = models.JSONField(
        default=list, help_text="Questions an assessor answers for this principle."
    )

    class Meta:
        ordering = ["principle_set", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["principle_set", "key"], name="principle_unique_key_per_set"
            ),
            models.UniqueConstraint(
                fields=["principle_set", "number"],
                name="principle_unique_number_per_set",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=12),
                name="principle_number_1_to_12",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class LifecycleStage(models.Model):
    """One of the 8 stages of the ISO 44001 collaborative lifecycle."""

    number = models.PositiveSmallIntegerField(unique=True)
    key = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    phase = models.CharField(max_length=20, choices=Phase.choices)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=8),
                name="lifecycle_stage_number_1_to_8",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class StageArtefact(models.Model):
    """Evidence a lifecycle stage expects (e.g. a joint risk register)."""

    stage = models.ForeignKey(
        LifecycleStage, on_delete=models.CASCADE, related_name="artefacts"
    )
    key = models.CharField(max_length=60)
    name = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["stage", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "key"], name="stage_artefact_unique_key"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MaturityLevel(models.Model):
    """One of the 5 anchored levels a principle is rated at."""

    level = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=40)
    score = models.PositiveSmallIntegerField(help_text="Percentage, 0 to 100.")
    descriptor = models.TextField()

    class Meta:
        ordering = ["level"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5),
                name="maturity_level_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(score__lte=100), name="maturity_score_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level} – {self.name}"

    @property
    def rag(self) -> str:
        return rag_for_level(self.level)
