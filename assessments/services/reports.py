"""Writes for reports: request, render (the worker's side), retry, subscribe, notify.

A report row goes queued -> running -> done (or failed), claimed and finished
by `assessments.render_jobs.RenderJob` (shared with audit packs): a retried,
duplicated or redelivered task never makes a second report, a done report is
never rendered again, and one that kills its worker each time is failed after
MAX_ATTEMPTS. Each conditional update that took effect writes its history
record itself (`_record`): who asked for a report and every status it went
through appear on the History page.
"""

import datetime
import hashlib
import logging

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from assessments import charts
from assessments.choices import (
    AssessmentKind,
    AssessmentStatus,
    NoticeKind,
    ReportDistribution,
    ReportStatus,
)
from assessments.models import Assessment, Notice, Report, ReportSubscription
from assessments.pdf import (
    RenderedPdf,
    pdf_from_html,
    static_url_for_report,
    svg_data_uri,
)
from assessments.render_jobs import TRANSIENT_ERRORS, RenderJob, RenderOutcome
from assessments.selectors.report_as_at import moment_after
from assessments.selectors.reports import (
    ReportData,
    ReportPeriod,
    report_data,
    report_latest_issue,
    report_number,
    report_recipients,
    reports_stuck,
)
from relationships.models import Relationship
from relationships.selectors.plans import plan_version_in_force_at

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# A report takes seconds; these limits are far above that and below the global
# ones, so a stuck render is stopped early. STALE_AFTER is when a running row is
# taken to belong to a dead worker and may be claimed again.
REPORT_SOFT_TIME_LIMIT = 60
REPORT_TIME_LIMIT = 90
STALE_AFTER = datetime.timedelta(seconds=REPORT_TIME_LIMIT + 30)
# What sending a task raises when the broker cannot be reached.
BROKER_ERRORS = (KombuOperationalError, OSError)


def site_url() -> str:
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def report_absolute_url(report: Report) -> str:
    return site_url() + reverse(
        "assessments:report_detail",
        kwargs={"reference": report.relationship.reference, "pk": report.pk},
    )


def _record(
    report: Report,
    *,
    reason: str,
    user: AbstractBaseUser | None = None,
    **changes: object,
) -> None:
    REPORT_JOB.record(report, reason=reason, user=user, **changes)


def _send_render(report_id: int) -> None:
    """Send the render task. With the broker down the report stays queued (the
    settings give up on the broker within about a second) and the beat's re-send,
    `reports_requeue_stuck`, sends it again within minutes."""
    from assessments.tasks import report_render_task

    try:
        report_render_task.delay(report_id)
    except BROKER_ERRORS as error:
        logger.warning(
            "Report %s stays queued: the broker is unavailable (%s)", report_id, error
        )


def _queue_render_on_commit(report_id: int) -> None:
    transaction.on_commit(lambda: _send_render(report_id))


# --- requesting -----------------------------------------------------------------


def _final_joint_or_refuse(*, relationship: Relationship, period: ReportPeriod) -> None:
    final_joint = Assessment.objects.filter(
        relationship=relationship,
        kind=AssessmentKind.JOINT,
        status=AssessmentStatus.FINAL,
        period_start=period.start,
        period_end=period.end,
    )
    if not final_joint.exists():
        raise ValidationError(
            {"period": "A report needs the period's joint assessment to be final."}
        )


def _new_issue(
    *,
    relationship: Relationship,
    period: ReportPeriod,
    issue: int,
    user: AbstractBaseUser | None,
    distribution: str,
    **fields: object,
) -> Report:
    """An unsaved report row of the period: the plan version in force at its end,
    the number fixed now."""
    return Report(
        relationship=relationship,
        period_start=period.start,
        period_end=period.end,
        plan_version=plan_version_in_force_at(
            relationship=relationship, moment=moment_after(period.end)
        ),
        issue=issue,
        number=report_number(
            reference=relationship.reference, period=period, issue=issue
        ),
        distribution=distribution,
        requested_by=user,
        **fields,
    )


@transaction.atomic
def report_request(
    *,
    relationship: Relationship,
    period: ReportPeriod,
    user: AbstractBaseUser | None = None,
    schedule_name: str = "",
    distribution: str = ReportDistribution.PARTNERS_AND_AUDITORS,
) -> tuple[Report, bool]:
    """The period's report, queued if new: issue 1, showing the period as it
    stood at its end (the plan version then in force, not today's).

    Returns (report, created). When the period has a report, its newest issue is
    returned as it is (a new issue is made only by `report_reissue`); one still
    queued is queued again, which is harmless (the worker's claim decides).
    """
    _final_joint_or_refuse(relationship=relationship, period=period)
    existing = report_latest_issue(relationship=relationship, period=period)
    if existing is None:
        report = _new_issue(
            relationship=relationship,
            period=period,
            issue=1,
            user=user,
            distribution=distribution,
            requested_by_schedule=schedule_name,
        )
        report._history_user = user
        if schedule_name:
            report._change_reason = f"Requested by the schedule “{schedule_name}”"
        try:
            report.full_clean()
            with transaction.atomic():
                report.save()
        except (ValidationError, IntegrityError):
            # A concurrent request made it first; anything else is a real error.
            existing = report_latest_issue(relationship=relationship, period=period)
            if existing is None:
                raise
        else:
            _queue_render_on_commit(report.pk)
            return report, True
    if existing.status == ReportStatus.QUEUED:
        _queue_render_on_commit(existing.pk)
    return existing, False


REISSUE_NEEDS_REASON = (
    "Say why the report is re-issued: the reason is printed in the new issue."
)


@transaction.atomic
def report_reissue(
    *,
    report: Report,
    reason: str,
    user: AbstractBaseUser | None,
    distribution: str | None = None,
) -> Report:
    """Make a new issue of a finished report, superseding it. The old issue and
    its file stay as they are; the new one is queued for rendering, shows the
    period as it stood at its end, and names the issue it supersedes."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": REISSUE_NEEDS_REASON})
    old = Report.objects.select_for_update().get(pk=report.pk)
    newer = Report.objects.filter(supersedes=old).first()
    if newer is not None:
        raise ValidationError(
            f"This issue has already been re-issued as {newer.number}: re-issue "
            "the newest issue instead."
        )
    if old.status != ReportStatus.DONE:
        raise ValidationError(
            "Only a finished report can be re-issued; a failed one can be retried."
        )
    period = ReportPeriod(start=old.period_start, end=old.period_end)
    new = _new_issue(
        relationship=old.relationship,
        period=period,
        issue=old.issue + 1,
        user=user,
        distribution=distribution or old.distribution,
        supersedes=old,
        reissue_reason=reason,
    )
    new._history_user = user
    new._change_reason = f"Re-issue of {old.number}: {reason}"[:100]
    try:
        new.full_clean()
        with transaction.atomic():
            new.save()
    except IntegrityError as error:  # someone re-issued it a moment ago
        raise ValidationError(
            "This issue has just been re-issued by someone else: open the "
            "reports list to see the new issue."
        ) from error
    _queue_render_on_commit(new.pk)
    return new


@transaction.atomic
def report_retry(*, report: Report, user: AbstractBaseUser | None) -> bool:
    """Queue a failed report again, with a fresh attempt budget."""
    updated = Report.objects.filter(pk=report.pk, status=ReportStatus.FAILED).update(
        status=ReportStatus.QUEUED,
        attempts=0,
        error="",
        error_detail="",
        started_at=None,
    )
    report.refresh_from_db()
    if updated == 1:
        _record(report, reason="Retry requested", user=user)
        _queue_render_on_commit(report.pk)
    return updated == 1


@transaction.atomic
def reports_requeue_stuck(*, now: datetime.datetime | None = None) -> int:
    """Send again the task of reports whose message was lost (broker down, worker
    gone): queued or running for longer than STALE_AFTER. Run every few minutes by
    the beat (assessments.reports_resend_stuck); a duplicate is harmless, since
    the worker's claim lets only one delivery render a report."""
    stuck_ids = list(
        reports_stuck(now=now or timezone.now(), stale_after=STALE_AFTER).values_list(
            "pk", flat=True
        )
    )
    for report_id in stuck_ids:
        _queue_render_on_commit(report_id)
    return len(stuck_ids)


@transaction.atomic
def report_subscription_toggle(
    *, relationship: Relationship, user: AbstractBaseUser
) -> bool:
    """Subscribe the user to the relationship's reports, or unsubscribe: True if now
    subscribed."""
    deleted, _ = ReportSubscription.objects.filter(
        relationship=relationship, user=user
    ).delete()
    if deleted:
        return False
    subscription = ReportSubscription(relationship=relationship, user=user)
    subscription.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            subscription.save()
    except IntegrityError:  # a double click subscribed a moment ago
        pass
    return True


# --- rendering (runs in the worker) -----------------------------------------------

REPORT_JOB = RenderJob(
    model=Report,
    noun="report",
    stale_after=STALE_AFTER,
    soft_time_limit=REPORT_SOFT_TIME_LIMIT,
    max_attempts=MAX_ATTEMPTS,
    select_related=(
        "relationship__stage",
        "plan_version__plan",
        "requested_by",
        "supersedes",
    ),
    log=logger,
)
# What readers are told when rendering fails on an error: the exception (which
# may name server paths and internals) is logged and kept in error_detail.
FAILED_ON_ERROR = REPORT_JOB.failed_on_error()
FAILED_UNAVAILABLE = REPORT_JOB.failed_unavailable()


def report_build_html(*, data: ReportData, report: Report) -> str:
    """The report as HTML: Django templates, charts as data: URIs."""
    # Numbers, not names: the table under the chart names them, and long names
    # would be cut short around the radar.
    labels = [str(row.principle.number) for row in data.rows]
    series = [("Joint", [row.level for row in data.rows])]
    series += [
        (f"{name} (self)", [row.self_levels[index] for row in data.rows])
        for index, name in enumerate(data.partner_columns)
    ]
    radar = charts.radar_chart(
        title="Joint view and each partner's own view",
        labels=labels,
        series=series,
        width=600,
    )
    heat_map = charts.risk_heat_map(counts=data.risk_counts, title="Open risks")
    return render_to_string(
        "assessments/pdf/report.html",
        {
            "report": report,
            "data": data,
            "radar_uri": svg_data_uri(radar),
            "heat_map_uri": svg_data_uri(heat_map),
            "stylesheet_url": static_url_for_report("css/report.css"),
            "detail_url": report_absolute_url(report),
            "now": timezone.now(),
        },
    )


def _store(
    report: Report,
    *,
    claimed_at: datetime.datetime,
    pdf: RenderedPdf,
    fingerprint: str,
) -> bool:
    """Write the file once, then mark the row done if the claim is still ours."""
    name = default_storage.save(
        f"reports/{claimed_at:%Y/%m}/{report.relationship.reference}-"
        f"{report.period_start:%Y%m%d}-{report.issue}-{report.pk}.pdf",
        ContentFile(pdf.content),
    )
    return REPORT_JOB.finish(
        report,
        claimed_at=claimed_at,
        changes={
            "file": name,
            "sha256": hashlib.sha256(pdf.content).hexdigest(),
            "data_fingerprint": fingerprint,
            "page_count": pdf.page_count,
            "size_bytes": len(pdf.content),
        },
        stored_names=[name],
    )


def _build(report: Report, claimed_at: datetime.datetime) -> bool:
    data = report_data(report=report, now=claimed_at)
    html = report_build_html(data=data, report=report)
    pdf = pdf_from_html(html=html)
    return _store(report, claimed_at=claimed_at, pdf=pdf, fingerprint=data.fingerprint)


def report_render(*, report_id: int, now: datetime.datetime | None = None) -> str:
    """Claim the report, render it and store it, then tell people; returns a
    RenderOutcome (`RenderJob.render` says how claims and errors go)."""
    outcome = REPORT_JOB.render(pk=report_id, now=now, build=_build)
    if outcome == RenderOutcome.DONE:
        _notify_or_queue(report_id=report_id)
    return outcome


def _notify_or_queue(*, report_id: int) -> None:
    """Tell people about the new report from the process that made it: one task per
    report, not two. Only when that fails (mail server or database briefly away)
    does a notify task of its own take over, retrying with back-off; the report
    itself is done either way. The Notice row keeps the e-mails to one round."""
    try:
        report_notify(report_id=report_id)
    except TRANSIENT_ERRORS:
        logger.warning("Report %s: could not e-mail its link yet; queued", report_id)
        from assessments.tasks import report_notify_task

        transaction.on_commit(lambda: report_notify_task.delay(report_id))


# --- telling people ------------------------------------------------------------------


def report_notify(*, report_id: int) -> int:
    """E-mail managers and subscribers a link to a new report, once; returns how many
    messages went out."""
    report = (
        Report.objects.filter(pk=report_id, status=ReportStatus.DONE)
        .select_related("relationship", "plan_version", "supersedes")
        .first()
    )
    if report is None:
        return 0
    recipients = report_recipients(report=report)
    if not recipients:
        return 0
    with transaction.atomic():
        _notice, created = Notice.objects.get_or_create(
            report=report,
            kind=NoticeKind.REPORT_READY,
            defaults={
                "relationship": report.relationship,
                "period_start": report.period_start,
                "period_end": report.period_end,
                "recipients": "\n".join(user.email for user in recipients),
            },
        )
        if not created:
            return 0
        context = {
            "report": report,
            "period": ReportPeriod(start=report.period_start, end=report.period_end),
            "report_url": report_absolute_url(report),
            "reports_url": site_url()
            + reverse(
                "assessments:report_list",
                kwargs={"reference": report.relationship.reference},
            ),
        }
        subject = " ".join(
            render_to_string(
                "assessments/email/report_ready_subject.txt", context
            ).split()
        )
        messages = [
            EmailMessage(
                subject=subject,
                body=render_to_string(
                    "assessments/email/report_ready.txt",
                    {**context, "recipient": user},
                ),
                to=[user.email],
            )
            for user in recipients
        ]
        # A mail server error rolls the notice back, so a retry sends again.
        return get_connection().send_messages(messages) or 0
