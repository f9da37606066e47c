from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from relationships.concurrency import revision_claim
from relationships.models import Relationship

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
