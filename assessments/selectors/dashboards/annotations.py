"""Annotations of a portfolio queryset (score, trend, assessment state, overdue
items) and its sort orders, shared by the portfolio filters and dashboard."""

from datetime import date

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    CharField,
    DateField,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from assessments.choices import Cadence
from assessments.models import AssessmentSchedule, PrincipleRating
from assessments.selectors.dashboards.common import (
    ASSESSED_STATUSES,
    AssessmentState,
    MaturityScale,
    last_ended_periods,
    shared_joint_assessments,
)
from relationships.access import AnyUser, visible_records
from relationships.models import (
    OPEN_ACTION_STATUSES,
    OPEN_RISK_STATUSES,
    Action,
    Relationship,
    Risk,
)

# --- portfolio annotations -----------------------------------------------------


SORTS = {
    "title": ("title", "pk"),
    "-title": ("-title", "-pk"),
    "score": (F("overall_score").asc(nulls_first=True), "title", "pk"),
    "-score": (F("overall_score").desc(nulls_last=True), "title", "pk"),
    "trend": (F("score_trend").asc(nulls_last=True), "title", "pk"),
    "-trend": (F("score_trend").desc(nulls_last=True), "title", "pk"),
    "stage": ("stage__number", "title", "pk"),
    "-stage": ("-stage__number", "title", "pk"),
}


def _level_score(scale: MaturityScale) -> Case:
    return Case(
        *(
            When(level=level, then=Value(float(score)))
            for level, score in scale.scores.items()
        ),
        output_field=FloatField(),
    )


def with_scores(
    relationships: QuerySet[Relationship], *, scale: MaturityScale
) -> QuerySet[Relationship]:
    """Latest and previous shared joint assessment and their mean 0-100 score."""
    if "overall_score" in relationships.query.annotations:
        return relationships
    joint = (
        shared_joint_assessments()
        .filter(relationship=OuterRef("pk"))
        .order_by("-period_start")
    )
    level_score = _level_score(scale)

    def mean_score(assessment_field: str) -> Subquery:
        return Subquery(
            PrincipleRating.objects.filter(assessment_id=OuterRef(assessment_field))
            .order_by()
            .values("assessment_id")
            .annotate(mean=Avg(level_score))
            .values("mean"),
            output_field=FloatField(),
        )

    return relationships.annotate(
        latest_joint_id=Subquery(joint.values("pk")[:1]),
        previous_joint_id=Subquery(joint.values("pk")[1:2]),
        overall_score=mean_score("latest_joint_id"),
        previous_score=mean_score("previous_joint_id"),
    )


def with_score_trend(
    relationships: QuerySet[Relationship], *, scale: MaturityScale
) -> QuerySet[Relationship]:
    """The change of score since the previous joint assessment (only for sorting:
    the expression repeats the score subqueries)."""
    if "score_trend" in relationships.query.annotations:
        return relationships
    return with_scores(relationships, scale=scale).annotate(
        score_trend=F("overall_score") - F("previous_score")
    )


def with_assessment_state(
    relationships: QuerySet[Relationship], *, today: date
) -> QuerySet[Relationship]:
    """Whether the last complete period of the relationship's cadence (quarterly
    without a schedule) has a shared joint assessment; overdue after grace_days."""
    if "assessment_state" in relationships.query.annotations:
        return relationships
    periods = last_ended_periods(today)
    default_grace = AssessmentSchedule._meta.get_field("grace_days").default

    def per_cadence(values: dict[str, object], output_field) -> Case:
        return Case(
            *(
                When(schedule_cadence=cadence, then=Value(value))
                for cadence, value in values.items()
            ),
            output_field=output_field,
        )

    relationships = relationships.annotate(
        schedule_cadence=Coalesce(
            "assessment_schedule__cadence",
            Value(Cadence.QUARTERLY),
            output_field=CharField(),
        ),
        schedule_grace=Coalesce(
            "assessment_schedule__grace_days", Value(default_grace)
        ),
        schedule_active=Coalesce(
            "assessment_schedule__active", Value(True), output_field=BooleanField()
        ),
    )
    relationships = relationships.annotate(
        expected_start=per_cadence(
            {cadence: start for cadence, (start, _) in periods.items()}, DateField()
        ),
        expected_end=per_cadence(
            {cadence: end for cadence, (_, end) in periods.items()}, DateField()
        ),
        days_since_period_end=per_cadence(
            {cadence: (today - end).days for cadence, (_, end) in periods.items()},
            IntegerField(),
        ),
    )
    return relationships.annotate(
        assessment_state=Case(
            When(
                Q(schedule_active=False)
                | ~Q(status__in=ASSESSED_STATUSES)
                | Q(start_date__gt=F("expected_end")),
                then=Value(AssessmentState.NOT_EXPECTED),
            ),
            When(
                Exists(
                    shared_joint_assessments().filter(
                        relationship=OuterRef("pk"),
                        period_start__gte=OuterRef("expected_start"),
                    )
                ),
                then=Value(AssessmentState.DONE),
            ),
            When(
                days_since_period_end__gt=F("schedule_grace"),
                then=Value(AssessmentState.OVERDUE),
            ),
            default=Value(AssessmentState.DUE),
            output_field=CharField(),
        )
    )


def overdue_actions(today: date) -> QuerySet[Action]:
    return Action.objects.filter(status__in=OPEN_ACTION_STATUSES, due_date__lt=today)


def risks_past_review(today: date) -> QuerySet[Risk]:
    return Risk.objects.filter(status__in=OPEN_RISK_STATUSES, review_date__lt=today)


def with_overdue_items(
    relationships: QuerySet[Relationship], *, viewer: AnyUser | None, today: date
) -> QuerySet[Relationship]:
    """Flag relationships with an overdue action, a risk past its review date or
    an overdue joint assessment. Per viewer, as the attention lists count: only
    actions and risks the viewer may see, so the flag never tells a supplier
    that another supplier's private item is overdue (no viewer: joint ones)."""
    relationships = with_assessment_state(relationships, today=today)
    actions = overdue_actions(today).filter(visible_records(viewer, Action))
    risks = risks_past_review(today).filter(visible_records(viewer, Risk))
    return relationships.annotate(
        has_overdue_items=Case(
            When(
                Exists(actions.filter(relationship=OuterRef("pk")))
                | Exists(risks.filter(relationship=OuterRef("pk")))
                | Q(assessment_state=AssessmentState.OVERDUE),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def portfolio_sort(
    relationships: QuerySet[Relationship], *, sort: str, scale: MaturityScale
) -> QuerySet[Relationship]:
    if sort in ("trend", "-trend"):
        relationships = with_score_trend(relationships, scale=scale)
    elif sort in ("score", "-score"):
        relationships = with_scores(relationships, scale=scale)
    return relationships.order_by(*SORTS.get(sort, SORTS["title"]))
