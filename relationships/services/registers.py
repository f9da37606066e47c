"""Writes to the registers: objectives, risks and actions of a relationship.

Each service checks what a form cannot see on its own: that owners, partners and
linked risks belong to the same relationship, and that dates fall within the
relationship's life. Errors are keyed by form field names, so a view can show
them next to the field.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from relationships.access import (
    default_privacy,
    record_privacy_errors,
    relationship_owner_candidates,
)
from relationships.choices import ActionStatus, Visibility
from relationships.concurrency import revision_claim
from relationships.models import (
    OPEN_ACTION_STATUSES,
    Action,
    Objective,
    Partnership,
    Relationship,
    Risk,
)
from relationships.models.privacy import PartnerPrivateRecord

OBJECTIVE_EDITABLE_FIELDS = frozenset(
    {
        "owner",
        "title",
        "description",
        "horizon",
        "milestone_date",
        "kpi_name",
        "kpi_unit",
        "kpi_target",
        "kpi_actual",
        "status",
        "visibility",
        "shared_with",
    }
)
RISK_EDITABLE_FIELDS = frozenset(
    {
        "owner_partnership",
        "title",
        "description",
        "likelihood",
        "impact",
        "mitigation",
        "owner",
        "review_date",
        "status",
        "visibility",
        "shared_with",
    }
)
ACTION_EDITABLE_FIELDS = frozenset(
    {
        "owner_partnership",
        "visibility",
        "shared_with",
        "title",
        "description",
        "source",
        "principle_key",
        "risk",
        "owner",
        "due_date",
        "status",
    }
)
# The historical records keep the change reason in a 100-character column.
REVISION_REASON_MAX_LENGTH = 100


def _check_fields(values: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"Not editable here: {sorted(unknown)}")


def _date_errors(
    *,
    relationship: Relationship,
    name: str,
    value: datetime.date | None,
    must_precede_end: bool,
) -> dict[str, str]:
    if value is None:
        return {}
    if relationship.start_date and value < relationship.start_date:
        start = relationship.start_date.strftime("%-d %b %Y")
        return {name: f"This date is before the relationship started ({start})."}
    if must_precede_end and relationship.end_date and value > relationship.end_date:
        end = relationship.end_date.strftime("%-d %b %Y")
        return {name: f"This date is after the relationship ends ({end})."}
    return {}


def _partnership_errors(
    *, relationship: Relationship, name: str, partnership: Any
) -> dict[str, str]:
    if partnership is not None and partnership.relationship_id != relationship.pk:
        return {name: "Choose one of this relationship's partners."}
    return {}


def _owner_errors(
    *, relationship: Relationship, owner: AbstractBaseUser | None
) -> dict[str, str]:
    if owner is None:
        return {}
    if (
        not relationship_owner_candidates(relationship=relationship)
        .filter(pk=owner.pk)
        .exists()
    ):
        return {
            "owner": (
                "The owner must work for one of this relationship's partner "
                "organisations."
            )
        }
    return {}


def _raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def _apply(instance: Any, values: dict[str, Any]) -> None:
    for field_name, value in values.items():
        if field_name != "shared_with":
            setattr(instance, field_name, value)


def _column_fields(values: dict[str, Any]) -> list[str]:
    """The fields of `values` that are columns of the record (for update_fields)."""
    return [name for name in values if name != "shared_with"]


def _sharing_on_create(
    record: PartnerPrivateRecord, values: dict[str, Any]
) -> list[Partnership] | None:
    """Fill in the default privacy when the caller chose none (see
    selectors.default_privacy), and return the partners to share with."""
    shared_with = values.get("shared_with")
    if "visibility" not in values:
        owner = getattr(record, record.owner_partnership_field)
        record.visibility, default_shared = default_privacy(
            relationship=record.relationship, owner=owner
        )
        if shared_with is None:
            shared_with = default_shared
    return shared_with


def _privacy_errors(
    record: PartnerPrivateRecord,
    shared_with: list[Partnership] | None,
    *,
    user: AbstractBaseUser | None = None,
    changed: Iterable[str] | None = None,
) -> dict[str, str]:
    """Errors of a record's privacy; with a `user`, also whether that user may
    choose it (see selectors.record_privacy_errors; `changed` None: a new
    record)."""
    owner_field = record.owner_partnership_field
    if record.is_private and getattr(record, f"{owner_field}_id") is None:
        return {
            "visibility": (
                "A joint record is seen by every partner; choose its partner first "
                "to keep it private."
            )
        }
    if any(
        partnership.relationship_id != record.relationship_id
        for partnership in shared_with or ()
    ):
        return {"shared_with": "Share only with this relationship's partners."}
    return record_privacy_errors(user=user, record=record, changed=changed)


def _set_sharing(
    record: PartnerPrivateRecord, shared_with: list[Partnership] | None
) -> None:
    """Sharing means something for a private record only; a joint one keeps none,
    and the owner needs no sharing with itself. None leaves it as it is."""
    if record.visibility == Visibility.JOINT:
        record.shared_with.clear()
    elif shared_with is not None:
        owner_id = getattr(record, f"{record.owner_partnership_field}_id")
        record.shared_with.set(
            [partnership for partnership in shared_with if partnership.pk != owner_id]
        )


def _validate_objective(
    objective: Objective, shared_with: list[Partnership] | None, **privacy: Any
) -> None:
    relationship = objective.relationship
    _raise_if(
        {
            **_partnership_errors(
                relationship=relationship, name="owner", partnership=objective.owner
            ),
            **_privacy_errors(objective, shared_with, **privacy),
            **_date_errors(
                relationship=relationship,
                name="milestone_date",
                value=objective.milestone_date,
                must_precede_end=True,
            ),
        }
    )
    objective.full_clean()


def _validate_risk(
    risk: Risk, shared_with: list[Partnership] | None, **privacy: Any
) -> None:
    relationship = risk.relationship
    _raise_if(
        {
            **_partnership_errors(
                relationship=relationship,
                name="owner_partnership",
                partnership=risk.owner_partnership,
            ),
            **_privacy_errors(risk, shared_with, **privacy),
            **_owner_errors(relationship=relationship, owner=risk.owner),
            **_date_errors(
                relationship=relationship,
                name="review_date",
                value=risk.review_date,
                must_precede_end=False,
            ),
        }
    )
    risk.full_clean()


def _validate_action(
    action: Action, shared_with: list[Partnership] | None, **privacy: Any
) -> None:
    relationship = action.relationship
    errors = {
        **_partnership_errors(
            relationship=relationship,
            name="owner_partnership",
            partnership=action.owner_partnership,
        ),
        **_privacy_errors(action, shared_with, **privacy),
        **_owner_errors(relationship=relationship, owner=action.owner),
        **_date_errors(
            relationship=relationship,
            name="due_date",
            value=action.due_date,
            must_precede_end=True,
        ),
    }
    if action.risk is not None and action.risk.relationship_id != relationship.pk:
        errors["risk"] = "Choose a risk from this relationship's own register."
    _raise_if(errors)
    action.full_clean()


# --- objectives ----------------------------------------------------------------


@transaction.atomic
def objective_create(
    *,
    relationship: Relationship,
    values: dict[str, Any],
    created_by: AbstractBaseUser | None = None,
) -> Objective:
    """Record a new objective: a partner's own, or common when owner is None."""
    _check_fields(values, OBJECTIVE_EDITABLE_FIELDS)
    objective = Objective(relationship=relationship)
    _apply(objective, values)
    shared_with = _sharing_on_create(objective, values)
    _validate_objective(objective, shared_with, user=created_by)
    objective._history_user = created_by
    objective._change_reason = "Objective recorded"
    objective.save()
    _set_sharing(objective, shared_with)
    return objective


@transaction.atomic
def objective_revise(
    *,
    objective: Objective,
    changes: dict[str, Any],
    reason: str,
    expected_revision: int | None,
    revised_by: AbstractBaseUser | None = None,
) -> Objective:
    """Revise an agreed objective; the reason is kept in its revision history.

    Refused with StaleEdit when it changed since the form was opened at
    `expected_revision`.
    """
    _check_fields(changes, OBJECTIVE_EDITABLE_FIELDS)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the objective is being revised."})
    if len(reason) > REVISION_REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": (
                    f"Keep the reason to {REVISION_REASON_MAX_LENGTH} characters; "
                    "put the detail in the description."
                )
            }
        )
    if not changes:
        raise ValidationError("Nothing was changed, so there is nothing to revise.")
    revision_claim(objective, expected_revision=expected_revision)
    _apply(objective, changes)
    _validate_objective(
        objective, changes.get("shared_with"), user=revised_by, changed=changes
    )
    objective._history_user = revised_by
    objective._change_reason = reason
    objective.save(update_fields=[*_column_fields(changes), "revision", "updated_at"])
    _set_sharing(objective, changes.get("shared_with"))
    return objective


# --- risks ---------------------------------------------------------------------


@transaction.atomic
def risk_create(
    *,
    relationship: Relationship,
    values: dict[str, Any],
    created_by: AbstractBaseUser | None = None,
) -> Risk:
    """Add a risk to the register: a partner's own, or joint when no partner."""
    _check_fields(values, RISK_EDITABLE_FIELDS)
    risk = Risk(relationship=relationship)
    _apply(risk, values)
    shared_with = _sharing_on_create(risk, values)
    _validate_risk(risk, shared_with, user=created_by)
    risk._history_user = created_by
    risk.save()
    _set_sharing(risk, shared_with)
    return risk


@transaction.atomic
def risk_update(
    *,
    risk: Risk,
    changes: dict[str, Any],
    expected_revision: int | None,
    updated_by: AbstractBaseUser | None = None,
) -> Risk:
    """Change a risk, unless it changed since the form was opened (StaleEdit)."""
    _check_fields(changes, RISK_EDITABLE_FIELDS)
    revision_claim(risk, expected_revision=expected_revision)
    _apply(risk, changes)
    _validate_risk(risk, changes.get("shared_with"), user=updated_by, changed=changes)
    risk._history_user = updated_by
    risk.save(update_fields=[*_column_fields(changes), "revision", "updated_at"])
    _set_sharing(risk, changes.get("shared_with"))
    return risk


# --- actions -------------------------------------------------------------------


def _set_completion(action: Action) -> None:
    """completed_at follows the status: stamped when done, cleared on reopening."""
    if action.status == ActionStatus.DONE:
        if action.completed_at is None:
            action.completed_at = timezone.now()
    else:
        action.completed_at = None


@transaction.atomic
def action_create(
    *,
    relationship: Relationship,
    values: dict[str, Any],
    created_by: AbstractBaseUser | None = None,
) -> Action:
    _check_fields(values, ACTION_EDITABLE_FIELDS)
    action = Action(relationship=relationship)
    _apply(action, values)
    _set_completion(action)
    shared_with = _sharing_on_create(action, values)
    _validate_action(action, shared_with, user=created_by)
    action._history_user = created_by
    action.save()
    _set_sharing(action, shared_with)
    return action


@transaction.atomic
def action_update(
    *,
    action: Action,
    changes: dict[str, Any],
    expected_revision: int | None,
    updated_by: AbstractBaseUser | None = None,
) -> Action:
    """Change an action, unless it changed since the form was opened (StaleEdit)."""
    _check_fields(changes, ACTION_EDITABLE_FIELDS)
    revision_claim(action, expected_revision=expected_revision)
    _apply(action, changes)
    _set_completion(action)
    _validate_action(
        action, changes.get("shared_with"), user=updated_by, changed=changes
    )
    action._history_user = updated_by
    action.save(
        update_fields=[
            *_column_fields(changes),
            "completed_at",
            "revision",
            "updated_at",
        ]
    )
    _set_sharing(action, changes.get("shared_with"))
    return action


@transaction.atomic
def action_mark_done(
    *,
    action: Action,
    expected_revision: int | None,
    done_by: AbstractBaseUser | None = None,
) -> None:
    """Mark an open action done, as the person saw it at `expected_revision`.

    A change since (someone else marked it done, reopened or cancelled it) is a
    StaleEdit: the person decides again on what the action is now.
    """
    revision_claim(action, expected_revision=expected_revision)
    action.refresh_from_db()
    if action.status == ActionStatus.CANCELLED:
        raise ValidationError(
            "A cancelled action cannot be marked done; reopen it first."
        )
    if action.status not in OPEN_ACTION_STATUSES:
        raise ValidationError("This action is already done.")
    action.status = ActionStatus.DONE
    _set_completion(action)
    action._history_user = done_by
    action.save(update_fields=["status", "revision", "completed_at", "updated_at"])
