"""A relationship as it stood at a moment in the past, for period-true reports.

A report made today for an earlier period shows what was true at that period's
end: the stage then, the registers then (read from django-simple-history's
tables), the lifecycle checklist then, and what happened in the period's window.
Only joint records are read (`visible_records(None, …)`), and only those that
were joint then and are not private now. Where the history holds nothing from
before the moment, the functions say so (a count, or None) instead of falling
back on today's values.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Model, Q
from django.utils import timezone

from principles.models import LifecycleStage, StageArtefact
from relationships.access import visible_records
from relationships.choices import PlanVersionStatus
from relationships.models import (
    OPEN_ACTION_STATUSES,
    OPEN_RISK_STATUSES,
    Action,
    ArtefactEvidence,
    Objective,
    PlanVersion,
    Relationship,
    RelationshipDocument,
    Risk,
    StageTransition,
)
from relationships.models.privacy import PartnerPrivateRecord
from relationships.selectors.lifecycle import plan_section_names
from relationships.selectors.registers import CLOSED_OBJECTIVE_STATUSES


def moment_after(day: datetime.date) -> datetime.datetime:
    """The first instant after `day` (local time): 'as at the end of day'."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def moment_of(day: datetime.date) -> datetime.datetime:
    """The first instant of `day` (local time)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# --- records from the history ---


@dataclass(frozen=True)
class RecordsAsAt[RecordT: Model]:
    """Joint records as they stood at a moment, and how many joint records made
    before it have no recorded state from then (the report says so)."""

    records: list[RecordT]
    unknown: int


def _history_as_at(
    model: type[PartnerPrivateRecord], *, moment: datetime.datetime, **filters: Any
):
    """The latest history row of each record before `moment`, if it was joint
    then, still existed, and is not private now."""
    private_now = model.objects.filter(**filters).exclude(visible_records(None, model))
    return (
        model.history.filter(history_date__lt=moment, **filters)
        .latest_of_each()
        .exclude(history_type="-")
        .filter(visible_records(None, model))
        .exclude(id__in=private_now.values("pk"))
    )


def _instances[RecordT: Model](
    rows: Any, related: tuple[str, ...] = ()
) -> list[RecordT]:
    """Model instances built from history rows, with their related rows (read
    with the history rows by select_related) attached."""
    instances = []
    for row in rows.select_related(*related) if related else rows:
        instance = row.instance
        for path in related:
            name = path.split("__")[0]
            setattr(instance, name, getattr(row, name))
        instance.history_date = row.history_date
        instances.append(instance)
    return instances


def _unknown_count(
    model: type[PartnerPrivateRecord], *, moment: datetime.datetime, **filters: Any
) -> int:
    known = model.history.filter(history_date__lt=moment, **filters).values("id")
    return (
        model.objects.filter(visible_records(None, model), created_at__lt=moment)
        .filter(**filters)
        .exclude(pk__in=known)
        .count()
    )


def objectives_as_at(
    *, relationship: Relationship, moment: datetime.datetime
) -> RecordsAsAt[Objective]:
    """Joint objectives with their status and KPI values at `moment`; a
    milestone then passed is marked (`milestone_overdue`)."""
    rows = _history_as_at(Objective, moment=moment, relationship_id=relationship.pk)
    objectives = _instances(
        rows.order_by(F("milestone_date").asc(nulls_last=True), "title", "id"),
        ("owner__organisation",),
    )
    day = (moment - datetime.timedelta(microseconds=1)).date()
    for objective in objectives:
        objective.milestone_overdue = (
            objective.milestone_date is not None
            and objective.milestone_date < day
            and objective.status not in CLOSED_OBJECTIVE_STATUSES
        )
    return RecordsAsAt(
        objectives,
        _unknown_count(Objective, moment=moment, relationship_id=relationship.pk),
    )


def open_risks_as_at(
    *, relationship: Relationship, moment: datetime.datetime
) -> RecordsAsAt[Risk]:
    """Joint risks open at `moment`, highest score first; a review then due is
    marked (`review_overdue_then`)."""
    rows = _history_as_at(Risk, moment=moment, relationship_id=relationship.pk).filter(
        status__in=OPEN_RISK_STATUSES
    )
    risks = _instances(
        rows.order_by("-likelihood", "-impact", "title", "id"),
        ("owner_partnership__organisation", "owner"),
    )
    risks.sort(key=lambda risk: -risk.score)
    day = (moment - datetime.timedelta(microseconds=1)).date()
    for risk in risks:
        risk.review_overdue_then = (
            risk.review_date is not None and risk.review_date < day
        )
    return RecordsAsAt(
        risks, _unknown_count(Risk, moment=moment, relationship_id=relationship.pk)
    )


def _mark_actions_overdue(actions: list[Action], moment: datetime.datetime) -> None:
    day = (moment - datetime.timedelta(microseconds=1)).date()
    for action in actions:
        action.overdue_then = (
            action.status in OPEN_ACTION_STATUSES
            and action.due_date is not None
            and action.due_date < day
        )


def open_actions_as_at(
    *, relationship: Relationship, moment: datetime.datetime
) -> RecordsAsAt[Action]:
    """Joint actions open at `moment`; those then past due are marked
    (`overdue_then`)."""
    rows = _history_as_at(
        Action, moment=moment, relationship_id=relationship.pk
    ).filter(status__in=OPEN_ACTION_STATUSES)
    actions = _instances(
        rows.order_by(F("due_date").asc(nulls_last=True), "title", "id"),
        ("owner", "risk"),
    )
    _mark_actions_overdue(actions, moment)
    return RecordsAsAt(
        actions, _unknown_count(Action, moment=moment, relationship_id=relationship.pk)
    )


def actions_as_at(
    *, action_ids: set[int], relationship: Relationship, moment: datetime.datetime
) -> tuple[dict[int, Action], set[int]]:
    """Chosen joint actions as they stood at `moment` (by id), and the ids of
    those with no recorded state from then (made later, private, or unknown)."""
    rows = _history_as_at(
        Action, moment=moment, relationship_id=relationship.pk
    ).filter(id__in=action_ids)
    actions = {action.pk: action for action in _instances(rows, ("owner",))}
    _mark_actions_overdue(list(actions.values()), moment)
    return actions, action_ids - set(actions)


# --- stage and plan ---


def stage_as_at(
    *, relationship: Relationship, moment: datetime.datetime
) -> LifecycleStage | None:
    """The lifecycle stage at `moment`: where the last move before it led, else
    where the first move after it started from, else the relationship's own
    history; None when none of them knows."""
    transitions = StageTransition.objects.filter(relationship=relationship)
    last_move = (
        transitions.filter(moved_at__lt=moment)
        .select_related("to_stage")
        .order_by("-moved_at", "-pk")
        .first()
    )
    if last_move is not None:
        return last_move.to_stage
    next_move = (
        transitions.filter(moved_at__gte=moment)
        .select_related("from_stage")
        .order_by("moved_at", "pk")
        .first()
    )
    if next_move is not None:
        return next_move.from_stage
    record = (
        Relationship.history.filter(id=relationship.pk, history_date__lt=moment)
        .order_by("-history_date")
        .first()
    )
    if record is None or record.stage_id is None:
        return None
    return LifecycleStage.objects.filter(pk=record.stage_id).first()


def stage_moves_between(
    *, relationship: Relationship, since: datetime.datetime, until: datetime.datetime
) -> list[StageTransition]:
    return list(
        StageTransition.objects.filter(
            relationship=relationship, moved_at__gte=since, moved_at__lt=until
        )
        .select_related("from_stage", "to_stage", "moved_by")
        .order_by("moved_at", "pk")
    )


def plan_versions_changed_between(
    *, relationship: Relationship, since: datetime.datetime, until: datetime.datetime
) -> list[PlanVersion]:
    """Plan versions created or approved in the window, each with what it was at
    the window's end (`status_then`), never its status today."""
    versions = list(
        PlanVersion.objects.filter(plan__relationship=relationship)
        .filter(
            Q(created_at__gte=since, created_at__lt=until)
            | Q(approved_at__gte=since, approved_at__lt=until)
        )
        .select_related("created_by")
        .order_by("number")
    )
    latest_approved = (
        PlanVersion.objects.filter(
            plan__relationship=relationship,
            status__in=(PlanVersionStatus.APPROVED, PlanVersionStatus.SUPERSEDED),
            approved_at__lt=until,
        )
        .order_by("-approved_at", "-number")
        .values_list("pk", flat=True)
        .first()
    )
    for version in versions:
        approved_then = version.approved_at is not None and version.approved_at < until
        version.approved_in_window = approved_then and version.approved_at >= since
        if not approved_then:
            version.status_then = "Not approved by the period's end"
        elif version.pk == latest_approved:
            version.status_then = "Approved"
        else:
            version.status_then = "Superseded"
    return versions


# --- the lifecycle checklist ---


@dataclass(frozen=True)
class ChecklistLine:
    """One artefact a lifecycle stage expects, and how it stood at the moment."""

    artefact: StageArtefact
    status: str  # "Evidenced", "Skipped by agreement" or "Not recorded"
    links: list[str]
    note: str


@dataclass(frozen=True)
class ChecklistStage:
    stage: LifecycleStage
    position: str  # "done", "current" or "ahead", against the stage then
    lines: list[ChecklistLine]

    @property
    def evidenced(self) -> int:
        return sum(line.status != "Not recorded" for line in self.lines)


def _joint_titles(
    model: type[PartnerPrivateRecord], ids: set[int], field: str = "title"
) -> dict[int, str]:
    if not ids:
        return {}
    return dict(
        model.objects.filter(visible_records(None, model), pk__in=ids).values_list(
            "pk", field
        )
    )


def _evidence_links(
    evidence: ArtefactEvidence,
    *,
    section_names: dict[str, str],
    titles: dict[str, dict[int, str]],
) -> list[str]:
    links = []
    if evidence.plan_section_key:
        name = section_names.get(evidence.plan_section_key, evidence.plan_section_key)
        links.append(f"Plan section: {name}")
    for label, kind, record_id in (
        ("Objective", "objective", evidence.objective_id),
        ("Risk", "risk", evidence.risk_id),
        ("Document", "document", evidence.document_id),
    ):
        if record_id is None:
            continue
        title = titles[kind].get(record_id)
        links.append(f"{label}: {title}" if title else f"{label} kept private")
    return links


def lifecycle_checklist_as_at(
    *,
    relationship: Relationship,
    moment: datetime.datetime,
    stage_then: LifecycleStage | None,
) -> list[ChecklistStage]:
    """Every stage's expected artefacts with the evidence recorded by `moment`
    (from ArtefactEvidence's history)."""
    evidence = {
        row.artefact_id: row
        for row in ArtefactEvidence.history.filter(
            relationship_id=relationship.pk, history_date__lt=moment
        )
        .latest_of_each()
        .exclude(history_type="-")
    }
    titles = {
        "objective": _joint_titles(
            Objective, {row.objective_id for row in evidence.values()} - {None}
        ),
        "risk": _joint_titles(
            Risk, {row.risk_id for row in evidence.values()} - {None}
        ),
        "document": _joint_titles(
            RelationshipDocument,
            {row.document_id for row in evidence.values()} - {None},
        ),
    }
    section_names = plan_section_names(relationship=relationship)
    current = stage_then.number if stage_then else None
    stages = []
    for stage in LifecycleStage.objects.prefetch_related("artefacts").order_by(
        "number"
    ):
        lines = []
        for artefact in sorted(stage.artefacts.all(), key=lambda a: a.order):
            row = evidence.get(artefact.pk)
            lines.append(
                ChecklistLine(
                    artefact=artefact,
                    status=row.get_status_display() if row else "Not recorded",
                    links=(
                        _evidence_links(row, section_names=section_names, titles=titles)
                        if row
                        else []
                    ),
                    note=row.note if row else "",
                )
            )
        if current is None:
            position = "unknown"
        elif stage.number < current:
            position = "done"
        else:
            position = "current" if stage.number == current else "ahead"
        stages.append(ChecklistStage(stage=stage, position=position, lines=lines))
    return stages
