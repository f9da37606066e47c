"""The daily schedule: open due assessments, remind managers, queue reports.

Every step is idempotent, so running the day twice (a retried task, a second
beat) changes nothing the second time: assessments are opened only for a period
that has none, each reminder is recorded in a Notice before the next run looks,
and reports are unique per relationship, period and plan version.
"""

import datetime
import logging
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from assessments.choices import AssessmentKind, NoticeKind
from assessments.models import Assessment, AssessmentSchedule, Notice
from assessments.selectors.assessments import (
    AssessmentPeriod,
    assessment_period_containing,
    assessment_previous_of,
)
from assessments.selectors.reports import (
    OutstandingPeriod,
    ReportPeriod,
    relationship_assessment_overlaps,
    relationship_finished_periods,
    relationship_outstanding_periods,
    relationship_report_exists,
    relationship_schedule,
    relationships_on_schedule,
    reminder_groups,
)
from assessments.services.assessments import assessment_start
from assessments.services.document_reminders import document_reminders_send
from assessments.services.reports import (
    report_request,
    reports_requeue_stuck,
    site_url,
)
from relationships.access import partnerships_taking_part
from relationships.concurrency import revision_claim_or_new
from relationships.models import Relationship

logger = logging.getLogger(__name__)

# The PeriodicTasks that django-celery-beat runs (see setup_schedules): every day,
# the portfolio summaries just after midnight, and every few minutes the re-send
# of reports whose message was lost.
DAILY_SCHEDULE_NAME = "assessments: daily schedule"
SUMMARIES_SCHEDULE_NAME = "assessments: portfolio summaries for the new day"
SUMMARIES_AT = (0, 5)  # hour, minute
RESEND_SCHEDULE_NAME = "assessments: re-send stuck reports"
RESEND_EVERY_MINUTES = 5


@dataclass
class ScheduleRunSummary:
    assessments_opened: int = 0
    notices_sent: int = 0
    reports_queued: int = 0
    reports_requeued: int = 0
    document_reminders_sent: int = 0

    def __str__(self) -> str:
        return (
            f"{self.assessments_opened} assessments opened, "
            f"{self.notices_sent} reminders sent, {self.reports_queued} reports "
            f"queued, {self.reports_requeued} stuck reports queued again, "
            f"{self.document_reminders_sent} document reminders sent"
        )


@transaction.atomic
def assessment_schedule_save(
    *,
    relationship: Relationship,
    cadence: str,
    grace_days: int,
    active: bool,
    expected_revision: int | None,
    user: AbstractBaseUser | None,
) -> AssessmentSchedule:
    """Create or change the relationship's schedule, as it was when the form was
    opened at `expected_revision` (0: no schedule yet), or StaleEdit."""
    # Two first saves take turns on the relationship's row; the second then finds
    # the first's schedule and is refused instead of inserting a second one.
    Relationship.objects.select_for_update(no_key=True).filter(
        pk=relationship.pk
    ).values_list("pk").get()
    schedule = revision_claim_or_new(
        AssessmentSchedule.objects.filter(relationship=relationship).first(),
        expected_revision=expected_revision,
        new=lambda: AssessmentSchedule(relationship=relationship),
    )
    schedule.cadence = cadence
    schedule.grace_days = grace_days
    schedule.active = active
    schedule.full_clean()
    schedule._history_user = user
    schedule.save()
    return schedule


def latest_ended_period(*, cadence: str, today: datetime.date) -> AssessmentPeriod:
    """The last whole period of the cadence that ended before today."""
    current = assessment_period_containing(cadence=cadence, day=today)
    return assessment_period_containing(
        cadence=cadence, day=current.start - datetime.timedelta(days=1)
    )


def assessments_open_due(
    *, relationship: Relationship, today: datetime.date
) -> list[Assessment]:
    """Open the latest ended period's drafts (joint + one self per partner), unless
    that period already has assessments. Returns the new ones."""
    schedule = relationship_schedule(relationship=relationship)
    period = latest_ended_period(cadence=schedule.cadence, today=today)
    if relationship.start_date and period.end < relationship.start_date:
        return []
    if relationship_assessment_overlaps(
        relationship=relationship, start=period.start, end=period.end
    ):
        return []
    slots = [(AssessmentKind.JOINT, None)] + [
        (AssessmentKind.SELF, partnership)
        for partnership in partnerships_taking_part(relationship)
    ]
    opened = []
    try:
        with transaction.atomic():
            for kind, partnership in slots:
                previous = assessment_previous_of(
                    relationship=relationship,
                    kind=kind,
                    partnership=partnership,
                    before=period.start,
                )
                opened.append(
                    assessment_start(
                        relationship=relationship,
                        kind=kind,
                        partnership=partnership,
                        period=period,
                        user=None,
                        from_previous=previous is not None,
                    )
                )
    except (ValidationError, IntegrityError):
        # Someone opened the period meanwhile; theirs stands.
        logger.info("Period %s of %s was opened meanwhile", period, relationship)
        return []
    return opened


def _assessments_path(relationship: Relationship) -> str:
    try:
        return reverse(
            "assessments:assessment_list",
            kwargs={"reference": relationship.reference},
        )
    except NoReverseMatch:  # the rating pages are not mounted: the overview
        return relationship.get_absolute_url()


def _send_notice(
    *,
    relationship: Relationship,
    period: OutstandingPeriod,
    kind: str,
    grace_days: int,
) -> bool:
    """E-mail the managers about an outstanding period, once per period and kind;
    each group of managers reads only the drafts it may see."""
    groups = reminder_groups(relationship=relationship, period=period)
    if not groups:
        return False
    recipients = sorted({email for group in groups for email in group.emails})
    with transaction.atomic():
        _notice, created = Notice.objects.get_or_create(
            relationship=relationship,
            kind=kind,
            period_start=period.start,
            period_end=period.end,
            report=None,
            defaults={"recipients": "\n".join(recipients)},
        )
        if not created:
            return False
        context = {
            "relationship": relationship,
            "period": period,
            "overdue": kind == NoticeKind.ASSESSMENT_OVERDUE,
            "grace_days": grace_days,
            "due_by": period.end + datetime.timedelta(days=grace_days),
            "assessments_url": site_url() + _assessments_path(relationship),
        }
        subject = " ".join(
            render_to_string(
                "assessments/email/assessment_reminder_subject.txt", context
            ).split()
        )
        # A mail server error rolls the notice back, so tomorrow's run sends again.
        for group in groups:
            body = render_to_string(
                "assessments/email/assessment_reminder.txt",
                {**context, "drafts": group.drafts},
            )
            EmailMessage(subject=subject, body=body, to=group.emails).send()
    return True


def assessment_notices_send(*, relationship: Relationship, today: datetime.date) -> int:
    """Remind managers of ended periods still in draft: due, then overdue."""
    grace_days = relationship_schedule(relationship=relationship).grace_days
    sent = 0
    for period in relationship_outstanding_periods(
        relationship=relationship, today=today
    ):
        overdue = today > period.end + datetime.timedelta(days=grace_days)
        kind = NoticeKind.ASSESSMENT_OVERDUE if overdue else NoticeKind.ASSESSMENT_DUE
        sent += _send_notice(
            relationship=relationship, period=period, kind=kind, grace_days=grace_days
        )
    return sent


def reports_queue_finished(*, relationship: Relationship) -> int:
    """Queue a report of every finished period that has none. A report shows its
    period as it stood then, so a later plan version changes nothing in it; a
    report is made again only by re-issuing it (`report_reissue`)."""
    queued = 0
    for period in relationship_finished_periods(relationship=relationship):
        if relationship_report_exists(relationship=relationship, period=period):
            continue
        _, created = report_request(
            relationship=relationship,
            period=ReportPeriod(start=period.start, end=period.end),
            schedule_name=DAILY_SCHEDULE_NAME,
        )
        queued += created
    return queued


def schedules_run(*, today: datetime.date) -> ScheduleRunSummary:
    """One day's run over every scheduled relationship; safe to repeat."""
    summary = ScheduleRunSummary()
    for relationship in relationships_on_schedule():
        try:
            summary.assessments_opened += len(
                assessments_open_due(relationship=relationship, today=today)
            )
            summary.notices_sent += assessment_notices_send(
                relationship=relationship, today=today
            )
            summary.reports_queued += reports_queue_finished(relationship=relationship)
        except ValidationError:
            # One relationship's bad data must not stop everyone else's run.
            logger.exception("Schedule skipped relationship %s", relationship.pk)
    summary.reports_requeued = reports_requeue_stuck()
    summary.document_reminders_sent = document_reminders_send(today=today)
    return summary
