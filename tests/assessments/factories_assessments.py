"""Helpers for the rating-workflow tests: assessments in a state, and form data."""

import datetime
from typing import Any

from django.urls import reverse

from assessments.choices import AssessmentKind, AssessmentStatus
from assessments.models import Assessment, PrincipleRating
from principles.models import Principle
from relationships.models import Partnership
from tests.factories import AssessmentFactory, rate_all_principles

Q1 = (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
Q2 = (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))


def make_assessment(
    world: Any,
    *,
    partnership: Partnership | None = None,
    status: str = AssessmentStatus.DRAFT,
    levels: list[int] | None = None,
    period: tuple[datetime.date, datetime.date] = Q1,
    **fields: Any,
) -> Assessment:
    """A joint assessment, or a self-assessment when a partnership is given."""
    assessment = AssessmentFactory(
        relationship=world.relationship,
        kind=AssessmentKind.SELF if partnership else AssessmentKind.JOINT,
        partnership=partnership,
        status=status,
        period_start=period[0],
        period_end=period[1],
        **fields,
    )
    if levels is not None:
        rate_all_principles(assessment, levels)
    return assessment


def url(name: str, assessment: Assessment, **extra: Any) -> str:
    return reverse(
        f"assessments:{name}",
        kwargs={
            "reference": assessment.relationship.reference,
            "pk": assessment.pk,
            **extra,
        },
    )


def principles_of(assessment: Assessment) -> list[Principle]:
    return list(
        Principle.objects.filter(
            principle_set__key=assessment.relationship.principle_set_key
        ).order_by("number")
    )


def edit_post_data(assessment: Assessment, **overrides: Any) -> dict[str, Any]:
    """The edit form as the browser would send it unchanged, plus overrides.

    Override keys use the form's names with "__" for "-", e.g.
    value_creation__level="2" or exit_strategy__evidence="...".
    """
    # The revision of a freshly opened page: the assessment as it is stored now.
    revision = Assessment.objects.values_list("revision", flat=True).get(
        pk=assessment.pk
    )
    data: dict[str, Any] = {"revision": str(revision)}
    ratings = {
        rating.principle.key: rating
        for rating in PrincipleRating.objects.filter(assessment=assessment)
        .select_related("principle")
        .prefetch_related("objectives", "risks", "documents")
    }
    for principle in principles_of(assessment):
        rating = ratings.get(principle.key)
        if rating is None:
            continue
        prefix = principle.key
        data[f"{prefix}-level"] = str(rating.level)
        data[f"{prefix}-evidence"] = rating.evidence
        data[f"{prefix}-comment"] = rating.comment
        data[f"{prefix}-plan_section_keys"] = list(rating.plan_section_keys)
        data[f"{prefix}-objectives"] = [str(o.pk) for o in rating.objectives.all()]
        data[f"{prefix}-risks"] = [str(r.pk) for r in rating.risks.all()]
        data[f"{prefix}-documents"] = [str(d.pk) for d in rating.documents.all()]
        for index, answer in enumerate(rating.prompt_answers):
            data[f"{prefix}-prompt_{index}"] = answer
    for name, value in overrides.items():
        data[name.replace("__", "-")] = value
    return data
