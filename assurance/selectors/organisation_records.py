"""Reads for an organisation's own lifecycle records."""

from dataclasses import dataclass

from django.http import Http404

from assurance.models import ORGANISATION_STAGE_KEYS, OrganisationStageRecord
from principles.models import LifecycleStage
from relationships.models import Organisation


def organisation_stages() -> list[LifecycleStage]:
    """The lifecycle stages that belong to each organisation alone."""
    return list(
        LifecycleStage.objects.filter(key__in=ORGANISATION_STAGE_KEYS)
        .prefetch_related("artefacts")
        .order_by("number")
    )


def organisation_stage_get(*, key: str) -> LifecycleStage:
    """One of those stages, by key; any other is a 404."""
    stage = LifecycleStage.objects.filter(
        key=key, key__in=ORGANISATION_STAGE_KEYS
    ).first()
    if stage is None:
        raise Http404("No such stage of an organisation's own.")
    return stage


def organisation_stage_record(
    *, organisation: Organisation, stage: LifecycleStage
) -> OrganisationStageRecord | None:
    return (
        OrganisationStageRecord.objects.filter(organisation=organisation, stage=stage)
        .select_related("senior_executive", "updated_by")
        .first()
    )


@dataclass(frozen=True)
class StageRow:
    stage: LifecycleStage
    record: OrganisationStageRecord | None


def organisation_stage_rows(*, organisation: Organisation) -> list[StageRow]:
    """Each of the organisation's own stages with its record (None if nothing is
    recorded yet)."""
    records = {
        record.stage_id: record
        for record in OrganisationStageRecord.objects.filter(
            organisation=organisation
        ).select_related("senior_executive", "updated_by")
    }
    return [
        StageRow(stage=stage, record=records.get(stage.pk))
        for stage in organisation_stages()
    ]
