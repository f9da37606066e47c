"""The evidence library: a document's revisions, each an immutable file."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from relationships.models.relationships import RelationshipDocument

SHA256_PREVIEW_LENGTH = 12


class DocumentRevision(models.Model):
    """One version of a document's file, with its SHA-256; never changed once
    stored. The document's current revision is its latest."""

    document = models.ForeignKey(
        RelationshipDocument, on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to="documents/%Y/%m/")
    sha256 = models.CharField(
        "SHA-256",
        max_length=64,
        blank=True,
        help_text=(
            "Of the stored bytes; empty only for a file that could not be read "
            "when revisions were introduced (the change note says so)."
        ),
    )
    content_type = models.CharField(
        max_length=100,
        blank=True,
        help_text=(
            "The media type its content was checked to be at upload; empty for "
            "files stored before uploads were checked."
        ),
    )
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField()
    change_note = models.TextField(
        blank=True, help_text="What changed since the previous revision."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"],
                name="document_revision_number_unique",
                violation_error_message="This document already has that revision.",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="document_revision_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} {self.label}"

    def save(self, *args, **kwargs) -> None:
        # A link from a rating or an audit names this exact file: it must not
        # change under the link. A new file is a new revision.
        if not self._state.adding:
            raise ValueError("A document revision is never changed once stored.")
        super().save(*args, **kwargs)

    @property
    def sha256_preview(self) -> str:
        return self.sha256[:SHA256_PREVIEW_LENGTH]

    @property
    def label(self) -> str:
        """'Rev 2 (sha 1a2b3c4d5e6f)', as links to a revision show it."""
        if not self.sha256:
            return f"Rev {self.number} (SHA-256 unknown)"
        return f"Rev {self.number} (sha {self.sha256_preview})"

    def get_download_url(self) -> str:
        return reverse(
            "relationships:document_revision_download",
            kwargs={
                "reference": self.document.relationship.reference,
                "pk": self.document_id,
                "number": self.number,
            },
        )
