"""Permission-matrix entries for the assurance views (see tests/permissions.py).

A relationship's findings follow the relationship's rule. An organisation's own
findings and its internal audits are the lead organisation's here: alice and
carol (its writers) succeed, and everyone else, the partner's people included,
gets 404. The auditor's read-only access to its own organisation's records is
tested in tests/assurance/test_access.py, with an auditor of the lead.
"""

from typing import Any

from assurance.models import Finding
from assurance.models.findings import CorrectiveActionStatus
from tests.assurance.factories_assurance import (
    make_action,
    make_finding,
    make_internal_audit,
    make_planned_audit,
)
from tests.permissions import ViewSpec

# Only the lead organisation's members read its own records.
LEAD_ORGANISATION_ONLY = {"bob": 404, "dave": 404}


def _reference(world: Any) -> dict[str, Any]:
    return {"reference": world.relationship.reference}


def _slug(world: Any) -> dict[str, Any]:
    return {"slug": world.lead.organisation.slug}


def _relationship_finding(world: Any) -> dict[str, Any]:
    finding = make_finding(relationship=world.relationship, title="Kept")
    return {**_reference(world), "pk": finding.pk}


def _organisation_finding(world: Any) -> dict[str, Any]:
    finding = make_finding(organisation=world.lead.organisation, title="Kept")
    return {**_slug(world), "pk": finding.pk}


def _action_of(finding_kwargs: Any, status: str = CorrectiveActionStatus.OPEN) -> Any:
    def build(world: Any) -> dict[str, Any]:
        kwargs = finding_kwargs(world)
        finding = Finding.objects.get(pk=kwargs["pk"])
        action = make_action(finding, owner=world.carol, status=status)
        return {**kwargs, "action_pk": action.pk}

    return build


def _planned_audit(world: Any) -> dict[str, Any]:
    planned = make_planned_audit(world.lead.organisation)
    return {**_slug(world), "pk": planned.pk}


def _internal_audit(world: Any) -> dict[str, Any]:
    audit = make_internal_audit(world.lead.organisation, lead_auditor=world.carol)
    return {**_slug(world), "pk": audit.pk}


def _finding_data(world: Any) -> dict[str, Any]:
    return {
        "kind": "major_nc",
        "title": "Hijacked",
        "description": "Hijacked",
        "raised_on": "2026-01-05",
        "revision": 1,
    }


def _action_data(world: Any) -> dict[str, Any]:
    return {
        "root_cause": "Hijacked",
        "action": "Hijacked",
        "owner": world.alice.pk,
        "due_date": "2026-12-01",
        "revision": 1,
    }


def _complete_data(world: Any) -> dict[str, Any]:
    return {"completed_on": "2026-01-05", "note": "Hijacked", "revision": 1}


def _verify_data(world: Any) -> dict[str, Any]:
    return {"result": "effective", "verified_on": "2026-01-05", "revision": 1}


def _audit_data(world: Any) -> dict[str, Any]:
    return {
        "title": "Hijacked",
        "scope": "Hijacked",
        "planned_for": "2026-12-01",
        "criteria": "Hijacked",
        "lead_auditor": world.alice.pk,
        "performed_on": "2026-01-05",
        "summary": "Hijacked",
        "conclusion": "Hijacked",
        "revision": 1,
    }


def _finding_specs(prefix: str, scope: Any, finding: Any, **options: Any) -> list:
    return [
        ViewSpec(f"assurance:{prefix}_findings", kwargs=scope, **options),
        ViewSpec(
            f"assurance:{prefix}_finding_create",
            kwargs=scope,
            writes=True,
            post_data=_finding_data,
            **options,
        ),
        ViewSpec(f"assurance:{prefix}_finding_detail", kwargs=finding, **options),
        ViewSpec(
            f"assurance:{prefix}_finding_edit",
            kwargs=finding,
            writes=True,
            post_data=_finding_data,
            **options,
        ),
        ViewSpec(
            f"assurance:{prefix}_finding_close",
            kwargs=finding,
            writes=True,
            post_data=lambda world: {"revision": 1},
            **options,
        ),
        ViewSpec(
            f"assurance:{prefix}_corrective_action_create",
            kwargs=finding,
            writes=True,
            post_data=_action_data,
            **options,
        ),
        ViewSpec(
            f"assurance:{prefix}_corrective_action_edit",
            kwargs=_action_of(finding),
            writes=True,
            post_data=_action_data,
            **options,
        ),
        ViewSpec(
            f"assurance:{prefix}_corrective_action_complete",
            kwargs=_action_of(finding),
            writes=True,
            post_data=_complete_data,
            **options,
        ),
        ViewSpec(
            f"assurance:{prefix}_corrective_action_verify",
            kwargs=_action_of(finding, CorrectiveActionStatus.COMPLETED),
            writes=True,
            post_data=_verify_data,
            **options,
        ),
    ]


ASSURANCE_VIEWS: list[ViewSpec] = [
    # Everyone logged in: the index of their own organisations' records.
    ViewSpec("assurance:home", tenant_scoped=False),
    *_finding_specs("relationship", _reference, _relationship_finding),
    *_finding_specs(
        "organisation",
        _slug,
        _organisation_finding,
        statuses=LEAD_ORGANISATION_ONLY,
    ),
    ViewSpec(
        "assurance:audit_programme", kwargs=_slug, statuses=LEAD_ORGANISATION_ONLY
    ),
    ViewSpec(
        "assurance:planned_audit_create",
        kwargs=_slug,
        writes=True,
        post_data=_audit_data,
        statuses=LEAD_ORGANISATION_ONLY,
    ),
    ViewSpec(
        "assurance:planned_audit_edit",
        kwargs=_planned_audit,
        writes=True,
        post_data=_audit_data,
        statuses=LEAD_ORGANISATION_ONLY,
    ),
    ViewSpec(
        "assurance:internal_audit_create",
        kwargs=_slug,
        writes=True,
        post_data=_audit_data,
        statuses=LEAD_ORGANISATION_ONLY,
    ),
    ViewSpec(
        "assurance:internal_audit_detail",
        kwargs=_internal_audit,
        statuses=LEAD_ORGANISATION_ONLY,
    ),
    ViewSpec(
        "assurance:internal_audit_edit",
        kwargs=_internal_audit,
        writes=True,
        post_data=_audit_data,
        statuses=LEAD_ORGANISATION_ONLY,
    ),
    ViewSpec(
        "assurance:internal_audit_finding_create",
        kwargs=_internal_audit,
        writes=True,
        post_data=_finding_data,
        statuses=LEAD_ORGANISATION_ONLY,
    ),
]

# Findings are joint (every partner of the relationship sees them) and an
# organisation's records are its own: nothing partner-private to test in the
# three-partner matrix.
ASSURANCE_NOT_PRIVATE = {spec.url_name for spec in ASSURANCE_VIEWS}
