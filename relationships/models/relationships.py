import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from principles.models import LifecycleStage
from relationships.choices import (
    PRINCIPLE_SET_FOR_KIND,
    PartnerRole,
    RelationshipKind,
    RelationshipStatus,
)
from relationships.concurrency import Revisioned
from relationships.models.organisations import Membership, Organisation
from relationships.models.privacy import PartnerPrivateRecord, private_needs_owner


class Relationship(Revisioned):
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
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["title"]
        indexes = [
            # The register lists sort by relationship title: walking this index
            # lets a page stop after its rows instead of sorting every one.
            models.Index(fields=["title", "id"], name="relationships_title_idx"),
        ]
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


def seat_holder_is_member(*, user_id: int, organisation_id: int) -> bool:
    """Whether a person may hold a seat for an organisation (relationship manager,
    joint management team member): only while an active member of it."""
    return Membership.objects.filter(
        user_id=user_id, organisation_id=organisation_id, deactivated_at__isnull=True
    ).exists()


class Partnership(Revisioned):
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
    senior_executive = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="executive_partnerships",
        verbose_name="senior executive responsible",
    )
    exited_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the partner left; its records stay, read-only.",
    )
    exit_reason = models.TextField(blank=True)
    history = HistoricalRecords()

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

    @property
    def has_exited(self) -> bool:
        return self.exited_at is not None

    def clean(self) -> None:
        errors = {}
        for field_name, message in (
            ("relationship_manager", "The manager must belong to this organisation."),
            (
                "senior_executive",
                "The senior executive must belong to this organisation.",
            ),
        ):
            user_id = getattr(self, f"{field_name}_id")
            if (
                user_id
                and self.organisation_id
                and not seat_holder_is_member(
                    user_id=user_id, organisation_id=self.organisation_id
                )
            ):
                errors[field_name] = message
        if self.exited_at and self.role == PartnerRole.LEAD:
            errors["role"] = "The lead cannot leave its own relationship."
        if errors:
            raise ValidationError(errors)


class JointManagementTeamMember(Revisioned):
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
        "plan representative",
        default=False,
        help_text="Signs the joint plan for the partner: a senior leader with "
        "authority to commit it.",
    )
    history = HistoricalRecords()

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

    def clean(self) -> None:
        # A seat speaks for a partner (a leader signs the plan for it), so only
        # that partner's own people may hold one: checked on every validated save,
        # the admin's forms and inlines included.
        if not self.partnership_id:
            return
        partnership = self.partnership
        if self.relationship_id and partnership.relationship_id != self.relationship_id:
            raise ValidationError(
                {
                    "partnership": (
                        f"{partnership.organisation} takes part in "
                        f"{partnership.relationship}, not in this relationship."
                    )
                }
            )
        if self.user_id and not seat_holder_is_member(
            user_id=self.user_id, organisation_id=partnership.organisation_id
        ):
            raise ValidationError(
                {
                    "user": (
                        f"{self.user} is not a member of {partnership.organisation}: "
                        "a seat for a partner is held only by one of its own people."
                    )
                }
            )


class RelationshipDocument(Revisioned, PartnerPrivateRecord):
    """A file uploaded to a relationship as evidence (minutes, charter, contract)."""

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="documents"
    )
    owner_partnership = models.ForeignKey(
        Partnership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name="partner",
        help_text="The partner whose own document this is; empty for a joint one.",
    )
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to="documents/%Y/%m/")
    content_type = models.CharField(
        max_length=100,
        blank=True,
        help_text=(
            "The media type its content was checked to be at upload; empty for "
            "files stored before uploads were checked (served as "
            "application/octet-stream)."
        ),
    )
    description = models.TextField(blank=True)
    review_due_on = models.DateField(
        "review date",
        null=True,
        blank=True,
        help_text="When the document should next be checked to be still right.",
    )
    expires_on = models.DateField(
        "expiry date",
        null=True,
        blank=True,
        help_text="When it stops being valid (a certificate, an insurance policy).",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    owner_partnership_field = "owner_partnership"

    class Meta:
        ordering = ["relationship", "-uploaded_at"]
        constraints = [
            private_needs_owner("owner_partnership", "document_private_has_owner")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "relationships:document_detail",
            kwargs={"reference": self.relationship.reference, "pk": self.pk},
        )

    def review_is_due(self, today: datetime.date) -> bool:
        return self.review_due_on is not None and self.review_due_on <= today

    def has_expired(self, today: datetime.date) -> bool:
        return self.expires_on is not None and self.expires_on < today
