"""Reads for a relationship's History page: every recorded change of its shared
data (django-simple-history), newest first, with who, when and each field before
and after: the relationship and its partners, team seats and partners' memberships,
the plan and its sign-offs, the registers, documents and the lifecycle, assessments
and their ratings, the schedule and report requests.

Every function takes a relationship the caller already obtained through
`relationship_get_for_user`, so tenancy is decided there and nowhere else; which
records of the relationship a person may see is decided once, in
`relationship_history_visible_ids`.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.db.models import (
    CharField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString

from assessments.models import (
    PRINCIPLE_RATING_HISTORY,
    Assessment,
    AssessmentConfirmation,
    AssessmentSchedule,
    PrincipleRating,
    Report,
)
from assurance.models import (
    CorrectiveAction,
    Finding,
    ManagementReview,
    ManagementReviewAction,
)
from principles.choices import PrincipleKey
from principles.models import LifecycleStage, Principle, StageArtefact
from relationships.access import visible_records
from relationships.choices import Visibility
from relationships.models import (
    Action,
    ArtefactEvidence,
    JointManagementTeamMember,
    Membership,
    Objective,
    Organisation,
    PartnerInvitation,
    Partnership,
    Plan,
    PlanDecision,
    PlanSection,
    PlanVersion,
    Relationship,
    RelationshipDocument,
    Risk,
    StageTransition,
)
from relationships.models.documents import DocumentRevision
from relationships.models.privacy import PartnerPrivateRecord
from relationships.plan_schema import SECTION_FIELDS
from relationships.selectors.plans import person_name, word_diff

Names = Mapping[tuple[type[models.Model], int], str]


@dataclass(frozen=True)
class _Ref:
    """A foreign key value, named once all of its kind are looked up together."""

    model: type[models.Model]
    pk: int


def _name(names: Names, model: type[models.Model], pk: int | None) -> str:
    if pk is None:
        return ""
    if issubclass(model, PartnerPrivateRecord):
        return names.get((model, pk), "a deleted or private record")
    return names.get((model, pk), f"#{pk} (deleted)")


def _period_label(record: Any) -> str:
    return Assessment(
        period_start=record.period_start, period_end=record.period_end
    ).period_label


# --- What each kind of record is ----------------------------------------------------


@dataclass(frozen=True)
class HistorySource:
    """One kind of record on the History page: its model, its label, how to find
    the relationship's history rows of it and how to name one."""

    model: type[models.Model]
    label: str
    rows: Callable[[Relationship], QuerySet]
    subject: Callable[[Any, Names], str]
    refs: Callable[[Any], Iterable[_Ref]] = lambda record: ()
    hidden_fields: frozenset[str] = frozenset()
    # What a record is part of (a rating's assessment): consecutive changes of
    # one part by one person, with nothing else between them, show as one entry
    # with a line each (no time window, which a save could straddle).
    parent: Callable[[Any, Names], str] | None = None


def _plan_ids(relationship: Relationship) -> QuerySet:
    return Plan.history.filter(relationship_id=relationship.pk).values("id")


def _version_ids(relationship: Relationship) -> QuerySet:
    return PlanVersion.history.filter(plan_id__in=_plan_ids(relationship)).values("id")


def _of_relationship(model: type[models.Model]) -> Callable[[Relationship], QuerySet]:
    return lambda relationship: model.history.filter(relationship_id=relationship.pk)


def _first_line(text: str, length: int = 80) -> str:
    first = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return first if len(first) <= length else f"{first[: length - 1]}…"


def _day(value: datetime.date | None) -> str:
    return date_format(value, "j M Y") if value else "on an unknown day"


def _section_version(record: Any, names: Names) -> str:
    version = names.get((PlanVersion, record.plan_version_id), "a deleted version")
    return f"Plan {version}"


def _assessment_subject(record: Any, names: Names) -> str:
    if record.partnership_id is None:
        return f"{_period_label(record)} joint assessment"
    partner = _name(names, Partnership, record.partnership_id)
    return f"{_period_label(record)} self-assessment of {partner}"


# Keyed by the value the page's filter sends; the order is the filter's order.
HISTORY_SOURCES: dict[str, HistorySource] = {
    "relationship": HistorySource(
        Relationship,
        "Relationship details",
        lambda relationship: Relationship.history.filter(id=relationship.pk),
        lambda record, names: record.title,
        hidden_fields=frozenset({"reference", "kind"}),
    ),
    "partnership": HistorySource(
        Partnership,
        "Partner",
        _of_relationship(Partnership),
        lambda record, names: _name(names, Organisation, record.organisation_id),
        lambda record: [_Ref(Organisation, record.organisation_id)],
    ),
    "team_seat": HistorySource(
        JointManagementTeamMember,
        "Team seat",
        _of_relationship(JointManagementTeamMember),
        lambda record, names: (
            f"{_name(names, get_user_model(), record.user_id)}, for "
            f"{_name(names, Partnership, record.partnership_id)}"
        ),
        lambda record: [
            _Ref(get_user_model(), record.user_id),
            _Ref(Partnership, record.partnership_id),
        ],
    ),
    "partner_invitation": HistorySource(
        PartnerInvitation,
        "Partner invitation",
        _of_relationship(PartnerInvitation),
        lambda record, names: (
            _name(names, Organisation, record.organisation_id)
            if record.organisation_id
            else record.organisation_name
        ),
        lambda record: (
            [_Ref(Organisation, record.organisation_id)]
            if record.organisation_id
            else []
        ),
        hidden_fields=frozenset({"token_digest"}),
    ),
    "membership": HistorySource(
        Membership,
        "Membership",
        lambda relationship: Membership.history.filter(
            organisation_id__in=Partnership.objects.filter(
                relationship_id=relationship.pk
            ).values("organisation_id")
        ),
        lambda record, names: (
            f"{_name(names, get_user_model(), record.user_id)} at "
            f"{_name(names, Organisation, record.organisation_id)}"
        ),
        lambda record: [
            _Ref(get_user_model(), record.user_id),
            _Ref(Organisation, record.organisation_id),
        ],
    ),
    "plan": HistorySource(
        Plan,
        "Plan",
        _of_relationship(Plan),
        lambda record, names: "Relationship management plan",
    ),
    "plan_version": HistorySource(
        PlanVersion,
        "Plan version",
        lambda relationship: PlanVersion.history.filter(
            plan_id__in=_plan_ids(relationship)
        ),
        lambda record, names: f"Version {record.number}",
    ),
    "plan_section": HistorySource(
        PlanSection,
        "Plan section",
        lambda relationship: PlanSection.history.filter(
            plan_version_id__in=_version_ids(relationship)
        ),
        lambda record, names: PrincipleKey(record.principle_key).label,
        lambda record: [_Ref(PlanVersion, record.plan_version_id)],
        parent=_section_version,
    ),
    "sign_off": HistorySource(
        PlanDecision,
        "Sign-off",
        lambda relationship: PlanDecision.history.filter(
            plan_version_id__in=_version_ids(relationship)
        ),
        lambda record, names: (
            f"{_name(names, Partnership, record.partnership_id)}, "
            f"{_name(names, PlanVersion, record.plan_version_id)}"
        ),
        lambda record: [
            _Ref(Partnership, record.partnership_id),
            _Ref(PlanVersion, record.plan_version_id),
        ],
    ),
    "objective": HistorySource(
        Objective,
        "Objective",
        _of_relationship(Objective),
        lambda record, names: record.title,
    ),
    "risk": HistorySource(
        Risk, "Risk", _of_relationship(Risk), lambda record, names: record.title
    ),
    "action": HistorySource(
        Action, "Action", _of_relationship(Action), lambda record, names: record.title
    ),
    "document": HistorySource(
        RelationshipDocument,
        "Document",
        _of_relationship(RelationshipDocument),
        lambda record, names: record.title,
    ),
    "document_revision": HistorySource(
        DocumentRevision,
        "Document revision",
        lambda relationship: DocumentRevision.history.filter(
            document_id__in=RelationshipDocument.history.filter(
                relationship_id=relationship.pk
            ).values("id")
        ),
        lambda record, names: (
            f"{_name(names, RelationshipDocument, record.document_id)}, "
            f"revision {record.number}"
        ),
        lambda record: [_Ref(RelationshipDocument, record.document_id)],
        hidden_fields=frozenset({"document", "number", "uploaded_at"}),
    ),
    "stage_move": HistorySource(
        StageTransition,
        "Stage move",
        _of_relationship(StageTransition),
        lambda record, names: (
            f"{_name(names, LifecycleStage, record.from_stage_id)} → "
            f"{_name(names, LifecycleStage, record.to_stage_id)}"
        ),
        lambda record: [
            _Ref(LifecycleStage, record.from_stage_id),
            _Ref(LifecycleStage, record.to_stage_id),
        ],
    ),
    "lifecycle_evidence": HistorySource(
        ArtefactEvidence,
        "Lifecycle evidence",
        _of_relationship(ArtefactEvidence),
        lambda record, names: _name(names, StageArtefact, record.artefact_id),
        lambda record: [_Ref(StageArtefact, record.artefact_id)],
        hidden_fields=frozenset({"artefact"}),
    ),
    "assessment": HistorySource(
        Assessment,
        "Assessment",
        _of_relationship(Assessment),
        _assessment_subject,
        lambda record: (
            [_Ref(Partnership, record.partnership_id)] if record.partnership_id else []
        ),
    ),
    "rating": HistorySource(
        PrincipleRating,
        "Assessment rating",
        lambda relationship: PrincipleRating.history.filter(
            assessment_id__in=Assessment.history.filter(
                relationship_id=relationship.pk
            ).values("id")
        ),
        lambda record, names: _name(names, Principle, record.principle_id),
        lambda record: [
            _Ref(Principle, record.principle_id),
            _Ref(Assessment, record.assessment_id),
        ],
        hidden_fields=frozenset({"assessment", "principle"}),
        parent=lambda record, names: _name(names, Assessment, record.assessment_id),
    ),
    "confirmation": HistorySource(
        AssessmentConfirmation,
        "Assessment confirmation",
        lambda relationship: AssessmentConfirmation.history.filter(
            assessment_id__in=Assessment.history.filter(
                relationship_id=relationship.pk
            ).values("id")
        ),
        lambda record, names: _name(names, Partnership, record.partnership_id),
        lambda record: [
            _Ref(Partnership, record.partnership_id),
            _Ref(Assessment, record.assessment_id),
        ],
        hidden_fields=frozenset({"assessment", "decided_at"}),
        parent=lambda record, names: _name(names, Assessment, record.assessment_id),
    ),
    "schedule": HistorySource(
        AssessmentSchedule,
        "Assessment schedule",
        _of_relationship(AssessmentSchedule),
        lambda record, names: "Assessment schedule",
    ),
    "finding": HistorySource(
        Finding,
        "Finding",
        _of_relationship(Finding),
        lambda record, names: record.title,
        hidden_fields=frozenset({"organisation"}),
    ),
    "corrective_action": HistorySource(
        CorrectiveAction,
        "Corrective action",
        lambda relationship: CorrectiveAction.history.filter(
            finding_id__in=Finding.history.filter(
                relationship_id=relationship.pk
            ).values("id")
        ),
        lambda record, names: _first_line(record.action),
        lambda record: [_Ref(Finding, record.finding_id)],
        hidden_fields=frozenset({"finding"}),
        parent=lambda record, names: _name(names, Finding, record.finding_id),
    ),
    # Only a review held jointly is the relationship's: an organisation's own
    # review of it is that organisation's record, on its own pages.
    "review": HistorySource(
        ManagementReview,
        "Joint management review",
        lambda relationship: ManagementReview.history.filter(
            relationship_id=relationship.pk, is_joint=True
        ),
        lambda record, names: f"Review held {_day(record.held_on)}",
        # The inputs it gathered are kept as gathered and shown on its page.
        hidden_fields=frozenset(
            {"organisation", "is_joint", "inputs_snapshot", "inputs_gathered_at"}
        ),
    ),
    "review_action": HistorySource(
        ManagementReviewAction,
        "Review action",
        lambda relationship: ManagementReviewAction.history.filter(
            review_id__in=ManagementReview.history.filter(
                relationship_id=relationship.pk, is_joint=True
            ).values("id")
        ),
        lambda record, names: _first_line(record.description),
        lambda record: [_Ref(ManagementReview, record.review_id)],
        hidden_fields=frozenset({"review"}),
        parent=lambda record, names: _name(names, ManagementReview, record.review_id),
    ),
    "report": HistorySource(
        Report,
        "Report request",
        _of_relationship(Report),
        lambda record, names: f"Report for {_period_label(record)}",
        # The worker's bookkeeping; the status, error and hash tell the story.
        hidden_fields=frozenset(
            {"attempts", "started_at", "file", "data_fingerprint", "size_bytes"}
        ),
    ),
}

# Bookkeeping fields nobody needs to read in a change log, whatever the model;
# fields Django stamps itself (auto_now, auto_now_add) are left out too.
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
        "last_edited_by",
    }
)

# The links of a rating, recorded with it (PRINCIPLE_RATING_HISTORY's m2m_fields).
RATING_LINKS = {
    field.name: (history_model, field.related_model)
    for field, history_model in PRINCIPLE_RATING_HISTORY.m2m_models.items()
}
_LINK_LABELS = {
    "objectives": "Linked objectives",
    "risks": "Linked risks",
    "documents": "Linked documents",
    "document_revisions": "Linked document revisions",
}


# --- Rows of one page ----------------------------------------------------------------


VisibleIds = Mapping[type[models.Model], QuerySet | Iterable[int]]


def relationship_history_visible_ids(
    *, user: AbstractBaseUser, relationship: Relationship
) -> dict[type[models.Model], QuerySet]:
    """For each model some of whose records of this relationship the user may not
    see, the ids of the existing ones the user may see (by `visible_records`, the
    partner-private rule); models not named are all visible. A rating or a
    confirmation is seen with its assessment.

    The one place where per-record visibility reaches the History page.
    """
    visible: dict[type[models.Model], QuerySet] = {}
    for source in HISTORY_SOURCES.values():
        model = source.model
        if issubclass(model, PartnerPrivateRecord):
            visible[model] = (
                model._default_manager.filter(relationship_id=relationship.pk)
                .filter(visible_records(user, model))
                .values("pk")
            )
    for model in (PrincipleRating, AssessmentConfirmation):
        visible[model] = model.objects.filter(
            assessment_id__in=visible[Assessment]
        ).values("pk")
    visible[DocumentRevision] = DocumentRevision.objects.filter(
        document_id__in=visible[RelationshipDocument]
    ).values("pk")
    return visible


def _visible_history(queryset: QuerySet, visible_ids: QuerySet | Iterable[int]) -> Q:
    """History rows of records the person may see. A deleted record has no
    current row to judge, so its history shows only where it was joint."""
    keep = Q(id__in=visible_ids)
    model = queryset.model.instance_type
    if issubclass(model, PartnerPrivateRecord):
        deleted = ~Exists(model._default_manager.filter(pk=OuterRef("id")))
        keep |= Q(deleted, visibility=Visibility.JOINT)
    return keep


def relationship_history_rows(
    *,
    relationship: Relationship,
    kinds: Iterable[str] | None = None,
    visible_ids: VisibleIds | None = None,
) -> QuerySet:
    """One row (history_id, history_date, source) per recorded change of the
    relationship's shared data, newest first, as one query to paginate.

    `kinds` narrows to some HISTORY_SOURCES keys; `visible_ids` (from
    `relationship_history_visible_ids`) keeps, per model, only the records a
    person may see.
    """
    visible_ids = visible_ids or {}
    chosen = [kind for kind in kinds or HISTORY_SOURCES if kind in HISTORY_SOURCES]
    parts = []
    for kind in chosen or HISTORY_SOURCES:
        source = HISTORY_SOURCES[kind]
        queryset = source.rows(relationship)
        if source.model in visible_ids:
            queryset = queryset.filter(
                _visible_history(queryset, visible_ids[source.model])
            )
        parts.append(
            queryset.order_by()
            .annotate(history_source=Value(kind, output_field=CharField()))
            .values_list("history_id", "history_date", "history_source")
        )
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-history_date", "-history_id")


# --- Readable entries ---------------------------------------------------------------


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
    kind: str
    subject_kind: str
    subject: str
    reason: str
    changes: list[HistoryChange]
    parent: str = ""
    group_key: str = ""


def relationship_history_entries(
    *,
    rows: Iterable[tuple[int, datetime.datetime, str]],
    visible_ids: VisibleIds | None = None,
) -> list[HistoryEntry]:
    """Turn a page of history rows into readable entries, in a fixed number of
    queries whatever the page holds: per kind, the records and their
    predecessors (and a rating's links); then one lookup per kind of related
    object named."""
    rows = list(rows)
    ids_by_kind: dict[str, list[int]] = defaultdict(list)
    for history_id, _when, kind in rows:
        ids_by_kind[kind].append(history_id)
    records, previous = _records_with_predecessors(ids_by_kind)
    links = _rating_links(
        [
            history_id
            for (kind, _id), record in records.items()
            if kind == "rating"
            for history_id in (record.history_id, record.previous_history_id)
            if history_id
        ]
    )
    raw_changes = {
        key: _raw_changes(kind=key[0], record=record, before=previous[key], links=links)
        for key, record in records.items()
    }
    names = _related_names(
        raw_changes.values(), records=records, visible_ids=visible_ids or {}
    )
    entries = []
    for history_id, when, kind in rows:
        record = records.get((kind, history_id))
        if record is None:
            continue
        source = HISTORY_SOURCES[kind]
        entries.append(
            HistoryEntry(
                when=when,
                who=_who(record),
                action={"+": "Created", "~": "Changed", "-": "Deleted"}[
                    record.history_type
                ],
                kind=kind,
                subject_kind=source.label,
                subject=source.subject(record, names),
                parent=source.parent(record, names) if source.parent else "",
                group_key=_group_key(kind, record, names),
                reason=record.history_change_reason or "",
                changes=[
                    HistoryChange(label, _show(old, names), _show(new, names))
                    for label, old, new in raw_changes[kind, history_id]
                ],
            )
        )
    return entries


def _group_key(kind: str, record: Any, names: Names) -> str:
    source = HISTORY_SOURCES[kind]
    if source.parent is None:
        return f"{kind}:{record.history_id}"
    return "|".join(
        [
            kind,
            source.parent(record, names),
            str(record.history_user_id),
            record.history_type,
            record.history_change_reason or "",
        ]
    )


def _who(record: Any) -> str:
    if record.history_user is not None:
        return person_name(record.history_user)
    # No person: the daily schedule or the report worker made the change.
    return "System"


def _records_with_predecessors(
    ids_by_kind: Mapping[str, list[int]],
) -> tuple[dict[tuple[str, int], Any], dict[tuple[str, int], Any]]:
    """Per kind, two queries: the records (each with its predecessor's id) and the
    predecessors."""
    records: dict[tuple[str, int], Any] = {}
    previous: dict[tuple[str, int], Any] = {}
    for kind, history_ids in ids_by_kind.items():
        history = HISTORY_SOURCES[kind].model.history.model
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
            records[kind, record.history_id] = record
            previous[kind, record.history_id] = earlier.get(record.previous_history_id)
    return records, previous


def _rating_links(history_ids: list[int]) -> dict[tuple[str, int], frozenset[int]]:
    """The objectives, risks and documents each rating record linked: one query
    per kind of link, none without ratings on the page."""
    links: dict[tuple[str, int], frozenset[int]] = {}
    if not history_ids:
        return links
    for field_name, (history_model, related_model) in RATING_LINKS.items():
        column = f"{related_model._meta.model_name}_id"
        found: dict[int, set[int]] = defaultdict(set)
        for history_id, related_id in history_model.objects.filter(
            history_id__in=history_ids
        ).values_list("history_id", column):
            found[history_id].add(related_id)
        for history_id in history_ids:
            links[field_name, history_id] = frozenset(found.get(history_id, ()))
    return links


def _visible_fields(kind: str) -> list[models.Field]:
    source = HISTORY_SOURCES[kind]
    hidden = HISTORY_HIDDEN_FIELDS | source.hidden_fields
    return [
        field
        for field in source.model._meta.concrete_fields
        if field.name not in hidden
        and not getattr(field, "auto_now", False)
        and not getattr(field, "auto_now_add", False)
    ]


def _raw_changes(
    *,
    kind: str,
    record: Any,
    before: Any | None,
    links: Mapping[tuple[str, int], frozenset[int]],
) -> list[tuple[str, Any, Any]]:
    if record.history_type == "-":
        return []
    if kind == "plan_section":
        return _section_changes(record=record, before=before)
    changes = []
    for field in _visible_fields(kind):
        new = _value(field, record)
        old = _value(field, before) if before is not None else None
        if before is None and new in (None, "", 0, False, []):
            continue
        if before is not None and getattr(before, field.attname) == getattr(
            record, field.attname
        ):
            continue
        changes.append((_label(field), old, new))
    if kind == "rating":
        changes += _link_changes(record=record, before=before, links=links)
    return changes


def _link_changes(
    *,
    record: Any,
    before: Any | None,
    links: Mapping[tuple[str, int], frozenset[int]],
) -> list[tuple[str, Any, Any]]:
    changes = []
    for field_name, (_history_model, related_model) in RATING_LINKS.items():
        new = links.get((field_name, record.history_id), frozenset())
        old = (
            links.get((field_name, before.history_id), frozenset())
            if before is not None
            else frozenset()
        )
        if old != new:
            changes.append(
                (
                    _LINK_LABELS[field_name],
                    [_Ref(related_model, pk) for pk in sorted(old)],
                    [_Ref(related_model, pk) for pk in sorted(new)],
                )
            )
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
    if field.name == "plan_section_keys":
        return [PrincipleKey(key).label for key in value if key in PrincipleKey]
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    return value


def _related_names(
    changes: Iterable[list[tuple[str, Any, Any]]],
    *,
    records: Mapping[tuple[str, int], Any],
    visible_ids: VisibleIds,
) -> dict[tuple[type[models.Model], int], str]:
    """Names of every object the page mentions: one query per kind of object."""
    wanted: dict[type[models.Model], set[int]] = defaultdict(set)
    for change_list in changes:
        for _field_label, old, new in change_list:
            for value in (old, new):
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, _Ref):
                        wanted[item.model].add(item.pk)
    for (kind, _history_id), record in records.items():
        for ref in HISTORY_SOURCES[kind].refs(record):
            wanted[ref.model].add(ref.pk)
    names = {}
    for model, pks in wanted.items():
        queryset = model._default_manager.all()
        if model is Partnership:
            queryset = queryset.select_related("organisation")
        if model is Assessment:
            queryset = queryset.select_related("partnership__organisation")
        if model is DocumentRevision:
            queryset = queryset.select_related("document")
        if model in visible_ids:
            # A change may link a record the person may not see: not by name.
            queryset = queryset.filter(pk__in=visible_ids[model])
        for pk, instance in queryset.in_bulk(pks).items():
            names[model, pk] = _object_name(instance)
    return names


def _object_name(instance: models.Model) -> str:
    if isinstance(instance, get_user_model()):
        return person_name(instance)
    if isinstance(instance, Partnership):
        return instance.organisation.name
    if isinstance(instance, PlanVersion):
        return f"version {instance.number}"
    if isinstance(instance, ManagementReview):
        return f"Review held {_day(instance.held_on)}"
    if isinstance(instance, Assessment):
        return _assessment_subject(
            instance,
            {
                (
                    Partnership,
                    instance.partnership_id,
                ): instance.partnership.organisation.name
            }
            if instance.partnership_id
            else {},
        )
    return str(instance)


def _show(value: Any, names: Names) -> str:
    if value in (None, "") or value == []:
        return ""
    if isinstance(value, list):
        return "; ".join(_show(item, names) for item in value)
    if isinstance(value, _Ref):
        return _name(names, value.model, value.pk)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "j M Y H:i")
    if isinstance(value, datetime.date):
        return date_format(value, "j M Y")
    return str(value)
