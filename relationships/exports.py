"""CSV exports of the registers, honouring the same filters as the list pages."""

import csv
import datetime
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from relationships.models import Action, Objective, Risk

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> str:
    """Render a value as CSV text that a spreadsheet will not execute."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write() hands the line back to the caller."""

    def write(self, value: str) -> str:
        return value


def csv_response(
    *, filename: str, header: list[str], rows: Iterable[list[Any]]
) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        # The byte-order mark makes spreadsheet programs read the file as UTF-8.
        yield "\ufeff" + writer.writerow(header)
        for row in rows:
            yield writer.writerow([csv_safe(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _person(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def _rows[ModelT](
    queryset: QuerySet, row: Callable[[ModelT], list[Any]]
) -> Iterator[list[Any]]:
    for instance in queryset.iterator(chunk_size=500):
        yield row(instance)


OBJECTIVE_HEADER = [
    "Relationship reference",
    "Relationship",
    "Whose",
    "Objective",
    "Description",
    "Horizon",
    "Milestone date",
    "Milestone overdue",
    "KPI",
    "KPI unit",
    "KPI target",
    "KPI actual",
    "Progress %",
    "Status",
]


def _objective_row(objective: Objective) -> list[Any]:
    return [
        objective.relationship.reference,
        objective.relationship.title,
        objective.owner.organisation.name if objective.owner else "Common",
        objective.title,
        objective.description,
        objective.get_horizon_display(),
        objective.milestone_date,
        getattr(objective, "milestone_overdue", False),
        objective.kpi_name,
        objective.kpi_unit,
        objective.kpi_target,
        objective.kpi_actual,
        objective.progress_percent,
        objective.get_status_display(),
    ]


def objectives_csv(objectives: QuerySet[Objective]) -> StreamingHttpResponse:
    return csv_response(
        filename=f"objectives-{timezone.localdate().isoformat()}.csv",
        header=OBJECTIVE_HEADER,
        rows=_rows(objectives, _objective_row),
    )


RISK_HEADER = [
    "Relationship reference",
    "Relationship",
    "Whose",
    "Risk",
    "Description",
    "Likelihood",
    "Impact",
    "Score",
    "Mitigation",
    "Owner",
    "Review date",
    "Review overdue",
    "Status",
]


def _risk_row(risk: Risk) -> list[Any]:
    return [
        risk.relationship.reference,
        risk.relationship.title,
        risk.owner_partnership.organisation.name if risk.owner_partnership else "Joint",
        risk.title,
        risk.description,
        risk.likelihood,
        risk.impact,
        risk.score,
        risk.mitigation,
        _person(risk.owner),
        risk.review_date,
        risk.review_overdue,
        risk.get_status_display(),
    ]


def risks_csv(risks: QuerySet[Risk]) -> StreamingHttpResponse:
    return csv_response(
        filename=f"risks-{timezone.localdate().isoformat()}.csv",
        header=RISK_HEADER,
        rows=_rows(risks, _risk_row),
    )


ACTION_HEADER = [
    "Relationship reference",
    "Relationship",
    "Action",
    "Description",
    "Owner",
    "Due date",
    "Overdue",
    "Status",
    "Completed at",
    "Source",
    "Principle",
    "Risk",
]


def _action_row(action: Action) -> list[Any]:
    return [
        action.relationship.reference,
        action.relationship.title,
        action.title,
        action.description,
        _person(action.owner),
        action.due_date,
        action.is_overdue,
        action.get_status_display(),
        action.completed_at,
        action.get_source_display(),
        action.get_principle_key_display(),
        action.risk.title if action.risk else "",
    ]


def actions_csv(actions: QuerySet[Action]) -> StreamingHttpResponse:
    return csv_response(
        filename=f"actions-{timezone.localdate().isoformat()}.csv",
        header=ACTION_HEADER,
        rows=_rows(actions, _action_row),
    )
