"""An assessment as an XLSX workbook (one sheet), for partners and auditors."""

import io
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from assessments.choices import AssessmentKind
from assessments.models import Assessment
from assessments.selectors.assessments import RatingView, assessment_subject

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

COLUMNS = [
    ("Number", 8),
    ("Principle", 34),
    ("Level", 7),
    ("Level name", 14),
    ("Previous level", 9),
    ("Change", 11),
    ("Evidence", 50),
    ("Linked evidence", 40),
    ("Comment", 40),
    ("Prompt answers", 60),
    ("Improvement action", 34),
]

HEADER_FILL = PatternFill("solid", start_color="DDE3EA")
WRAP = Alignment(wrap_text=True, vertical="top")


def assessment_export_filename(assessment: Assessment) -> str:
    who = (
        "joint"
        if assessment.kind == AssessmentKind.JOINT
        else f"self-{assessment.partnership.organisation.slug}"
    )
    period = assessment.period_label.replace(" ", "_")
    return f"{assessment.relationship.reference}-{period}-{who}.xlsx"


def _write(sheet: Worksheet, row: int, column: int, value: Any) -> None:
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith("="):
        # Text typed by a user is never a formula in the workbook.
        cell.data_type = "s"
    cell.alignment = WRAP


def _linked_evidence(row: RatingView) -> str:
    rating = row.rating
    if rating is None:
        return ""
    lines = [f"Plan section: {name}" for name, _url in row.plan_sections]
    lines += [f"Objective: {record.title}" for record in rating.objectives.all()]
    lines += [f"Risk: {record.title}" for record in rating.risks.all()]
    lines += [f"Document: {record.title}" for record in rating.documents.all()]
    return "\n".join(lines)


def _prompt_answers(row: RatingView) -> str:
    return "\n\n".join(
        f"{prompt}\n{answer}" for prompt, answer in row.prompts_and_answers if answer
    )


def assessment_workbook(*, assessment: Assessment, rows: list[RatingView]) -> bytes:
    """The assessment's header and one row per principle, as XLSX bytes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Assessment"
    relationship = assessment.relationship
    status = assessment.get_status_display()
    if assessment.finalised_at:
        status += f" ({timezone.localtime(assessment.finalised_at):%Y-%m-%d})"
    elif assessment.submitted_at:
        status += f" (submitted {timezone.localtime(assessment.submitted_at):%Y-%m-%d})"
    header = [
        ("Relationship", f"{relationship.title} ({relationship.reference})"),
        (
            "Period",
            f"{assessment.period_label}: {assessment.period_start:%Y-%m-%d} to "
            f"{assessment.period_end:%Y-%m-%d}",
        ),
        ("Kind", assessment_subject(assessment)),
        ("Status", status),
        (
            "Based on",
            assessment.based_on.period_label if assessment.based_on_id else "",
        ),
        ("Exported", f"{timezone.localtime():%Y-%m-%d %H:%M}"),
    ]
    sheet.cell(row=1, column=1, value="Partnerplan assessment").font = Font(
        bold=True, size=14
    )
    for offset, (label, value) in enumerate(header, start=2):
        sheet.cell(row=offset, column=1, value=label).font = Font(bold=True)
        _write(sheet, offset, 2, value)
    table_row = len(header) + 3
    for column, (title, width) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=table_row, column=column, value=title)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = WRAP
        sheet.column_dimensions[get_column_letter(column)].width = width
    for offset, row in enumerate(rows, start=table_row + 1):
        rating = row.rating
        action = rating.improvement_action if rating else None
        values = [
            row.guided.principle.number,
            row.guided.guidance.name,
            rating.level if rating else None,
            row.level.name if row.level else "Not rated",
            row.previous_level,
            rating.get_change_display() if rating and rating.change else "",
            rating.evidence if rating else "",
            _linked_evidence(row),
            rating.comment if rating else "",
            _prompt_answers(row),
            f"{action.title} ({action.get_status_display()})" if action else "",
        ]
        for column, value in enumerate(values, start=1):
            _write(sheet, offset, column, value)
    sheet.freeze_panes = sheet.cell(row=table_row + 1, column=3)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_sheet(
    workbook: Workbook,
    *,
    title: str,
    columns: list[tuple[str, int]],
    rows: list[list[Any]],
    empty: str = "None recorded.",
) -> Worksheet:
    """A sheet of one table: a bold, filled header row (frozen), then the rows,
    text wrapped, a user's text never taken as a formula. An audit pack's
    registers are made of these."""
    sheet = workbook.create_sheet(title=title[:31])
    for column, (heading, width) in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=column, value=heading)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = WRAP
        sheet.column_dimensions[get_column_letter(column)].width = width
    for offset, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            _write(sheet, offset, column, value)
    if not rows:
        _write(sheet, 2, 1, empty)
    sheet.freeze_panes = "A2"
    return sheet
