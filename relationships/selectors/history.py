"""Reads for a relationship's History page: every recorded change of its plan
and registers (django-simple-history), newest first, with who, when and each
field before and after.

Every function takes a relationship the caller already obtained through
`relationship_get_for_user`, so tenancy is decided there and nowhere else.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import CharField, OuterRef, QuerySet, Subquery, Value
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString

from principles.choices import PrincipleKey
from relationships.models import (
    Action,
    Objective,
    Partnership,
    Plan,
    PlanSection,
    PlanVersion,
    Relationship,
    Risk,
)
from relationships.plan_schema import SECTION_FIELDS
from relationships.selectors.plans import person_name, word_diff

# --- Change history ---------------------------------------------------------------

# What a history row is about, by its source table.
HISTORY_SOURCES: dict[str, tuple[type[models.Model], str]] = {
    "plan": (Plan, "Plan"),
    "plan_version": (PlanVersion, "Plan version"),
    "plan_section": (PlanSection, "Plan section"),
    "objective": (Objective, "Objective"),
    "risk": (Risk, "Risk"),
    "action": (Action, "Action"),
}

# Bookkeeping fields nobody needs to read in a change log.
HISTORY_HIDDEN_FIELDS = frozenset(
    {
        "id",
        "relationship",
        "plan",
        "plan_version",
        "created_at",
        "updated_at",
        "revision",
        "updated_by",
        "created_by",
        "principle_key",
    }
)


def relationship_history_rows(*, relationship: Relationship) -> QuerySet:
    """One row (history_id, history_date, source) per recorded change of the
    relationship's plan and registers, newest first, as one query to paginate."""
    plan_ids = Plan.history.filter(relationship_id=relationship.pk).values("id")
    version_ids = PlanVersion.history.filter(plan_id__in=plan_ids).values("id")
    per_source = {
        "plan": Plan.history.filter(relationship_id=relationship.pk),
        "plan_version": PlanVersion.history.filter(plan_id__in=plan_ids),
        "plan_section": PlanSection.history.filter(plan_version_id__in=version_ids),
        "objective": Objective.history.filter(relationship_id=relationship.pk),
        "risk": Risk.history.filter(relationship_id=relationship.pk),
        "action": Action.history.filter(relationship_id=relationship.pk),
    }
    parts = [
        queryset.order_by()
        .annotate(history_source=Value(source, output_field=CharField()))
        .values_list("history_id", "history_date", "history_source")
        for source, queryset in per_source.items()
    ]
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-history_date", "-history_id")


@dataclass(frozen=True)
class HistoryChange:
    label: str
    old: str
    new: str

    @cached_property
    def diff(self) -> tuple[SafeString, SafeString]:
        return word_diff(self.old, self.new)

    @property
    def old_html(self) -> SafeString:
        return self.diff[0]

    @property
    def new_html(self) -> SafeString:
        return self.diff[1]


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime.datetime
    who: str
    action: str
    subject_kind: str
    subject: str
    reason: str
    changes: list[HistoryChange]


def relationship_history_entries(
    *, rows: Iterable[tuple[int, datetime.datetime, str]]
) -> list[HistoryEntry]:
    """Turn a page of history rows into readable entries, in a fixed number of
    queries whatever the page holds: per source, the records and their
    predecessors; then one lookup per kind of related object named in a change."""
    rows = list(rows)
    ids_by_source: dict[str, list[int]] = defaultdict(list)
    for history_id, _when, source in rows:
        ids_by_source[source].append(history_id)

    records: dict[tuple[str, int], Any] = {}
    previous: dict[tuple[str, int], Any] = {}
    for source, history_ids in ids_by_source.items():
        model = HISTORY_SOURCES[source][0]
        history = model.history.model
        predecessor = (
            history.objects.filter(
                id=OuterRef("id"), history_id__lt=OuterRef("history_id")
            )
            .order_by("-history_id")
            .values("history_id")[:1]
        )
        found = list(
            history.objects.filter(history_id__in=history_ids)
            .select_related("history_user")
            .annotate(previous_history_id=Subquery(predecessor))
        )
        earlier = history.objects.in_bulk(
            [
                record.previous_history_id
                for record in found
                if record.previous_history_id
            ]
        )
        for record in found:
            records[source, record.history_id] = record
            previous[source, record.history_id] = earlier.get(
                record.previous_history_id
            )

    raw_changes = {
        key: _raw_changes(source=key[0], record=record, before=previous[key])
        for key, record in records.items()
    }
    names = _related_names(
        raw_changes.values(),
        section_records=[
            record
            for (source, _id), record in records.items()
            if source == "plan_section"
        ],
    )
    entries = []
    for history_id, when, source in rows:
        record = records.get((source, history_id))
        if record is None:
            continue
        entries.append(
            HistoryEntry(
                when=when,
                who=person_name(record.history_user)
                if record.history_user
                else "System",
                action={"+": "Created", "~": "Changed", "-": "Deleted"}[
                    record.history_type
                ],
                subject_kind=HISTORY_SOURCES[source][1],
                subject=_subject(source=source, record=record, names=names),
                reason=record.history_change_reason or "",
                changes=[
                    HistoryChange(label, _show(old, names), _show(new, names))
                    for label, old, new in raw_changes[source, history_id]
                ],
            )
        )
    return entries


@dataclass(frozen=True)
class _Ref:
    """A foreign key value, named once all of its kind are looked up together."""

    model: type[models.Model]
    pk: int


def _raw_changes(
    *, source: str, record: Any, before: Any | None
) -> list[tuple[str, Any, Any]]:
    model = HISTORY_SOURCES[source][0]
    if record.history_type == "-":
        return []
    if source == "plan_section":
        return _section_changes(record=record, before=before)
    fields = [
        field
        for field in model._meta.concrete_fields
        if field.name not in HISTORY_HIDDEN_FIELDS
    ]
    changes = []
    if before is None:
        for field in fields:
            value = _value(field, record)
            if value not in (None, "", 0, False):
                changes.append((_label(field), None, value))
        return changes
    delta = record.diff_against(before, excluded_fields=HISTORY_HIDDEN_FIELDS)
    by_name = {field.name: field for field in fields}
    for change in delta.changes:
        field = by_name.get(change.field)
        if field is None:
            continue
        changes.append((_label(field), _value(field, before), _value(field, record)))
    return changes


def _section_changes(*, record: Any, before: Any | None) -> list[tuple[str, Any, Any]]:
    old_content = before.content if before is not None else {}
    new_content = record.content or {}
    known = {
        plan_field.key: plan_field
        for plan_field in SECTION_FIELDS.get(record.principle_key, ())
    }
    changes = []
    unknown = (set(new_content) | set(old_content)) - set(known)
    for key in [*known, *sorted(unknown)]:
        old, new = old_content.get(key), new_content.get(key)
        if old in (None, "") and new in (None, ""):
            continue
        if old == new:
            continue
        plan_field = known.get(key)
        if plan_field is None:
            changes.append((key.replace("_", " ").capitalize(), old, new))
        else:
            changes.append(
                (plan_field.label, plan_field.display(old), plan_field.display(new))
            )
    return changes


def _label(field: models.Field) -> str:
    return str(field.verbose_name)[:1].upper() + str(field.verbose_name)[1:]


def _value(field: models.Field, record: Any) -> Any:
    value = getattr(record, field.attname)
    if value is None:
        return None
    if isinstance(field, models.ForeignKey):
        return _Ref(field.related_model, value)
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    return value


def _related_names(
    changes: Iterable[list[tuple[str, Any, Any]]], *, section_records: list[Any]
) -> dict[tuple[type[models.Model], int], str]:
    wanted: dict[type[models.Model], set[int]] = defaultdict(set)
    for change_list in changes:
        for _field_label, old, new in change_list:
            for value in (old, new):
                if isinstance(value, _Ref):
                    wanted[value.model].add(value.pk)
    wanted[PlanVersion].update(record.plan_version_id for record in section_records)
    names = {}
    for model, pks in wanted.items():
        queryset = model._default_manager.all()
        if model is Partnership:
            queryset = queryset.select_related("organisation")
        for pk, instance in queryset.in_bulk(pks).items():
            if model is get_user_model():
                names[model, pk] = person_name(instance)
            elif model is Partnership:
                names[model, pk] = instance.organisation.name
            elif model is PlanVersion:
                names[model, pk] = f"version {instance.number}"
            else:
                names[model, pk] = str(instance)
    return names


def _show(value: Any, names: Mapping[tuple[type[models.Model], int], str]) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, _Ref):
        return names.get((value.model, value.pk), f"#{value.pk} (deleted)")
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "j M Y H:i")
    if isinstance(value, datetime.date):
        return date_format(value, "j M Y")
    return str(value)


def _subject(
    *, source: str, record: Any, names: Mapping[tuple[type[models.Model], int], str]
) -> str:
    if source == "plan":
        return "Relationship management plan"
    if source == "plan_version":
        return f"Version {record.number}"
    if source == "plan_section":
        version = names.get((PlanVersion, record.plan_version_id), "a deleted version")
        return f"{PrincipleKey(record.principle_key).label}, {version}"
    return record.title
