"""No write path of the assurance app escapes the history: the assurance twin of
tests/relationships/test_history_write_paths.py. Every public function of its
service modules and tasks is listed, as a write (with a scenario that finds the
change in the record's history, with the person's name) or as not one."""

import datetime
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

import assurance.services
from assurance.models.findings import CorrectiveActionStatus, FindingKind
from assurance.selectors.findings import FindingScope
from assurance.services import audits as audit_services
from assurance.services import findings as finding_services
from tests.assurance.factories_assurance import (
    make_action,
    make_finding,
    make_internal_audit,
    make_planned_audit,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _recorded(record: Any, user: Any, history_type: str = "~") -> None:
    latest = type(record).history.filter(id=record.pk).latest("history_id")
    assert (latest.history_user, latest.history_type) == (user, history_type)


def _finding_raise(world: Any) -> None:
    finding = finding_services.finding_raise(
        scope=FindingScope(organisation=world.lead.organisation),
        values={"kind": "observation", "title": "T", "description": "D"},
        raised_by=world.alice,
    )
    _recorded(finding, world.alice, "+")


def _finding_update(world: Any) -> None:
    finding = make_finding(relationship=world.relationship)
    finding_services.finding_update(
        finding=finding,
        changes={"title": "Changed"},
        expected_revision=finding.revision,
        updated_by=world.bob,
    )
    _recorded(finding, world.bob)


def _finding_close(world: Any) -> None:
    finding = make_finding(
        relationship=world.relationship, kind=FindingKind.OBSERVATION
    )
    finding_services.finding_close(
        finding=finding, expected_revision=finding.revision, closed_by=world.bob
    )
    _recorded(finding, world.bob)


def _corrective_action_add(world: Any) -> None:
    action = finding_services.corrective_action_add(
        finding=make_finding(relationship=world.relationship),
        values={
            "root_cause": "R",
            "action": "A",
            "owner": world.carol,
            "due_date": TODAY,
        },
        created_by=world.alice,
    )
    _recorded(action, world.alice, "+")


def _corrective_action_update(world: Any) -> None:
    action = make_action(make_finding(relationship=world.relationship), owner=world.bob)
    finding_services.corrective_action_update(
        corrective_action=action,
        changes={"action": "More"},
        expected_revision=action.revision,
        updated_by=world.carol,
    )
    _recorded(action, world.carol)


def _corrective_action_complete(world: Any) -> None:
    action = make_action(make_finding(relationship=world.relationship), owner=world.bob)
    finding_services.corrective_action_complete(
        corrective_action=action,
        completed_on=TODAY,
        note="",
        expected_revision=action.revision,
        completed_by=world.bob,
    )
    _recorded(action, world.bob)


def _corrective_action_verify(world: Any) -> None:
    action = make_action(
        make_finding(relationship=world.relationship),
        owner=world.bob,
        status=CorrectiveActionStatus.COMPLETED,
    )
    finding_services.corrective_action_verify(
        corrective_action=action,
        result="effective",
        verified_on=TODAY,
        notes="",
        new_due_date=None,
        expected_revision=action.revision,
        verified_by=world.alice,
    )
    _recorded(action, world.alice)


def _planned_audit_create(world: Any) -> None:
    planned = audit_services.planned_audit_create(
        organisation=world.lead.organisation,
        values={"title": "T", "scope": "S", "planned_for": TODAY},
        created_by=world.carol,
    )
    _recorded(planned, world.carol, "+")


def _planned_audit_update(world: Any) -> None:
    planned = make_planned_audit(world.lead.organisation)
    audit_services.planned_audit_update(
        planned_audit=planned,
        changes={"status": "cancelled"},
        expected_revision=planned.revision,
        updated_by=world.alice,
    )
    _recorded(planned, world.alice)


def _internal_audit_record(world: Any) -> None:
    audit = audit_services.internal_audit_record(
        organisation=world.lead.organisation,
        values={
            "title": "T",
            "scope": "S",
            "criteria": "C",
            "lead_auditor": world.carol,
            "performed_on": TODAY,
            "summary": "S",
            "conclusion": "C",
        },
        recorded_by=world.alice,
    )
    _recorded(audit, world.alice, "+")


def _internal_audit_update(world: Any) -> None:
    audit = make_internal_audit(world.lead.organisation, lead_auditor=world.carol)
    audit_services.internal_audit_update(
        internal_audit=audit,
        changes={"conclusion": "Better"},
        expected_revision=audit.revision,
        updated_by=world.carol,
    )
    _recorded(audit, world.carol)


WRITE_PATHS: dict[str, Callable[[Any], None]] = {
    "assurance.services.findings.finding_raise": _finding_raise,
    "assurance.services.findings.finding_update": _finding_update,
    "assurance.services.findings.finding_close": _finding_close,
    "assurance.services.findings.corrective_action_add": _corrective_action_add,
    "assurance.services.findings.corrective_action_update": _corrective_action_update,
    "assurance.services.findings.corrective_action_complete": (
        _corrective_action_complete
    ),
    "assurance.services.findings.corrective_action_verify": _corrective_action_verify,
    "assurance.services.audits.planned_audit_create": _planned_audit_create,
    "assurance.services.audits.planned_audit_update": _planned_audit_update,
    "assurance.services.audits.internal_audit_record": _internal_audit_record,
    "assurance.services.audits.internal_audit_update": _internal_audit_update,
}

NOT_SHARED_WRITES: dict[str, str] = {
    "assurance.services.findings.corrective_actions_notify_overdue": (
        "sends e-mails and logs them (CorrectiveActionNotice), changes no record"
    ),
    "assurance.tasks.corrective_actions_overdue_task": (
        "corrective_actions_notify_overdue"
    ),
    "assurance.tasks.audit_pack_render_task": (
        "renders an AuditPack, a document made from the records, changes no "
        "record; the pack's own history keeps who asked and each status"
    ),
    "assurance.tasks.audit_packs_resend_stuck_task": "queues tasks, no write",
}

# Models of the app that keep no history, and why.
HISTORY_EXCLUDED_MODELS = {
    "assurance.CorrectiveActionNotice": (
        "a log of e-mails sent, like assessments.Notice"
    ),
}


def _modules() -> list[ModuleType]:
    modules = [
        importlib.import_module(f"assurance.services.{info.name}")
        for info in pkgutil.iter_modules(assurance.services.__path__)
    ]
    modules.append(importlib.import_module("assurance.tasks"))
    return modules


def _public_functions(modules: list[ModuleType]) -> set[str]:
    return {
        f"{module.__name__}.{name}"
        for module in modules
        for name, value in vars(module).items()
        if not name.startswith("_")
        and callable(value)
        and not inspect.isclass(value)
        and getattr(value, "__module__", None) == module.__name__
    }


def test_every_public_function_of_my_modules_is_listed() -> None:
    # Another area's services (management reviews) are listed by their own test.
    mine = [
        module
        for module in _modules()
        if module.__name__.rsplit(".", 1)[-1] in ("findings", "audits", "tasks")
    ]
    listed = set(WRITE_PATHS) | set(NOT_SHARED_WRITES)
    public = _public_functions(mine)
    assert public - listed == set(), "List these in WRITE_PATHS (with a scenario)"
    assert listed - public == set(), "These are listed but no longer exist"


@pytest.mark.parametrize("path", sorted(WRITE_PATHS))
def test_each_write_path_records_its_user(path: str, world: Any) -> None:
    WRITE_PATHS[path](world)


def test_every_model_of_findings_and_audits_keeps_history() -> None:
    untracked = {
        model._meta.label
        for model in apps.get_app_config("assurance").get_models()
        if not hasattr(model._meta, "simple_history_manager_attribute")
        and not model.__name__.startswith("Historical")
        and model._meta.model_name
        in (
            "finding",
            "correctiveaction",
            "plannedaudit",
            "internalaudit",
            "correctiveactionnotice",
        )
    }
    assert untracked == set(HISTORY_EXCLUDED_MODELS)


def test_the_overdue_log_is_not_a_write_of_shared_data(world) -> None:
    action = make_action(
        make_finding(relationship=world.relationship),
        owner=world.carol,
        due_date=TODAY - datetime.timedelta(days=1),
    )
    before = action.history.count()
    finding_services.corrective_actions_notify_overdue(today=TODAY)
    assert action.history.count() == before
