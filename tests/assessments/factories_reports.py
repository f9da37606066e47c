"""Builders for the reports tests: a relationship with a finished period."""

import datetime
import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from assessments.choices import AssessmentKind, AssessmentStatus, ReportStatus
from assessments.models import Assessment, PrincipleRating, Report
from principles.models import Principle
from relationships.choices import ActionStatus, PlanVersionStatus
from relationships.models import Partnership, PlanVersion, Relationship
from tests.factories import (
    ActionFactory,
    AssessmentFactory,
    ObjectiveFactory,
    PlanFactory,
    PlanVersionFactory,
    RiskFactory,
)

Q1 = (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
Q4_2025 = (datetime.date(2025, 10, 1), datetime.date(2025, 12, 31))

JOINT_LEVELS = [4, 3, 3, 2, 5, 3, 4, 1, 3, 2, 4, 3]
LEAD_LEVELS = [4, 4, 3, 2, 5, 3, 4, 3, 3, 2, 4, 3]
PARTNER_LEVELS = [4, 2, 3, 2, 5, 3, 4, 1, 3, 2, 4, 3]
PREVIOUS_JOINT_LEVELS = [3, 3, 3, 2, 4, 3, 4, 2, 3, 2, 4, 3]


def _principles(relationship: Relationship) -> list[Principle]:
    return list(
        Principle.objects.filter(
            principle_set__key=relationship.principle_set_key
        ).order_by("number")
    )


def assessment_with_ratings(
    *,
    relationship: Relationship,
    period: tuple[datetime.date, datetime.date],
    levels: list[int],
    partnership: Partnership | None = None,
    status: str = AssessmentStatus.FINAL,
    evidence: str = "Minutes of the review meeting.",
    comment: str = "Agreed at the quarterly review.",
) -> Assessment:
    assessment = AssessmentFactory(
        relationship=relationship,
        period_start=period[0],
        period_end=period[1],
        kind=AssessmentKind.SELF if partnership else AssessmentKind.JOINT,
        partnership=partnership,
        status=status,
    )
    PrincipleRating.objects.bulk_create(
        PrincipleRating(
            assessment=assessment,
            principle=principle,
            level=level,
            evidence=evidence,
            comment=comment,
        )
        for principle, level in zip(_principles(relationship), levels, strict=True)
    )
    return assessment


# A moment inside Q1 2026: records the finished period's report shows were made
# then (a report shows its period as it stood at the period's end).
IN_Q1 = datetime.datetime(2026, 2, 10, 12, 0, tzinfo=datetime.UTC)


def backdate(record, moment: datetime.datetime) -> None:
    """Move a record's creation and all its history rows to `moment`."""
    model = type(record)
    if any(field.name == "created_at" for field in model._meta.fields):
        model.objects.filter(pk=record.pk).update(created_at=moment)
    model.history.filter(id=record.pk).update(history_date=moment)


def finished_period(world, *, text: str = "", with_previous: bool = True) -> Report:
    """Q1 2026 of the world's relationship, joint final, with registers and a plan;
    returns a queued report row of it (not queued on Celery)."""
    relationship = world.relationship
    if text:
        relationship.title = f"Joint venture {text}"
        relationship.description = text
        relationship.save()
        for partnership in (world.lead, world.partner):
            organisation = partnership.organisation
            organisation.name = f"{organisation.name} {text}"
            organisation.save()
    plan = PlanFactory(relationship=relationship)
    plan_version = PlanVersionFactory(
        plan=plan,
        number=1,
        status=PlanVersionStatus.APPROVED,
        approved_at=IN_Q1,
        summary=text or "First joint plan.",
    )
    backdate(plan_version, IN_Q1)
    if with_previous:
        assessment_with_ratings(
            relationship=relationship, period=Q4_2025, levels=PREVIOUS_JOINT_LEVELS
        )
    assessment_with_ratings(
        relationship=relationship,
        period=Q1,
        levels=JOINT_LEVELS,
        evidence=text or "Minutes of the review meeting.",
        comment=text or "Agreed at the quarterly review.",
    )
    assessment_with_ratings(
        relationship=relationship,
        period=Q1,
        levels=LEAD_LEVELS,
        partnership=world.lead,
        status=AssessmentStatus.SUBMITTED,
        evidence=text,
        comment=text,
    )
    assessment_with_ratings(
        relationship=relationship,
        period=Q1,
        levels=PARTNER_LEVELS,
        partnership=world.partner,
        evidence=text,
        comment=text,
    )
    objective = ObjectiveFactory(
        relationship=relationship,
        title=f"Place six students {text}",
        description=text,
        kpi_name="Placements",
        kpi_target=6,
        kpi_actual=2,
    )
    risk = RiskFactory(
        relationship=relationship,
        title=f"Key researcher leaves {text}",
        description=text,
        mitigation=text,
        likelihood=4,
        impact=4,
    )
    action = ActionFactory(
        relationship=relationship,
        title=f"Agree a publication review {text}",
        description=text,
        risk=risk,
        due_date=datetime.date(2020, 1, 1),
        status=ActionStatus.OPEN,
    )
    for record in (objective, risk, action):
        backdate(record, IN_Q1)
    return Report.objects.create(
        relationship=relationship,
        period_start=Q1[0],
        period_end=Q1[1],
        plan_version=plan_version,
        requested_by=world.alice,
        number=f"{relationship.reference}-2026-Q1-1",
    )


def current_plan_version(relationship: Relationship) -> PlanVersion | None:
    return (
        PlanVersion.objects.filter(plan__relationship=relationship)
        .order_by("-number")
        .first()
    )


PERMISSION_MATRIX_PDF = b"%PDF-1.4\n% permission matrix stand-in\n%%EOF\n"


def stored_report(
    relationship: Relationship,
    *,
    status: str = ReportStatus.DONE,
    period: tuple[datetime.date, datetime.date] = Q1,
) -> Report:
    """A report row in the given state; a done one has a (tiny) stored file."""
    report = Report(
        relationship=relationship,
        period_start=period[0],
        period_end=period[1],
        status=status,
        attempts=1 if status != ReportStatus.QUEUED else 0,
        number=f"{relationship.reference}-{period[0]:%Y%m%d}-1",
    )
    if status == ReportStatus.DONE:
        name = f"reports/tests/{relationship.reference}-{period[0]:%Y%m%d}.pdf"
        if not default_storage.exists(name):
            name = default_storage.save(name, ContentFile(PERMISSION_MATRIX_PDF))
        report.file.name = name
        report.sha256 = hashlib.sha256(PERMISSION_MATRIX_PDF).hexdigest()
        report.generated_at = timezone.now()
        report.page_count = 1
        report.size_bytes = len(PERMISSION_MATRIX_PDF)
    if status == ReportStatus.FAILED:
        report.error = "OSError: disk full"
    report.save()
    return report
