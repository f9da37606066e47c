"""Management reviews: an organisation's list, a relationship's list, record a
review, its detail, correct it, and its output actions."""

import copy
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from assurance.forms.reviews import (
    ManagementReviewActionForm,
    ManagementReviewForm,
    ReviewSubjectForm,
)
from assurance.models import ManagementReview
from assurance.selectors import reviews as selectors
from assurance.services import reviews as services
from relationships.access import (
    management_review_action_get_for_editing,
    management_review_get_for_editing,
    management_review_get_for_user,
    organisation_get_for_member_writing,
    organisation_get_for_records,
    partnerships_writable_by,
    relationship_get_for_user,
    user_writes_for_organisation,
)
from relationships.concurrency import StaleEdit, stale_notice


def _add_service_errors(form: BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, never as a server error."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field_name, field_errors in error.error_dict.items():
        known = field_name in form.fields and field_name != NON_FIELD_ERRORS
        form.add_error(field_name if known else None, field_errors)


def _save_form(
    request: HttpRequest,
    *,
    form: BaseForm,
    save: Callable[[], Any],
    noun: str,
    context: dict[str, Any],
) -> tuple[Any, int]:
    """Validate and save through the service: (saved, 200), or (None, status)
    with the errors (or the stale notice, 409) in the form and context."""
    if request.method != "POST" or not form.is_valid():
        return None, 200
    try:
        return save(), 200
    except ValidationError as error:
        _add_service_errors(form, error)
    except StaleEdit as stale:
        context["stale"] = stale_notice(
            stale, noun=noun, fields=form.stale_refused(stale), reload_url=request.path
        )
        return None, 409
    return None, 200


@login_required
@require_GET
def organisation_reviews(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_records(user=request.user, slug=slug)
    return render(
        request,
        "assurance/reviews/review_list.html",
        {
            "organisation": organisation,
            "reviews": selectors.organisation_review_rows(
                user=request.user, organisation=organisation
            ),
            "can_write": user_writes_for_organisation(
                user=request.user, organisation=organisation
            ),
        },
    )


@login_required
@require_GET
def relationship_reviews(request: HttpRequest, reference: str) -> HttpResponse:
    relationship = relationship_get_for_user(user=request.user, reference=reference)
    writes_for = (
        partnerships_writable_by(request.user)
        .filter(relationship=relationship)
        .select_related("organisation")
        .first()
    )
    return render(
        request,
        "assurance/reviews/relationship_review_list.html",
        {
            "relationship": relationship,
            "reviews": selectors.relationship_review_rows(
                user=request.user, relationship=relationship
            ),
            "record_for": writes_for.organisation if writes_for else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Record a review held: what is reviewed comes from the query (a GET form
    on the page); the gathered inputs are shown beside the fields."""
    organisation = organisation_get_for_member_writing(user=request.user, slug=slug)
    subject_form = ReviewSubjectForm(
        request.POST if request.method == "POST" else request.GET or None,
        organisation=organisation,
    )
    if subject_form.is_bound and subject_form.is_valid():
        relationship = subject_form.cleaned_data["relationship"]
        is_joint = bool(relationship and subject_form.cleaned_data["is_joint"])
    else:
        relationship, is_joint = None, False
    form = ManagementReviewForm(
        request.POST or None,
        initial={"held_on": timezone.localdate(), "chair": request.user.pk},
        organisation=organisation,
        relationship=relationship,
        is_joint=is_joint,
        user=request.user,
    )
    context: dict[str, Any] = {
        "organisation": organisation,
        "subject_form": subject_form,
        "form": form,
        "relationship_chosen": relationship,
        "is_joint": is_joint,
    }
    if (
        request.method == "POST"
        and subject_form.is_bound
        and not subject_form.is_valid()
    ):
        form.is_valid()
        form.add_error(
            None,
            "Choose what is reviewed again: "
            + " ".join(
                error for errors in subject_form.errors.values() for error in errors
            ),
        )
        saved, status = None, 200
    else:
        saved, status = _save_form(
            request,
            form=form,
            save=lambda: services.management_review_record(
                organisation=organisation,
                relationship=relationship,
                is_joint=is_joint,
                values=form.review_values(),
                user=request.user,
            ),
            noun="management review",
            context=context,
        )
    if saved is not None:
        messages.success(
            request,
            "Management review recorded, with the data it considered as it stands "
            "today. Add the actions it decided on below.",
        )
        return redirect(saved.get_absolute_url())
    scope = selectors.ReviewScope(
        organisation=None if is_joint else organisation,
        relationship=relationship,
        is_joint=is_joint,
        held_on=timezone.localdate(),
    )
    sections = selectors.management_review_inputs(scope)
    context["inputs"] = [(section, form[section.input_field]) for section in sections]
    return render(request, "assurance/reviews/review_form.html", context, status=status)


@login_required
@require_GET
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = management_review_get_for_user(user=request.user, pk=pk)
    detail = selectors.management_review_detail_context(
        user=request.user, review=review
    )
    return render(
        request,
        "assurance/reviews/review_detail.html",
        {"review": review, "detail": detail},
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_edit(request: HttpRequest, pk: int) -> HttpResponse:
    review = management_review_get_for_editing(user=request.user, pk=pk)
    stored = copy.copy(review)
    form = ManagementReviewForm(
        request.POST or None,
        instance=review,
        organisation=review.organisation,
        relationship=review.relationship,
        is_joint=review.is_joint,
        user=request.user,
    )
    context: dict[str, Any] = {"form": form}
    saved, status = _save_form(
        request,
        form=form,
        save=lambda: services.management_review_update(
            review=review,
            values=form.review_changes(),
            expected_revision=form.expected_revision,
            user=request.user,
        ),
        noun="management review",
        context=context,
    )
    if saved is not None:
        messages.success(request, "Management review updated.")
        return redirect(saved.get_absolute_url())
    if "stale" in context and context["stale"] is not None:
        stored = ManagementReview.objects.filter(pk=pk).first() or stored
    context["review"] = stored
    sections = selectors.sections_from_snapshot(stored.inputs_snapshot)
    context["inputs"] = [(section, form[section.input_field]) for section in sections]
    return render(request, "assurance/reviews/review_edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def review_action_create(request: HttpRequest, pk: int) -> HttpResponse:
    review = management_review_get_for_editing(user=request.user, pk=pk)
    form = ManagementReviewActionForm(request.POST or None, review=review)
    context: dict[str, Any] = {"review": review, "form": form}
    saved, status = _save_form(
        request,
        form=form,
        save=lambda: services.management_review_action_add(
            review=review, values=form.action_values(), user=request.user
        ),
        noun="action",
        context=context,
    )
    if saved is not None:
        messages.success(request, f"Action “{saved}” added to the review.")
        return redirect(reverse("assurance:review_detail", kwargs={"pk": review.pk}))
    return render(
        request, "assurance/reviews/review_action_form.html", context, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_action_edit(request: HttpRequest, review_pk: int, pk: int) -> HttpResponse:
    action = management_review_action_get_for_editing(
        user=request.user, review_pk=review_pk, pk=pk
    )
    stored = copy.copy(action)
    form = ManagementReviewActionForm(
        request.POST or None, instance=action, review=action.review
    )
    context: dict[str, Any] = {"review": action.review, "form": form}
    saved, status = _save_form(
        request,
        form=form,
        save=lambda: services.management_review_action_update(
            action=action,
            values=form.record_changes(),
            expected_revision=form.expected_revision,
            user=request.user,
        ),
        noun="action",
        context=context,
    )
    if saved is not None:
        messages.success(
            request, f"Action “{saved}” updated: {saved.get_status_display().lower()}."
        )
        return redirect(
            reverse("assurance:review_detail", kwargs={"pk": action.review_id})
        )
    context["action"] = stored
    return render(
        request, "assurance/reviews/review_action_form.html", context, status=status
    )
