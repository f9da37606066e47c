"""Pages of the rating workflow: list by period, start, edit, submit, finalise.

The partners' confirmation of a joint assessment has its pages in
views.confirmations."""

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from assessments.choices import AssessmentKind, AssessmentStatus
from assessments.exports import (
    XLSX_CONTENT_TYPE,
    assessment_export_filename,
    assessment_workbook,
)
from assessments.forms.assessments import (
    AssessmentStartForm,
    ImprovementActionForm,
    PrincipleRatingForm,
    principle_rating_forms,
)
from assessments.models import Assessment
from assessments.selectors.assessments import (
    assessment_get_for_editing,
    assessment_get_for_finalising,
    assessment_get_for_user,
    assessment_guided_principles,
    assessment_low_ratings_without_action,
    assessment_missing_principles,
    assessment_rating_for_action,
    assessment_rating_views,
    assessment_ratings,
    assessment_stale_fields,
    assessment_start_options,
    assessment_subject,
    evidence_choices_for_relationship,
    guidance_set_key,
    maturity_levels_by_number,
    relationship_assessment_overview,
    relationship_current_period,
)
from assessments.selectors.confirmations import (
    assessment_confirmation_state,
    assessment_partners_cleared_since,
)
from assessments.selectors.ratings import assessment_perception_gaps
from assessments.services.assessments import (
    assessment_finalise,
    assessment_ratings_save,
    assessment_start,
    assessment_submit,
    improvement_action_default_title,
    principle_rating_action_create,
)
from relationships.access import (
    relationship_get_for_editing,
    relationship_get_for_user,
    user_can_edit_assessment,
    user_can_finalise_assessment,
)
from relationships.concurrency import StaleEdit, stale_notice
from relationships.forms.concurrency import RevisionOnlyForm


def _assessment_url(assessment: Assessment, page: str = "assessment_detail") -> str:
    return reverse(
        f"assessments:{page}",
        kwargs={"reference": assessment.relationship.reference, "pk": assessment.pk},
    )


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _base_context(assessment: Assessment, **extra: Any) -> dict[str, Any]:
    return {
        "relationship": assessment.relationship,
        "assessment": assessment,
        "subject": assessment_subject(assessment),
        "subject_in_sentence": assessment_subject(assessment, in_sentence=True),
        **extra,
    }


@login_required
@require_GET
def assessment_list(request: HttpRequest, reference: str) -> HttpResponse:
    relationship = relationship_get_for_user(user=request.user, reference=reference)
    overview = relationship_assessment_overview(
        user=request.user, relationship=relationship
    )
    return render(
        request,
        "assessments/assessment_list.html",
        {
            "relationship": relationship,
            "overview": overview,
            "start_options": overview.start_options,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_start_view(request: HttpRequest, reference: str) -> HttpResponse:
    relationship = relationship_get_for_editing(user=request.user, reference=reference)
    period = relationship_current_period(relationship=relationship)
    options = assessment_start_options(
        user=request.user, relationship=relationship, period_start=period.start
    )
    form = AssessmentStartForm(request.POST or None, options=options)
    if request.method == "POST" and form.is_valid():
        option = form.cleaned_data["option"]
        try:
            assessment = assessment_start(
                relationship=relationship,
                kind=option.kind,
                partnership=option.partnership,
                period=period,
                user=request.user,
                from_previous=form.cleaned_data["from_previous"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            copied = (
                f", starting from {assessment.based_on.period_label}"
                if assessment.based_on_id
                else ""
            )
            messages.success(
                request,
                f"Started the {period.label} "
                f"{assessment_subject(assessment, in_sentence=True)}{copied}. "
                "Save as you go; nothing is shared until you submit.",
            )
            return redirect(_assessment_url(assessment, "assessment_edit"))
    return render(
        request,
        "assessments/assessment_start.html",
        {
            "relationship": relationship,
            "period": period,
            "options": options,
            "form": form,
        },
    )


@login_required
@require_GET
def assessment_detail(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    assessment = assessment_get_for_user(user=request.user, reference=reference, pk=pk)
    guided_principles = assessment_guided_principles(assessment=assessment)
    rows = assessment_rating_views(
        assessment=assessment,
        guided_principles=guided_principles,
        ratings=assessment_ratings(user=request.user, assessment=assessment),
    )
    can_edit = user_can_edit_assessment(user=request.user, assessment=assessment)
    return render(
        request,
        "assessments/assessment_detail.html",
        _base_context(
            assessment,
            rows=rows,
            rated_count=sum(row.rating is not None for row in rows),
            low_without_action=[row for row in rows if row.needs_action],
            gaps=assessment_perception_gaps(assessment=assessment, viewer=request.user),
            guidance_set_key=guidance_set_key(assessment=assessment),
            confirmation=assessment_confirmation_state(
                user=request.user, assessment=assessment
            ),
            can_edit=can_edit and assessment.status != AssessmentStatus.FINAL,
            can_finalise=(
                can_edit
                and assessment.status == AssessmentStatus.SUBMITTED
                and user_can_finalise_assessment(
                    user=request.user, assessment=assessment
                )
            ),
        ),
    )


def _refuse_final(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    messages.error(
        request,
        "This assessment is final and read-only; nothing was changed. Start the "
        "next period's assessment to record a new view.",
    )
    return redirect(_assessment_url(assessment))


def _add_save_errors(
    request: HttpRequest,
    forms_by_key: dict[str, PrincipleRatingForm],
    error: ValidationError,
) -> None:
    """Show the service's errors on the panels they belong to."""
    if not hasattr(error, "error_dict"):
        messages.error(request, f"Nothing was saved: {_error_text(error)}")
        return
    for name, messages_ in error.message_dict.items():
        principle_key, _, field_name = name.partition("__")
        form = forms_by_key.get(principle_key)
        if form is None:
            messages.error(request, f"Nothing was saved: {' '.join(messages_)}")
            continue
        target = field_name if field_name in form.fields else None
        for message in messages_:
            form.add_error(target, message)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    assessment = assessment_get_for_editing(
        user=request.user, reference=reference, pk=pk
    )
    if assessment.status == AssessmentStatus.FINAL:
        return _refuse_final(request, assessment)
    relationship = assessment.relationship
    guided_principles = assessment_guided_principles(assessment=assessment)
    ratings = assessment_ratings(user=request.user, assessment=assessment)
    levels = maturity_levels_by_number()
    forms = principle_rating_forms(
        data=request.POST if request.method == "POST" else None,
        relationship=relationship,
        guided_principles=guided_principles,
        ratings=ratings,
        maturity_levels=list(levels.values()),
        evidence_choices=evidence_choices_for_relationship(
            user=request.user,
            relationship=relationship,
            principles=[guided.principle for guided in guided_principles],
        ),
    )
    revision_form = RevisionOnlyForm(
        request.POST if request.method == "POST" else None,
        initial={"revision": assessment.revision},
    )
    stale = None
    # Every panel is validated (no short-circuit) so all errors show at once.
    if request.method == "POST" and all(
        [form.is_valid() for form in [revision_form, *forms]]
    ):
        # Only panels the user touched are written; the assessment's revision
        # refuses the whole save when anyone saved since the page was opened.
        changed = [form.rating_input for form in forms if form.has_changed()]
        saved_from = timezone.now()
        try:
            saved = assessment_ratings_save(
                assessment=assessment,
                ratings=changed,
                expected_revision=revision_form.expected_revision,
                user=request.user,
            )
        except ValidationError as error:
            _add_save_errors(request, {form.guided.key: form for form in forms}, error)
        except StaleEdit as refused:
            ratings = assessment_ratings(user=request.user, assessment=assessment)
            stale = stale_notice(
                refused,
                noun="assessment",
                fields=assessment_stale_fields(ratings=ratings, inputs=changed),
                reload_url=request.path,
            )
            revision_form.keep_input_at(refused.current.revision)
        else:
            return _after_save(
                request, assessment, saved_count=len(saved), saved_from=saved_from
            )
    elif request.method == "POST" and revision_form.errors:
        messages.error(
            request,
            "Nothing was saved: the page lost track of the version it was opened "
            "at. Reload it and enter your changes again.",
        )
    rows = assessment_rating_views(
        assessment=assessment, guided_principles=guided_principles, ratings=ratings
    )
    return render(
        request,
        "assessments/assessment_edit.html",
        status=409 if stale else 200,
        context=_base_context(
            assessment,
            panels=list(zip(forms, rows, strict=True)),
            rated_count=len(ratings),
            invalid_forms=[form for form in forms if form.is_bound and form.errors],
            revision_form=revision_form,
            stale=stale,
            gaps=assessment_perception_gaps(assessment=assessment, viewer=request.user),
            guidance_set_key=guidance_set_key(assessment=assessment),
        ),
    )


def _after_save(
    request: HttpRequest,
    assessment: Assessment,
    *,
    saved_count: int,
    saved_from: datetime.datetime,
) -> HttpResponse:
    rated = 12 - len(assessment_missing_principles(assessment=assessment))
    if saved_count:
        messages.success(
            request,
            f"Saved {saved_count} principle{'s' if saved_count != 1 else ''}; "
            f"{rated} of 12 now have a level.",
        )
    else:
        messages.info(request, "No changes to save.")
    cleared = assessment_partners_cleared_since(assessment=assessment, since=saved_from)
    if cleared:
        messages.warning(
            request,
            f"Your change cleared the confirmation of {', '.join(cleared)}: the "
            "partners confirm the changed ratings afresh.",
        )
    low = assessment_low_ratings_without_action(assessment=assessment)
    if low:
        names = ", ".join(rating.principle.name for rating in low)
        messages.warning(
            request,
            f"Low ratings without an improvement action: {names}. Raise one with a "
            "click on the principle's panel.",
        )
    if "save_and_submit" in request.POST:
        return redirect(_assessment_url(assessment, "assessment_submit"))
    anchor = request.POST.get("panel", "")
    url = _assessment_url(assessment, "assessment_edit")
    return redirect(f"{url}#principle-{anchor}" if anchor.isidentifier() else url)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_submit_view(
    request: HttpRequest, reference: str, pk: int
) -> HttpResponse:
    assessment = assessment_get_for_editing(
        user=request.user, reference=reference, pk=pk
    )
    if request.method == "POST":
        try:
            assessment_submit(assessment=assessment, user=request.user)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            shared = (
                " It is now visible to all partners."
                if assessment.kind == AssessmentKind.SELF
                else ""
            )
            messages.success(
                request, f"{assessment_subject(assessment)} submitted.{shared}"
            )
            return redirect(_assessment_url(assessment))
        assessment.refresh_from_db()
    return render(
        request,
        "assessments/assessment_submit.html",
        _base_context(
            assessment,
            missing=assessment_missing_principles(assessment=assessment),
            low_without_action=assessment_low_ratings_without_action(
                assessment=assessment
            ),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_finalise_view(
    request: HttpRequest, reference: str, pk: int
) -> HttpResponse:
    assessment = assessment_get_for_finalising(
        user=request.user, reference=reference, pk=pk
    )
    status = 200
    if request.method == "POST":
        try:
            assessment_finalise(assessment=assessment, user=request.user)
        except ValidationError as error:
            messages.error(request, _error_text(error))
            status = 409
        else:
            messages.success(
                request,
                f"{assessment_subject(assessment)} finalised; it is now read-only.",
            )
            return redirect(_assessment_url(assessment))
        assessment.refresh_from_db()
    return render(
        request,
        "assessments/assessment_finalise.html",
        _base_context(
            assessment,
            low_without_action=assessment_low_ratings_without_action(
                assessment=assessment
            ),
        ),
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_action_create(
    request: HttpRequest, reference: str, pk: int, principle_key: str
) -> HttpResponse:
    assessment = assessment_get_for_editing(
        user=request.user, reference=reference, pk=pk
    )
    rating = assessment_rating_for_action(
        assessment=assessment, principle_key=principle_key
    )
    default_title = improvement_action_default_title(
        assessment=assessment, rating=rating
    )
    form = ImprovementActionForm(request.POST or None, initial={"title": default_title})
    if request.method == "POST" and form.is_valid():
        try:
            action = principle_rating_action_create(
                assessment=assessment,
                rating=rating,
                user=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request,
                f"Improvement action “{action.title}” raised and linked to "
                f"{rating.principle.name}.",
            )
            page = (
                "assessment_edit"
                if request.POST.get("return_to") == "edit"
                else "assessment_detail"
            )
            return redirect(
                f"{_assessment_url(assessment, page)}#principle-{principle_key}"
            )
    return render(
        request,
        "assessments/assessment_action_form.html",
        _base_context(assessment, rating=rating, form=form),
    )


@login_required
@require_GET
def assessment_export(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    assessment = assessment_get_for_user(user=request.user, reference=reference, pk=pk)
    rows = assessment_rating_views(
        assessment=assessment,
        guided_principles=assessment_guided_principles(assessment=assessment),
        ratings=assessment_ratings(user=request.user, assessment=assessment),
    )
    response = HttpResponse(
        assessment_workbook(assessment=assessment, rows=rows),
        content_type=XLSX_CONTENT_TYPE,
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{assessment_export_filename(assessment)}"'
    )
    return response
