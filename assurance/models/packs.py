"""The audit pack: what a certification auditor reads of one relationship or of
one organisation's management system, as one tagged, archival PDF and an XLSX
of the registers, made by a worker like the reports and never changed after."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from assessments.choices import ReportStatus
from relationships.models import Organisation, Relationship

# A pack goes through the same states as a report, claimed and finished by the
# same machinery (assessments.render_jobs).
AuditPackStatus = ReportStatus


class AuditPack(models.Model):
    """One audit pack of a relationship or of an organisation's management
    system: a PDF and an XLSX, each with its SHA-256; immutable once done (a new
    request makes a new pack, the old ones stay downloadable)."""

    relationship = models.ForeignKey(
        Relationship,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audit_packs",
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audit_packs",
        help_text="Set for a pack of the organisation's own management system.",
    )
    sequence = models.PositiveIntegerField(
        help_text="1 for the scope's first pack, then 2, 3, …"
    )
    number = models.CharField(
        "pack number", max_length=120, help_text="Fixed when the pack is requested."
    )
    status = models.CharField(
        max_length=10,
        choices=AuditPackStatus.choices,
        default=AuditPackStatus.QUEUED,
    )
    pdf_file = models.FileField("PDF", upload_to="audit-packs/%Y/%m/", blank=True)
    pdf_sha256 = models.CharField("PDF SHA-256", max_length=64, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    size_bytes = models.PositiveIntegerField(null=True, blank=True)
    xlsx_file = models.FileField("XLSX", upload_to="audit-packs/%Y/%m/", blank=True)
    xlsx_sha256 = models.CharField("XLSX SHA-256", max_length=64, blank=True)
    xlsx_size_bytes = models.PositiveIntegerField(null=True, blank=True)
    data_fingerprint = models.CharField(
        max_length=64,
        blank=True,
        help_text="Digest of the records the pack was made from.",
    )
    render_seconds = models.FloatField(null=True, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # Why a pack failed, in words for its readers; the exception is for
    # operators only (the log and the admin site), as for reports.
    error = models.TextField(blank=True)
    error_detail = models.TextField(
        blank=True, help_text="For operators: the error behind a failure."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(relationship__isnull=False, organisation__isnull=True)
                | Q(relationship__isnull=True, organisation__isnull=False),
                name="audit_pack_of_relationship_or_organisation",
                violation_error_message=(
                    "An audit pack is of a relationship or of an organisation's "
                    "management system, not both or neither."
                ),
            ),
            models.UniqueConstraint(
                fields=["relationship", "sequence"],
                condition=Q(relationship__isnull=False),
                name="audit_pack_unique_sequence_per_relationship",
            ),
            models.UniqueConstraint(
                fields=["organisation", "sequence"],
                condition=Q(organisation__isnull=False),
                name="audit_pack_unique_sequence_per_organisation",
            ),
            models.CheckConstraint(
                condition=~Q(status=AuditPackStatus.DONE)
                | (
                    Q(generated_at__isnull=False)
                    & ~Q(pdf_sha256="")
                    & ~Q(pdf_file="")
                    & ~Q(xlsx_sha256="")
                    & ~Q(xlsx_file="")
                ),
                name="audit_pack_done_has_files_and_hashes",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return self.url_of("detail")

    @property
    def scope_label(self) -> str:
        if self.relationship_id is not None:
            return self.relationship.title
        return f"{self.organisation.name}: own management system"

    @property
    def distribution_marking(self) -> str:
        """Who the pack is for: its scope's readers. Printed on every page."""
        if self.relationship_id is not None:
            return (
                f"Restricted: the partners of {self.relationship.title}, their "
                "auditors and the external auditors they grant access"
            )
        return (
            f"Restricted: {self.organisation.name} and the external auditors it "
            "grants access to its management system"
        )

    @property
    def is_done(self) -> bool:
        return self.status == AuditPackStatus.DONE

    @property
    def url_kwargs(self) -> dict[str, object]:
        if self.relationship_id is not None:
            return {"reference": self.relationship.reference, "pk": self.pk}
        return {"slug": self.organisation.slug, "pk": self.pk}

    @property
    def url_prefix(self) -> str:
        return "relationship" if self.relationship_id is not None else "organisation"

    @property
    def download_url(self) -> str:
        return self.url_of("download")

    @property
    def workbook_url(self) -> str:
        return self.url_of("workbook")

    def url_of(self, page: str) -> str:
        """The URL of one of the pack's pages (detail, status, download, …)."""
        return reverse(
            f"assurance:{self.url_prefix}_audit_pack_{page}", kwargs=self.url_kwargs
        )
