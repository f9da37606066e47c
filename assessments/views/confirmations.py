"""Pages where the partners agree a joint assessment: confirm it, or send it back."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from assessments.choices import AssessmentStatus
from assessments.forms.assessments import AssessmentConfirmForm, AssessmentSendBackForm
from assessments.models import Assessment
from assessments.selectors.assessments import (
    assessment_get_joint_for_editing,
    assessment_guided_principles,
    assessment_rating_views,
    assessment_ratings,
)
from assessments.selectors.confirmations import assessment_confirmation_state
from assessments.services.confirmations import (
    assessment_confirm,
    assessment_send_back,
)
from assessments.views.assessments import _base_context
from relationships.access import assessment_partnerships_confirmable_by
from relationships.models import Partnership


def _detail_url(assessment: Assessment) -> str:
    return reverse(
        "assessments:assessment_detail",
        kwargs={"reference": assessment.relationship.reference, "pk": assessment.pk},
    )


def _not_representative(partnership: Partnership) -> PermissionDenied:
    return PermissionDenied(
        f"You are not a named representative of {partnership.organisation}: only "
        "its relationship manager or a leadership member of the joint management "
        "team may confirm the joint assessment for it, or send it back."
    )


def _refused(error: ValidationError, partnership: Partnership) -> str:
    """The service's refusal as one sentence; a representation lost meanwhile is
    a permission error like any other."""
    if getattr(error, "code", None) == "not_representative":
        raise _not_representative(partnership)
    return " ".join(error.messages)


def _context(request: HttpRequest, assessment: Assessment, **extra: Any) -> dict:
    rows = assessment_rating_views(
        assessment=assessment,
        guided_principles=assessment_guided_principles(assessment=assessment),
        ratings=assessment_ratings(user=request.user, assessment=assessment),
    )
    return _base_context(
        assessment,
        rows=rows,
        rated_count=sum(row.rating is not None for row in rows),
        confirmation=assessment_confirmation_state(
            user=request.user, assessment=assessment
        ),
        **extra,
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_confirm_view(
    request: HttpRequest, reference: str, pk: int
) -> HttpResponse:
    assessment = assessment_get_joint_for_editing(
        user=request.user, reference=reference, pk=pk
    )
    status = 200
    if request.method == "POST":
        form = AssessmentConfirmForm(
            request.POST,
            partnerships=assessment.relationship.partnerships.select_related(
                "organisation"
            ),
        )
        if not form.is_valid():
            messages.error(
                request,
                "Nothing was confirmed: the form did not say which partner and "
                "which ratings. Use a “Confirm for …” button below.",
            )
            status = 400
        else:
            partnership = form.cleaned_data["partnership"]
            if (
                not assessment_partnerships_confirmable_by(
                    user=request.user, assessment=assessment
                )
                .filter(pk=partnership.pk)
                .exists()
            ):
                raise _not_representative(partnership)
            try:
                assessment_confirm(
                    assessment=assessment,
                    partnership=partnership,
                    user=request.user,
                    seen_sha256=form.cleaned_data["content_sha256"],
                )
            except ValidationError as error:
                messages.error(
                    request,
                    f"Nothing was confirmed: {_refused(error, partnership)}",
                )
                status = 409
            else:
                assessment.refresh_from_db()
                if assessment.status == AssessmentStatus.FINAL:
                    text = (
                        f"Confirmed for {partnership.organisation}. Every partner "
                        "has now confirmed: the joint assessment is final and "
                        "read-only."
                    )
                else:
                    text = (
                        f"Confirmed for {partnership.organisation}. The joint "
                        "assessment becomes final once every partner has "
                        "confirmed these ratings; a change to them clears the "
                        "confirmations given so far."
                    )
                messages.success(request, text)
                return redirect(_detail_url(assessment))
        assessment.refresh_from_db()
    return render(
        request,
        "assessments/assessment_confirm.html",
        _context(request, assessment),
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_send_back_view(
    request: HttpRequest, reference: str, pk: int
) -> HttpResponse:
    assessment = assessment_get_joint_for_editing(
        user=request.user, reference=reference, pk=pk
    )
    represented = assessment_partnerships_confirmable_by(
        user=request.user, assessment=assessment
    )
    form = AssessmentSendBackForm(
        request.POST if request.method == "POST" else None, partnerships=represented
    )
    status = 200
    if request.method == "POST":
        if not represented.exists():
            raise PermissionDenied(
                "You are not a named representative of any partner: only a "
                "partner's relationship manager or a leadership member of the "
                "joint management team may send the joint assessment back."
            )
        if not form.is_valid():
            messages.error(request, "Nothing was sent back: see the form below.")
            status = 400
        else:
            partnership = form.cleaned_data["partnership"]
            try:
                assessment_send_back(
                    assessment=assessment,
                    partnership=partnership,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    form.add_error(None, error)
                    status = 400
                else:
                    status = 409
                messages.error(
                    request,
                    f"Nothing was sent back: {_refused(error, partnership)}",
                )
            else:
                messages.success(
                    request,
                    f"Sent back for {partnership.organisation}. The joint "
                    "assessment is a draft again, the confirmations given so far "
                    "no longer count, and the people who entered it were e-mailed "
                    "your reason.",
                )
                return redirect(_detail_url(assessment))
        assessment.refresh_from_db()
    return render(
        request,
        "assessments/assessment_send_back.html",
        _context(request, assessment, form=form),
        status=status,
    )
