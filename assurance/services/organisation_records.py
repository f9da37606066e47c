"""Writes of an organisation's own lifecycle records."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from assurance.models import (
    ORGANISATION_STAGE_KEYS,
    STAGE_SPECIFIC_FIELDS,
    OrganisationStageRecord,
)
from principles.models import LifecycleStage
from relationships.access import organisation_members
from relationships.concurrency import revision_claim_or_new
from relationships.models import Organisation

COMMON_FIELDS = frozenset({"status", "recorded_on", "notes", "evidence"})


def stage_record_fields(stage: LifecycleStage) -> tuple[str, ...]:
    """The fields an organisation records for one of its own stages."""
    return (
        "status",
        "recorded_on",
        *STAGE_SPECIFIC_FIELDS.get(stage.key, ()),
        "notes",
        "evidence",
    )


@transaction.atomic
def organisation_stage_record_save(
    *,
    organisation: Organisation,
    stage: LifecycleStage,
    values: dict[str, Any],
    expected_revision: int | None,
    user: AbstractBaseUser,
) -> OrganisationStageRecord:
    """Record (or update) where the organisation stands on one of its own
    lifecycle stages. The first save of a stage makes its record."""
    if stage.key not in ORGANISATION_STAGE_KEYS:
        raise ValidationError(
            f"{stage.name} is a relationship's stage: record it on the "
            "relationship's Lifecycle page."
        )
    allowed = set(stage_record_fields(stage))
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"Not recorded for {stage.name}: {', '.join(sorted(unknown))}")
    # Two first saves of one stage take turns: the second finds the first's row.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    record = revision_claim_or_new(
        OrganisationStageRecord.objects.filter(
            organisation=organisation, stage=stage
        ).first(),
        expected_revision=expected_revision,
        new=lambda: OrganisationStageRecord(organisation=organisation, stage=stage),
    )
    for name, value in values.items():
        setattr(record, name, value)
    senior_executive = values.get("senior_executive")
    if (
        senior_executive is not None
        and not organisation_members(organisation)
        .filter(pk=senior_executive.pk)
        .exists()
    ):
        raise ValidationError(
            {"senior_executive": "Choose one of the organisation's own members."}
        )
    record.updated_by = user
    record.full_clean()
    record._history_user = user
    record.save()
    return record
