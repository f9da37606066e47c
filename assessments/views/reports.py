"""Reports pages: list and request, detail with live status, download, retry,
re-issue, subscribe. The web request never renders a PDF: it queues the worker's
task."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import formats, timezone
from django.views.decorators.http import require_GET, require_http_methods

from assessments.choices import ReportStatus
from assessments.forms.reports import (
    AssessmentScheduleForm,
    ReportReissueForm,
    ReportRequestForm,
)
from assessments.models import Report
from assessments.selectors.reports import (
    ReportPeriod,
    relationship_finished_periods,
    relationship_schedule,
    report_get_for_editing,
    report_get_for_user,
    report_period_code,
    report_subscription_exists,
    reports_for_relationship,
)
from assessments.services import reports as report_services
from assessments.services.schedules import assessment_schedule_save
from relationships.access import (
    relationship_get_for_editing,
    relationship_get_for_user,
    user_can_edit_relationship,
)
from relationships.concurrency import StaleEdit, stale_notice
from relationships.models import Relationship


def _detail_url(report: Report) -> str:
    return reverse(
        "assessments:report_detail",
        kwargs={"reference": report.relationship.reference, "pk": report.pk},
    )


def _request_form(
    relationship: Relationship, data: dict | None = None
) -> ReportRequestForm:
    return ReportRequestForm(
        data,
        periods=relationship_finished_periods(relationship=relationship),
        action=reverse(
            "assessments:report_request", kwargs={"reference": relationship.reference}
        ),
    )


def _period(report: Report) -> ReportPeriod:
    return ReportPeriod(start=report.period_start, end=report.period_end)


@login_required
@require_GET
def report_list(request: HttpRequest, reference: str) -> HttpResponse:
    relationship = relationship_get_for_user(user=request.user, reference=reference)
    can_edit = user_can_edit_relationship(user=request.user, relationship=relationship)
    reports = list(reports_for_relationship(relationship=relationship))
    for report in reports:
        report.period = _period(report)
    return render(
        request,
        "assessments/report_list.html",
        {
            "relationship": relationship,
            "reports": reports,
            "can_edit": can_edit,
            "form": _request_form(relationship) if can_edit else None,
            "subscribed": report_subscription_exists(
                relationship=relationship, user=request.user
            ),
            "schedule": relationship_schedule(relationship=relationship),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_request(request: HttpRequest, reference: str) -> HttpResponse:
    relationship = relationship_get_for_editing(user=request.user, reference=reference)
    form = _request_form(relationship, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report, created = report_services.report_request(
                relationship=relationship,
                period=form.cleaned_data["period"],
                user=request.user,
                distribution=form.cleaned_data["distribution"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            label = _period(report).label
            if created:
                report.refresh_from_db(fields=["status"])  # eager mode: done already
                if report.status == ReportStatus.DONE:
                    messages.success(request, f"The {label} report is ready.")
                else:
                    # Saved whatever the broker's state: if its message was
                    # lost, the beat sends it again within minutes.
                    messages.success(
                        request,
                        f"The {label} report is queued and will be produced "
                        "shortly. This page shows its progress; you may leave it "
                        "and come back.",
                    )
            elif report.status == ReportStatus.FAILED:
                messages.warning(
                    request,
                    f"The {label} report failed earlier: retry it below.",
                )
            else:
                messages.info(
                    request,
                    f"The {label} report exists already ({report.number}): each "
                    "period has one report in force. Re-issue it below if it "
                    "must be made again.",
                )
            return redirect(_detail_url(report))
    return render(
        request,
        "assessments/report_request.html",
        {"relationship": relationship, "form": form},
    )


@login_required
@require_GET
def report_detail(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    relationship, report = report_get_for_user(
        user=request.user, reference=reference, pk=pk
    )
    return render(
        request,
        "assessments/report_detail.html",
        {
            "relationship": relationship,
            "report": report,
            "period": _period(report),
            "can_edit": user_can_edit_relationship(
                user=request.user, relationship=relationship
            ),
        },
    )


def report_status_payload(report: Report) -> dict:
    done = report.status == ReportStatus.DONE
    return {
        "id": report.pk,
        "status": report.status,
        "status_label": report.get_status_display(),
        "finished": report.status in (ReportStatus.DONE, ReportStatus.FAILED),
        "attempts": report.attempts,
        "error": report.error,
        "sha256": report.sha256,
        "page_count": report.page_count,
        "size_label": filesizeformat(report.size_bytes) if done else "",
        "generated_at": (
            formats.date_format(timezone.localtime(report.generated_at), "j M Y, H:i")
            if report.generated_at
            else ""
        ),
        "download_url": (
            reverse(
                "assessments:report_download",
                kwargs={"reference": report.relationship.reference, "pk": report.pk},
            )
            if done
            else ""
        ),
    }


@login_required
@require_GET
def report_status(request: HttpRequest, reference: str, pk: int) -> JsonResponse:
    _, report = report_get_for_user(user=request.user, reference=reference, pk=pk)
    response = JsonResponse(report_status_payload(report))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def report_download(request: HttpRequest, reference: str, pk: int) -> FileResponse:
    _, report = report_get_for_user(user=request.user, reference=reference, pk=pk)
    if report.status != ReportStatus.DONE:
        raise Http404("This report is not ready.")
    try:
        handle = report.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("The file of this report is missing.") from error
    return FileResponse(
        handle,
        as_attachment=True,
        filename=(
            f"{report.relationship.reference}-"
            f"{report_period_code(report.period_start, report.period_end)}"
            f"-report-issue-{report.issue}.pdf"
        ),
        content_type="application/pdf",
        headers={"X-Content-Type-Options": "nosniff"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_retry(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    relationship, report = report_get_for_editing(
        user=request.user, reference=reference, pk=pk
    )
    if request.method == "POST":
        if report_services.report_retry(report=report, user=request.user):
            messages.success(request, "The report is queued again.")
        else:
            messages.info(
                request,
                f"Only a failed report can be retried; this one is "
                f"{report.get_status_display().lower()}.",
            )
        return redirect(_detail_url(report))
    return render(
        request,
        "assessments/report_retry.html",
        {"relationship": relationship, "report": report, "period": _period(report)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_reissue(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    # Re-issuing is requesting a report again: the same people may do it.
    relationship, report = report_get_for_editing(
        user=request.user, reference=reference, pk=pk
    )
    form = ReportReissueForm(
        request.POST or None,
        action=request.path,
        initial={"distribution": report.distribution},
    )
    if request.method == "POST" and form.is_valid():
        try:
            new = report_services.report_reissue(
                report=report,
                reason=form.cleaned_data["reason"],
                distribution=form.cleaned_data["distribution"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Issue {new.issue} ({new.number}) is queued and supersedes "
                f"{report.number}, which stays downloadable.",
            )
            return redirect(_detail_url(new))
    return render(
        request,
        "assessments/report_reissue.html",
        {
            "relationship": relationship,
            "report": report,
            "period": _period(report),
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_subscribe(request: HttpRequest, reference: str) -> HttpResponse:
    # Reading is enough: auditors subscribe to the reports they audit.
    relationship = relationship_get_for_user(user=request.user, reference=reference)
    if request.method == "POST":
        if report_services.report_subscription_toggle(
            relationship=relationship, user=request.user
        ):
            if request.user.email:
                messages.success(
                    request,
                    f"Subscribed: each new report of {relationship.title} will be "
                    f"e-mailed to {request.user.email} as a link.",
                )
            else:
                messages.warning(
                    request,
                    "Subscribed, but your account has no e-mail address yet, so "
                    "nothing can be sent until one is added.",
                )
        else:
            messages.success(
                request, f"Unsubscribed: no more report e-mails for {relationship}."
            )
        return redirect("assessments:report_list", reference=relationship.reference)
    return render(
        request,
        "assessments/report_subscribe.html",
        {
            "relationship": relationship,
            "subscribed": report_subscription_exists(
                relationship=relationship, user=request.user
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def schedule_edit(request: HttpRequest, reference: str) -> HttpResponse:
    relationship = relationship_get_for_editing(user=request.user, reference=reference)
    schedule = relationship_schedule(relationship=relationship)
    form = AssessmentScheduleForm(
        request.POST or None, instance=schedule, action=request.path
    )
    context: dict[str, Any] = {"relationship": relationship, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            schedule = assessment_schedule_save(
                relationship=relationship,
                cadence=form.cleaned_data["cadence"],
                grace_days=form.cleaned_data["grace_days"],
                active=form.cleaned_data["active"],
                expected_revision=form.expected_revision,
                user=request.user,
            )
        except StaleEdit as stale:
            context["stale"] = stale_notice(
                stale,
                noun="schedule",
                fields=form.stale_refused(stale),
                reload_url=request.path,
            )
            return render(
                request, "assessments/report_schedule_form.html", context, status=409
            )
        messages.success(
            request,
            f"Schedule saved: assessed {schedule.get_cadence_display().lower()}, "
            f"{schedule.grace_days} days to complete"
            + ("." if schedule.active else "; automatic opening and reminders off."),
        )
        return redirect("assessments:report_list", reference=relationship.reference)
    return render(request, "assessments/report_schedule_form.html", context)
