"""Reads for the registers: objectives, risks and actions.

Every query starts from relationships the user may see (see
relationships.access), so a register row of another tenant is a 404 or absent.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
    prefetch_related_objects,
)
from django.http import Http404
from django.utils import timezone
from django.utils.text import capfirst

from relationships.access import (
    AnyUser,
    actions_visible_to,
    ids_visible_to,
    linked_record_visible,
    objectives_visible_to,
    record_check_changeable,
    relationship_get_for_editing,
    relationship_get_for_user,
    risks_visible_to,
    visible_records,
)
from relationships.choices import Horizon, ObjectiveStatus
from relationships.models import (
    OPEN_RISK_STATUSES,
    Action,
    Objective,
    Partnership,
    Relationship,
    Risk,
)
from relationships.risks import HIGH_RISK_SCORE, HeatMapCell, heat_map_cells, risk_band

# An objective whose milestone has passed is late unless it is finished.
CLOSED_OBJECTIVE_STATUSES = (ObjectiveStatus.ACHIEVED, ObjectiveStatus.DROPPED)

LIKELIHOOD_LABELS = {
    1: "Rare",
    2: "Unlikely",
    3: "Possible",
    4: "Likely",
    5: "Almost certain",
}
IMPACT_LABELS = {
    1: "Minor",
    2: "Moderate",
    3: "Significant",
    4: "Major",
    5: "Severe",
}


def score_band(score: int) -> tuple[str, str]:
    """The key and label of a score's band (relationships/risks.py)."""
    band = risk_band(score)
    return band.key, band.label


# --- querysets ---------------------------------------------------------------


def _milestone_overdue() -> Case:
    return Case(
        When(
            Q(milestone_date__lt=timezone.localdate())
            & ~Q(status__in=CLOSED_OBJECTIVE_STATUSES),
            then=Value(True),
        ),
        default=Value(False),
        output_field=BooleanField(),
    )


def objective_list_for_user(user: AnyUser) -> QuerySet[Objective]:
    """Objectives of every relationship the user sees, ready for a list page: by
    relationship, then milestone and title, and the id last, so that equal rows
    keep one order and a page neither repeats nor skips one."""
    return (
        objectives_visible_to(user)
        .annotate(milestone_overdue=_milestone_overdue())
        .order_by(
            "relationship__title", "relationship_id", "milestone_date", "title", "pk"
        )
    )


def _page_rows[R](queryset: QuerySet[R], ids: Sequence[int]) -> list[R]:
    """The rows of one page of a list, in the order of `ids`, which were read or
    checked for the user on this request (IdsFirstPaginator). The partners that
    private rows are shared with (their visibility badges) come in one more
    query, and none on a page of joint rows."""
    by_id = queryset.in_bulk(ids)
    rows = [by_id[pk] for pk in ids if pk in by_id]
    prefetch_related_objects(
        [row for row in rows if row.is_private], "shared_with__organisation"
    )
    return rows


# What the list tables show of each row (templates/relationships/partials/
# register_*_table.html) and nothing more: a row with its relationship, owner
# and assignee in full is some eighty columns, and reading and converting them
# took about a third of the rows' query.
_ROW_FIELDS = (
    "relationship__reference",
    "relationship__title",
    "title",
    "visibility",
    "status",
)
_ASSIGNEE_FIELDS = ("owner__first_name", "owner__last_name", "owner__username")


def objective_page_rows(ids: Sequence[int]) -> list[Objective]:
    """One page of the objectives list, by checked id (see _page_rows)."""
    return _page_rows(
        Objective.objects.select_related("relationship", "owner__organisation")
        .only(
            *_ROW_FIELDS,
            "horizon",
            "milestone_date",
            "kpi_name",
            "kpi_unit",
            "kpi_target",
            "kpi_actual",
            "owner__organisation__name",
        )
        .annotate(milestone_overdue=_milestone_overdue()),
        ids,
    )


def _risk_score() -> ExpressionWrapper:
    return ExpressionWrapper(F("likelihood") * F("impact"), output_field=IntegerField())


def risk_page_rows(ids: Sequence[int]) -> list[Risk]:
    """One page of the risks list, by checked id (see _page_rows)."""
    return _page_rows(
        Risk.objects.select_related(
            "relationship", "owner_partnership__organisation", "owner"
        )
        .only(
            *_ROW_FIELDS,
            *_ASSIGNEE_FIELDS,
            "likelihood",
            "impact",
            "review_date",
            "owner_partnership__organisation__name",
        )
        .annotate(score_value=_risk_score()),
        ids,
    )


def action_page_rows(user: AnyUser, ids: Sequence[int]) -> list[Action]:
    """One page of the actions list, by checked id (see _page_rows); a linked
    risk is named where the user may see it (`risk_visible`). The linked risks
    are checked in one more small query, and only on a page that links some: as
    a column of the rows' query, the visibility rule cost every page about a
    third of the query's time, links or none."""
    rows = _page_rows(
        Action.objects.select_related(
            "relationship", "owner", "risk", "owner_partnership__organisation"
        ).only(
            *_ROW_FIELDS,
            *_ASSIGNEE_FIELDS,
            "revision",
            "due_date",
            "completed_at",
            "principle_key",
            "risk__title",
            "owner_partnership__organisation__name",
        ),
        ids,
    )
    linked = sorted({row.risk_id for row in rows if row.risk_id is not None})
    visible = set(ids_visible_to(user, Risk, linked))
    for row in rows:
        row.risk_visible = row.risk_id is None or row.risk_id in visible
    return rows


def risk_list_for_user(user: AnyUser) -> QuerySet[Risk]:
    """Risks of every relationship the user sees, highest score first."""
    return (
        risks_visible_to(user)
        .annotate(score_value=_risk_score())
        .order_by("-score_value", "relationship__title", "title", "pk")
    )


def action_list_for_user(user: AnyUser) -> QuerySet[Action]:
    """Actions of every relationship the user sees, earliest due first."""
    return actions_visible_to(user).order_by(
        F("due_date").asc(nulls_last=True), "relationship__title", "title", "pk"
    )


# --- one relationship's registers ----------------------------------------------


@dataclass
class ObjectiveGroup:
    """The objectives of one owner: a partner, or None for the common ones."""

    label: str
    partnership: Partnership | None
    objectives: list[Objective] = field(default_factory=list)


def relationship_objective_groups(
    *, user: AnyUser, relationship: Relationship
) -> list[ObjectiveGroup]:
    """Common objectives first, then each partner's own, in partner order (of a
    partner's own, those the user may see)."""
    groups = [ObjectiveGroup(label="Common objectives", partnership=None)]
    by_partnership: dict[int | None, ObjectiveGroup] = {None: groups[0]}
    for partnership in relationship.partnerships.select_related("organisation"):
        group = ObjectiveGroup(
            label=f"{partnership.organisation.name}'s own objectives",
            partnership=partnership,
        )
        groups.append(group)
        by_partnership[partnership.pk] = group
    objectives = (
        Objective.objects.filter(
            visible_records(user, Objective), relationship=relationship
        )
        .prefetch_related("shared_with__organisation")
        .annotate(milestone_overdue=_milestone_overdue())
        .order_by(F("milestone_date").asc(nulls_last=True), "title", "pk")
    )
    horizon_order = {value: index for index, value in enumerate(Horizon.values)}
    for objective in sorted(objectives, key=lambda o: horizon_order[o.horizon]):
        objective.relationship = relationship  # spare a query per row
        group = by_partnership[objective.owner_id]
        if group.partnership is not None:
            objective.owner = group.partnership  # and another (its badge)
        group.objectives.append(objective)
    return groups


def relationship_risks(*, user: AnyUser, relationship: Relationship) -> QuerySet[Risk]:
    """The relationship's risks that the user may see, highest score first."""
    return (
        Risk.objects.filter(visible_records(user, Risk), relationship=relationship)
        .select_related("relationship", "owner_partnership__organisation", "owner")
        .prefetch_related("shared_with__organisation")
        .annotate(score_value=_risk_score())
        .order_by("-score_value", "title", "pk")
    )


def relationship_actions(
    *, user: AnyUser, relationship: Relationship
) -> QuerySet[Action]:
    """The relationship's actions that the user may see, earliest due first."""
    return (
        Action.objects.filter(visible_records(user, Action), relationship=relationship)
        .select_related(
            "relationship", "owner", "risk", "owner_partnership__organisation"
        )
        .annotate(risk_visible=linked_record_visible(user, Risk, "risk"))
        .prefetch_related("shared_with__organisation")
        .order_by(F("due_date").asc(nulls_last=True), "title", "pk")
    )


@dataclass(frozen=True)
class HeatMapRow:
    likelihood: int
    label: str
    cells: list[HeatMapCell]


@dataclass(frozen=True)
class HeatMap:
    """Open risks counted per likelihood x impact cell, likelihood 5 at the top."""

    rows: list[HeatMapRow]
    impact_labels: list[tuple[int, str]]
    total_open: int

    @property
    def occupied_cells(self) -> list[HeatMapCell]:
        """The cells holding risks, highest score first (the text alternative)."""
        cells = [cell for row in self.rows for cell in row.cells if cell.count]
        return sorted(cells, key=lambda cell: (-cell.score, -cell.likelihood))


def risk_heat_map(*, risks: QuerySet[Risk]) -> HeatMap:
    """Count the open risks of a queryset per cell of the 5x5 matrix."""
    counts = {
        (row["likelihood"], row["impact"]): row["count"]
        for row in risks.filter(status__in=OPEN_RISK_STATUSES)
        .order_by()
        .values("likelihood", "impact")
        .annotate(count=Count("pk"))
    }
    rows = [
        HeatMapRow(
            likelihood=cells[0].likelihood,
            label=LIKELIHOOD_LABELS[cells[0].likelihood],
            cells=cells,
        )
        for cells in heat_map_cells(counts)
    ]
    return HeatMap(
        rows=rows,
        impact_labels=list(IMPACT_LABELS.items()),
        total_open=sum(counts.values()),
    )


@dataclass(frozen=True)
class RiskSummary:
    total: int
    open: int
    high_open: int
    joint_open: int
    reviews_overdue: int


def risk_register_summary(*, user: AnyUser, relationship: Relationship) -> RiskSummary:
    """Headline counts of the risks the user sees in a relationship, in one query."""
    is_open = Q(status__in=OPEN_RISK_STATUSES)
    counts = relationship_risks(user=user, relationship=relationship).aggregate(
        total=Count("pk"),
        open=Count("pk", filter=is_open),
        high_open=Count("pk", filter=is_open & Q(score_value__gte=HIGH_RISK_SCORE)),
        joint_open=Count("pk", filter=is_open & Q(owner_partnership__isnull=True)),
        reviews_overdue=Count(
            "pk", filter=is_open & Q(review_date__lt=timezone.localdate())
        ),
    )
    return RiskSummary(**counts)


# --- single rows, scoped by the relationship ----------------------------------


def _scoped_get(queryset: QuerySet, pk: int, what: str) -> Any:
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist as error:
        raise Http404(f"No such {what} in this relationship.") from error


def objective_get_for_user(
    *, user: AnyUser, reference: str, pk: int
) -> tuple[Relationship, Objective]:
    relationship = relationship_get_for_user(user=user, reference=reference)
    objective = _scoped_get(
        Objective.objects.filter(
            visible_records(user, Objective), relationship=relationship
        )
        .select_related("owner__organisation")
        .prefetch_related("shared_with__organisation")
        .annotate(milestone_overdue=_milestone_overdue()),
        pk,
        "objective",
    )
    return relationship, objective


def objective_get_for_editing(
    *, user: AnyUser, reference: str, pk: int
) -> tuple[Relationship, Objective]:
    relationship = relationship_get_for_editing(user=user, reference=reference)
    objective = _scoped_get(
        Objective.objects.filter(
            visible_records(user, Objective), relationship=relationship
        ),
        pk,
        "objective",
    )
    record_check_changeable(user=user, record=objective)
    return relationship, objective


def risk_get_for_user(
    *, user: AnyUser, reference: str, pk: int
) -> tuple[Relationship, Risk]:
    relationship = relationship_get_for_user(user=user, reference=reference)
    return relationship, _scoped_get(
        relationship_risks(user=user, relationship=relationship), pk, "risk"
    )


def risk_get_for_editing(
    *, user: AnyUser, reference: str, pk: int
) -> tuple[Relationship, Risk]:
    relationship = relationship_get_for_editing(user=user, reference=reference)
    risk = _scoped_get(
        Risk.objects.filter(visible_records(user, Risk), relationship=relationship),
        pk,
        "risk",
    )
    record_check_changeable(user=user, record=risk)
    return relationship, risk


def action_get_for_user(
    *, user: AnyUser, reference: str, pk: int
) -> tuple[Relationship, Action]:
    relationship = relationship_get_for_user(user=user, reference=reference)
    return relationship, _scoped_get(
        relationship_actions(user=user, relationship=relationship), pk, "action"
    )


def action_get_for_editing(
    *, user: AnyUser, reference: str, pk: int
) -> tuple[Relationship, Action]:
    relationship = relationship_get_for_editing(user=user, reference=reference)
    action = _scoped_get(
        Action.objects.filter(
            visible_records(user, Action), relationship=relationship
        ).select_related("risk"),
        pk,
        "action",
    )
    record_check_changeable(user=user, record=action)
    return relationship, action


def risk_actions(*, user: AnyUser, risk: Risk) -> QuerySet[Action]:
    return (
        risk.actions.filter(visible_records(user, Action))
        .select_related("owner")
        .order_by(F("due_date").asc(nulls_last=True), "title")
    )


# --- revision history of an objective -----------------------------------------


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Revision:
    """One saved state of an objective: who, when, why, and what changed."""

    number: int
    kind: str
    when: Any
    who: AbstractBaseUser | None
    reason: str
    changes: list[FieldChange]


_REVISION_EXCLUDED_FIELDS = ("created_at", "updated_at", "relationship", "revision")


def _display_value(
    objective_field: Any, value: Any, partner_names: dict[int, str]
) -> str:
    if objective_field.name == "owner":
        return partner_names.get(value, "a former partner") if value else "Common"
    if value in (None, ""):
        return "—"
    if objective_field.choices:
        return str(dict(objective_field.flatchoices).get(value, value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if hasattr(value, "strftime"):
        return value.strftime("%-d %b %Y")
    return str(value)


def objective_revisions(*, objective: Objective) -> list[Revision]:
    """The objective's history, newest first, each step diffed against the last."""
    records = list(
        objective.history.select_related("history_user").order_by(
            "history_date", "history_id"
        )
    )
    partner_names = {
        partnership.pk: partnership.organisation.name
        for partnership in Partnership.objects.filter(
            relationship_id=objective.relationship_id
        ).select_related("organisation")
    }
    revisions = []
    previous = None
    for number, record in enumerate(records, start=1):
        changes = []
        if previous is not None:
            delta = record.diff_against(
                previous, excluded_fields=_REVISION_EXCLUDED_FIELDS
            )
            for change in delta.changes:
                model_field = Objective._meta.get_field(change.field)
                changes.append(
                    FieldChange(
                        label=capfirst(model_field.verbose_name),
                        before=_display_value(model_field, change.old, partner_names),
                        after=_display_value(model_field, change.new, partner_names),
                    )
                )
        revisions.append(
            Revision(
                number=number,
                kind=record.get_history_type_display(),
                when=record.history_date,
                who=record.history_user,
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
        previous = record
    return list(reversed(revisions))
