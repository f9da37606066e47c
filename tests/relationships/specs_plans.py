"""Permission-matrix entries for the plans views (see tests/permissions.py)."""

from typing import Any

from relationships.models import Plan
from relationships.services.plans import plan_start
from tests.permissions import ViewSpec


def _reference(world: Any) -> dict[str, Any]:
    return {"reference": world.relationship.reference}


def _with_plan(world: Any) -> dict[str, Any]:
    """The world's relationship with a started plan (a draft version 1)."""
    if not Plan.objects.filter(relationship=world.relationship).exists():
        plan_start(relationship=world.relationship, user=world.alice)
    return _reference(world)


def _section(world: Any) -> dict[str, Any]:
    return {**_with_plan(world), "principle_key": "exit_strategy"}


PLANS_VIEWS: list[ViewSpec] = [
    ViewSpec("relationships:plan_overview", kwargs=_with_plan),
    ViewSpec(
        "relationships:plan_start",
        kwargs=_reference,
        writes=True,
        post_data=lambda world: {},
    ),
    ViewSpec(
        "relationships:plan_depth",
        kwargs=_with_plan,
        writes=True,
        post_data=lambda world: {"depth": "essentials"},
    ),
    ViewSpec(
        "relationships:plan_section_edit",
        kwargs=_section,
        writes=True,
        post_data=lambda world: {"revision": 1, "summary": "Hijacked"},
    ),
    ViewSpec("relationships:plan_section_detail", kwargs=_section),
    ViewSpec(
        "relationships:plan_submit",
        kwargs=_with_plan,
        writes=True,
        post_data=lambda world: {"summary": "Hijacked"},
    ),
    ViewSpec(
        "relationships:plan_decide",
        kwargs=_with_plan,
        writes=True,
        post_data=lambda world: {
            "partnership": world.partner.pk,
            "decision": "reject",
            "reason": "Hijacked",
        },
    ),
    ViewSpec(
        "relationships:plan_new_draft",
        kwargs=_with_plan,
        writes=True,
        post_data=lambda world: {"summary": "Hijacked"},
    ),
    ViewSpec("relationships:plan_versions", kwargs=_with_plan),
    ViewSpec("relationships:plan_diff", kwargs=_with_plan),
    ViewSpec("relationships:relationship_history", kwargs=_with_plan),
]
