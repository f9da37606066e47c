"""Management reviews and organisations' lifecycle records for tests, made
directly (the services are tested on their own)."""

import datetime
from typing import Any

from assurance.models import (
    ManagementReview,
    ManagementReviewAction,
    OrganisationStageRecord,
)
from principles.models import LifecycleStage

HELD_ON = datetime.date(2026, 6, 1)


def own_review(world: Any, *, partner: bool = False, **fields: Any) -> ManagementReview:
    """A review of the world's relationship that is the lead organisation's own
    (the partner organisation's with `partner`)."""
    partnership = world.partner if partner else world.lead
    return ManagementReview.objects.create(
        organisation=partnership.organisation,
        relationship=world.relationship,
        held_on=fields.pop("held_on", HELD_ON),
        **fields,
    )


def joint_review(world: Any, **fields: Any) -> ManagementReview:
    return ManagementReview.objects.create(
        relationship=world.relationship,
        is_joint=True,
        held_on=fields.pop("held_on", HELD_ON),
        **fields,
    )


def review_action(review: ManagementReview, **fields: Any) -> ManagementReviewAction:
    return ManagementReviewAction.objects.create(
        review=review,
        description=fields.pop("description", "Agree the placement calendar"),
        **fields,
    )


def stage_record(organisation: Any, key: str, **fields: Any) -> OrganisationStageRecord:
    return OrganisationStageRecord.objects.create(
        organisation=organisation, stage=LifecycleStage.objects.get(key=key), **fields
    )
