"""Permission-matrix entries for the registers views (see tests/permissions.py)."""

from typing import Any

from relationships.choices import Horizon
from relationships.services.registers import (
    action_create,
    objective_create,
    risk_create,
)
from tests.factories import ActionFactory, ObjectiveFactory, RiskFactory
from tests.permissions import ViewSpec


def _reference(world: Any) -> dict[str, Any]:
    return {"reference": world.relationship.reference}


def _objective(world: Any) -> dict[str, Any]:
    objective = ObjectiveFactory(relationship=world.relationship, title="Kept")
    return {**_reference(world), "pk": objective.pk}


def _risk(world: Any) -> dict[str, Any]:
    risk = RiskFactory(relationship=world.relationship, title="Kept")
    return {**_reference(world), "pk": risk.pk}


def _action(world: Any) -> dict[str, Any]:
    action = ActionFactory(relationship=world.relationship, title="Kept")
    return {**_reference(world), "pk": action.pk}


def _objective_data(world: Any) -> dict[str, Any]:
    return {
        "title": "Hijacked",
        "horizon": "short",
        "status": "on_track",
        "reason": "Hijacking",
    }


def _risk_data(world: Any) -> dict[str, Any]:
    return {"title": "Hijacked", "likelihood": 5, "impact": 5, "status": "open"}


def _action_data(world: Any) -> dict[str, Any]:
    return {"title": "Hijacked", "source": "meeting", "status": "open"}


REGISTERS_VIEWS: list[ViewSpec] = [
    # Across relationships: everyone logged in gets the page, scoped to their rows.
    ViewSpec("relationships:objective_list", tenant_scoped=False),
    ViewSpec("relationships:objective_export", tenant_scoped=False),
    ViewSpec("relationships:risk_list", tenant_scoped=False),
    ViewSpec("relationships:risk_export", tenant_scoped=False),
    ViewSpec("relationships:action_list", tenant_scoped=False),
    ViewSpec("relationships:action_export", tenant_scoped=False),
    # One relationship's objectives.
    ViewSpec("relationships:relationship_objectives", kwargs=_reference),
    ViewSpec(
        "relationships:objective_create",
        kwargs=_reference,
        writes=True,
        post_data=_objective_data,
    ),
    ViewSpec("relationships:objective_detail", kwargs=_objective),
    ViewSpec(
        "relationships:objective_edit",
        kwargs=_objective,
        writes=True,
        post_data=_objective_data,
    ),
    # One relationship's risks.
    ViewSpec("relationships:relationship_risks", kwargs=_reference),
    ViewSpec(
        "relationships:risk_create",
        kwargs=_reference,
        writes=True,
        post_data=_risk_data,
    ),
    ViewSpec("relationships:risk_detail", kwargs=_risk),
    ViewSpec(
        "relationships:risk_edit", kwargs=_risk, writes=True, post_data=_risk_data
    ),
    # One relationship's actions.
    ViewSpec("relationships:relationship_actions", kwargs=_reference),
    ViewSpec(
        "relationships:action_create",
        kwargs=_reference,
        writes=True,
        post_data=_action_data,
    ),
    ViewSpec("relationships:action_detail", kwargs=_action),
    ViewSpec(
        "relationships:action_edit",
        kwargs=_action,
        writes=True,
        post_data=_action_data,
    ),
    ViewSpec(
        "relationships:action_done",
        kwargs=_action,
        writes=True,
        post_data=lambda world: {},
    ),
]


# --- bob's supplier's private entries, in a programme of three partners -------


def _private_objective(world: Any) -> dict[str, Any]:
    objective = objective_create(
        relationship=world.relationship,
        values={"owner": world.partner, "title": "Kept", "horizon": Horizon.SHORT},
        created_by=world.bob,
    )
    assert objective.is_private
    return {**_reference(world), "pk": objective.pk}


def _private_risk(world: Any) -> dict[str, Any]:
    risk = risk_create(
        relationship=world.relationship,
        values={
            "owner_partnership": world.partner,
            "title": "Kept",
            "likelihood": 2,
            "impact": 2,
        },
        created_by=world.bob,
    )
    assert risk.is_private
    return {**_reference(world), "pk": risk.pk}


def _private_action(world: Any) -> dict[str, Any]:
    action = action_create(
        relationship=world.relationship,
        values={"owner_partnership": world.partner, "title": "Kept"},
        created_by=world.bob,
    )
    assert action.is_private
    return {**_reference(world), "pk": action.pk}


PRIVATE_REGISTERS_VIEWS: list[ViewSpec] = [
    ViewSpec("relationships:objective_detail", kwargs=_private_objective),
    ViewSpec(
        "relationships:objective_edit",
        kwargs=_private_objective,
        writes=True,
        post_data=_objective_data,
    ),
    ViewSpec("relationships:risk_detail", kwargs=_private_risk),
    ViewSpec(
        "relationships:risk_edit",
        kwargs=_private_risk,
        writes=True,
        post_data=_risk_data,
    ),
    ViewSpec("relationships:action_detail", kwargs=_private_action),
    ViewSpec(
        "relationships:action_edit",
        kwargs=_private_action,
        writes=True,
        post_data=_action_data,
    ),
    ViewSpec(
        "relationships:action_done",
        kwargs=_private_action,
        writes=True,
        post_data=lambda world: {},
    ),
]
