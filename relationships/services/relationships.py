import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from principles.models import LifecycleStage
from relationships.choices import MembershipRole, PartnerRole, RelationshipStatus
from relationships.concurrency import revision_claim
from relationships.models import Membership, Organisation, Partnership, Relationship

RELATIONSHIP_EDITABLE_FIELDS = frozenset(
    {"title", "description", "status", "start_date", "end_date"}
)


@transaction.atomic
def relationship_update(
    *,
    relationship: Relationship,
    changes: dict[str, Any],
    expected_revision: int | None,
    user: AbstractBaseUser | None,
) -> Relationship:
    """Apply validated changes to a relationship's own fields, unless someone
    changed them since the form was opened at `expected_revision` (StaleEdit)."""
    unknown = set(changes) - RELATIONSHIP_EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Not editable here: {sorted(unknown)}")
    revision_claim(relationship, expected_revision=expected_revision)
    for field_name, value in changes.items():
        setattr(relationship, field_name, value)
    relationship.full_clean()
    relationship._history_user = user
    relationship.save(update_fields=[*changes, "revision", "updated_at"])
    return relationship


@transaction.atomic
def relationship_create(
    *,
    title: str,
    reference: str,
    kind: str,
    lead: Organisation,
    user: AbstractBaseUser,
    description: str = "",
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
) -> Relationship:
    """A new relationship at the catalogue's first lifecycle stage, with `lead` as
    its lead partner and the creator as its relationship manager when they are
    one of the lead's."""
    relationship = Relationship(
        title=title,
        reference=reference,
        kind=kind,
        description=description,
        start_date=start_date,
        end_date=end_date,
        stage=LifecycleStage.objects.order_by("number").first(),
        status=RelationshipStatus.ACTIVE,
    )
    relationship.full_clean()
    relationship._history_user = user
    relationship._change_reason = "Relationship started"
    relationship.save()
    is_manager = Membership.objects.filter(
        user=user, organisation=lead, role=MembershipRole.RELATIONSHIP_MANAGER
    ).exists()
    partnership = Partnership(
        relationship=relationship,
        organisation=lead,
        role=PartnerRole.LEAD,
        relationship_manager=user if is_manager else None,
    )
    partnership.full_clean()
    partnership._history_user = user
    partnership.save()
    return relationship
