from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from principles.choices import PrincipleKey
from principles.models import LifecycleStage
from relationships.choices import (
    PRINCIPLE_SET_FOR_KIND,
    ActionSource,
    ActionStatus,
    Horizon,
    MembershipRole,
    MsmeSize,
    ObjectiveStatus,
    OrganisationKind,
    PartnerRole,
    PlanVersionStatus,
    RelationshipKind,
    RelationshipStatus,
    RiskStatus,
)

OPEN_RISK_STATUSES = (RiskStatus.OPEN, RiskStatus.MITIGATING)
OPEN_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class Organisation(models.Model):
    """A company, university or public body that takes part in relationships."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    msme_size = models.CharField(
        "MSME size",
        max_length=10,
        choices=MsmeSize.choices,
        blank=True,
        help_text="Self-declared; only for MSMEs.",
    )
    country = models.CharField(max_length=80, blank=True)
    website = models.URLField(blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organisations"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=OrganisationKind.MSME) & ~Q(msme_size=""))
                | (~Q(kind=OrganisationKind.MSME) & Q(msme_size="")),
                name="organisation_msme_size_only_for_msme",
                violation_error_message="An MSME needs a size class; other kinds none.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_msme(self) -> bool:
        return self.kind == OrganisationKind.MSME


class Membership(models.Model):
    """A user's role in an organisation; it is what grants access to relationships."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=30, choices=MembershipRole.choices)

    class Meta:
        ordering = ["organisation", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                name="membership_unique_role_per_user_and_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} at {self.organisation}"


class Relationship(models.Model):
    """A collaboration between two or more organisations, with its joint plan."""

    title = models.CharField(max_length=200)
    reference = models.SlugField(
        max_length=40,
        unique=True,
        help_text="Short unique reference, e.g. ubc-2026-01.",
    )
    kind = models.CharField(
        max_length=30,
        choices=RelationshipKind.choices,
        help_text="Selects the principle set used for guidance and assessment.",
    )
    description = models.TextField(blank=True)
    stage = models.ForeignKey(
        LifecycleStage,
        on_delete=models.PROTECT,
        related_name="relationships",
        verbose_name="lifecycle stage",
    )
    status = models.CharField(
        max_length=20,
        choices=RelationshipStatus.choices,
        default=RelationshipStatus.ACTIVE,
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    organisations = models.ManyToManyField(
        Organisation, through="Partnership", related_name="relationships"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="relationship_end_after_start",
                violation_error_message="The end date cannot be before the start date.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("relationships:detail", kwargs={"reference": self.reference})

    @property
    def principle_set_key(self) -> str:
        return PRINCIPLE_SET_FOR_KIND[self.kind]


class Partnership(models.Model):
    """An organisation's place in a relationship, with its relationship manager."""

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="partnerships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="partnerships"
    )
    role = models.CharField(
        max_length=10, choices=PartnerRole.choices, default=PartnerRole.PARTNER
    )
    relationship_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_partnerships",
    )
    senior_executive = models.CharField(
        "senior executive responsible", max_length=200, blank=True
    )

    class Meta:
        ordering = ["relationship", "role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["relationship", "organisation"],
                name="partnership_unique_organisation_per_relationship",
            ),
            models.UniqueConstraint(
                fields=["relationship"],
                condition=Q(role=PartnerRole.LEAD),
                name="partnership_one_lead_per_relationship",
                violation_error_message="A relationship has only one lead partner.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.relationship}"

    def clean(self) -> None:
        if (
            self.relationship_manager_id
            and self.organisation_id
            and not Membership.objects.filter(
                user_id=self.relationship_manager_id,
                organisation_id=self.organisation_id,
            ).exists()
        ):
            raise ValidationError(
                {
                    "relationship_manager": (
                        "The manager must belong to this organisation."
                    )
                }
            )


class JointManagementTeamMember(models.Model):
    """A named person on a relationship's joint management team."""

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="jmt_members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jmt_seats"
    )
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="jmt_members",
        help_text="The partner this person represents.",
    )
    role_title = models.CharField(max_length=120, blank=True)
    is_leadership = models.BooleanField(
        default=False, help_text="Senior leader with authority to commit the partner."
    )

    class Meta:
        ordering = ["relationship", "-is_leadership", "user__last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["relationship", "user"],
                name="jmt_member_unique_per_relationship",
            ),
        ]
        verbose_name = "joint management team member"

    def __str__(self) -> str:
        return f"{self.user} ({self.role_title or 'member'})"


class Plan(models.Model):
    """The joint Relationship Management Plan of one relationship."""

    relationship = models.OneToOneField(
        Relationship, on_delete=models.CASCADE, related_name="plan"
    )
    created_at = models.DateTimeField(auto_now_add=True)

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
    approved_at = models.DateTimeField(null=True, blank=True)

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


class PlanSection(models.Model):
    """One principle's section of a plan version (its fields are kept as JSON)."""

    plan_version = models.ForeignKey(
        PlanVersion, on_delete=models.CASCADE, related_name="sections"
    )
    principle_key = models.CharField(max_length=40, choices=PrincipleKey.choices)
    content = models.JSONField(default=dict, blank=True)
    revision = models.PositiveIntegerField(
        default=1, help_text="Bumped on every save, to refuse concurrent overwrites."
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

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


class Objective(models.Model):
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

    class Meta:
        ordering = ["relationship", "milestone_date", "title"]

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


class Risk(models.Model):
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

    class Meta:
        ordering = ["relationship", "-likelihood", "-impact", "title"]
        constraints = [
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


class Action(models.Model):
    """An improvement or follow-up action, from an assessment, a meeting or a review."""

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="actions"
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

    class Meta:
        ordering = ["relationship", "due_date", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in OPEN_ACTION_STATUSES
            and self.due_date is not None
            and self.due_date < timezone.localdate()
        )
