"""Partner-private records: what a register entry or a self-assessment carries to
say whose eyes it is for. Who may then see it is decided in
relationships.access (`visible_records`), and only there."""

from typing import ClassVar

from django.db import models
from django.db.models import Q

from relationships.choices import Visibility


class PartnerPrivateRecord(models.Model):
    """A record that is either joint or private to its owning partner."""

    # The field naming the owning partnership; empty means a joint (common) record.
    owner_partnership_field: ClassVar[str]

    visibility = models.CharField(
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.JOINT,
        help_text=(
            "Joint: every partner sees it. Private: only its own partner, and the "
            "partners it is shared with."
        ),
    )
    shared_with = models.ManyToManyField(
        "relationships.Partnership",
        blank=True,
        related_name="+",
        help_text="Partners that may also see this private record.",
    )

    class Meta:
        abstract = True

    @property
    def is_private(self) -> bool:
        return self.visibility == Visibility.PARTNER


def private_needs_owner(owner_field: str, name: str) -> models.CheckConstraint:
    """A joint (common) record has no owner to keep it private for."""
    return models.CheckConstraint(
        condition=~Q(visibility=Visibility.PARTNER)
        | Q(**{f"{owner_field}__isnull": False}),
        name=name,
        violation_error_message="Only a partner's own record can be private.",
    )
