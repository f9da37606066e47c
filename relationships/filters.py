import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from principles.choices import PrincipleKey
from principles.models import LifecycleStage
from relationships.choices import (
    ActionSource,
    ActionStatus,
    Horizon,
    ObjectiveStatus,
    RelationshipKind,
    RelationshipStatus,
    RiskStatus,
)
from relationships.models import (
    OPEN_ACTION_STATUSES,
    OPEN_RISK_STATUSES,
    Action,
    Objective,
    Organisation,
    Relationship,
    Risk,
)
from relationships.selectors import (
    organisations_visible_to,
    relationships_visible_to,
)
from relationships.selectors.registers import users_owning_in_visible_relationships
from relationships.widgets import FastSelect


def _partner_choices(request: HttpRequest | None) -> QuerySet[Organisation]:
    if request is None:
        return Organisation.objects.none()
    # Only what an <option> shows: at thousands of organisations, loading whole
    # rows is most of the page's cost.
    return organisations_visible_to(request.user).only("id", "name")


class RelationshipFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label="Search")
    kind = django_filters.ChoiceFilter(
        choices=RelationshipKind.choices, empty_label="Any kind"
    )
    stage = django_filters.ModelChoiceFilter(
        queryset=LifecycleStage.objects.all(),
        label="Lifecycle stage",
        empty_label="Any stage",
    )
    partner = django_filters.ModelChoiceFilter(
        widget=FastSelect,
        queryset=_partner_choices,
        field_name="partnerships__organisation",
        label="Partner",
        empty_label="Any partner",
        distinct=True,
    )
    status = django_filters.ChoiceFilter(
        choices=RelationshipStatus.choices, empty_label="Any status"
    )

    class Meta:
        model = Relationship
        fields = ["q", "kind", "stage", "partner", "status"]

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(reference__icontains=value)
            | Q(description__icontains=value)
            | Q(partnerships__organisation__name__icontains=value)
        ).distinct()


# --- registers: objectives, risks, actions ---------------------------------------


def _relationship_choices(request: HttpRequest | None) -> QuerySet[Relationship]:
    if request is None:
        return Relationship.objects.none()
    return (
        relationships_visible_to(request.user)
        .only("id", "title", "reference")
        .order_by("title")
    )


def _owner_choices(request: HttpRequest | None) -> QuerySet:
    if request is None:
        return get_user_model().objects.none()
    return users_owning_in_visible_relationships(request.user).only(
        "id", "username", "first_name", "last_name"
    )


class _PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class OwnerFilter(django_filters.ModelChoiceFilter):
    field_class = _PersonChoiceField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("queryset", _owner_choices)
        kwargs.setdefault("widget", FastSelect)
        kwargs.setdefault("label", "Owner")
        kwargs.setdefault("empty_label", "Anyone")
        super().__init__(*args, **kwargs)


def _relationship_filter() -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        widget=FastSelect,
        queryset=_relationship_choices,
        to_field_name="reference",
        label="Relationship",
        empty_label="Any relationship",
    )


def _text_filter(
    queryset: QuerySet, *, fields: tuple[str, ...], value: str
) -> QuerySet:
    value = value.strip()
    if not value:
        return queryset
    condition = Q()
    for field_name in fields:
        condition |= Q(**{f"{field_name}__icontains": value})
    return queryset.filter(condition)


OVERDUE_CHOICES = [("true", "Overdue only"), ("false", "Not overdue")]


def _filter_flag(queryset: QuerySet, *, condition: Q, value: str) -> QuerySet:
    """Rows meeting the condition for "true", the others for "false"."""
    if value == "true":
        return queryset.filter(condition)
    return queryset.exclude(condition)


class ObjectiveFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label="Search")
    relationship = _relationship_filter()
    partner = django_filters.ModelChoiceFilter(
        widget=FastSelect,
        queryset=_partner_choices,
        field_name="owner__organisation",
        label="Whose",
        empty_label="Anyone's",
        null_label="Common objectives",
    )
    horizon = django_filters.ChoiceFilter(
        choices=Horizon.choices, empty_label="Any horizon"
    )
    status = django_filters.ChoiceFilter(
        choices=ObjectiveStatus.choices, empty_label="Any status"
    )
    overdue = django_filters.ChoiceFilter(
        choices=OVERDUE_CHOICES,
        method="filter_overdue",
        label="Milestone",
        empty_label="Any milestone",
    )

    class Meta:
        model = Objective
        fields = ["q", "relationship", "partner", "horizon", "status", "overdue"]

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _text_filter(
            queryset,
            fields=("title", "description", "kpi_name", "relationship__title"),
            value=value,
        )

    def filter_overdue(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(milestone_overdue=value == "true")


RISK_STATUS_CHOICES = [
    ("active", "Still open"),
    *RiskStatus.choices,
]


class RiskFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label="Search")
    relationship = _relationship_filter()
    partner = django_filters.ModelChoiceFilter(
        widget=FastSelect,
        queryset=_partner_choices,
        field_name="owner_partnership__organisation",
        label="Whose",
        empty_label="Anyone's",
        null_label="Joint risks",
    )
    status = django_filters.ChoiceFilter(
        choices=RISK_STATUS_CHOICES, method="filter_status", empty_label="Any status"
    )
    min_score = django_filters.NumberFilter(
        field_name="score_value",
        lookup_expr="gte",
        label="Minimum score",
        min_value=1,
        max_value=25,
    )
    likelihood = django_filters.ChoiceFilter(
        choices=[(value, value) for value in range(1, 6)],
        empty_label="Any likelihood",
    )
    impact = django_filters.ChoiceFilter(
        choices=[(value, value) for value in range(1, 6)],
        empty_label="Any impact",
    )
    owner = OwnerFilter()
    overdue = django_filters.ChoiceFilter(
        choices=OVERDUE_CHOICES,
        method="filter_overdue",
        label="Review",
        empty_label="Any review date",
    )

    class Meta:
        model = Risk
        fields = [
            "q",
            "relationship",
            "partner",
            "status",
            "min_score",
            "likelihood",
            "impact",
            "owner",
            "overdue",
        ]

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _text_filter(
            queryset,
            fields=("title", "description", "mitigation", "relationship__title"),
            value=value,
        )

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "active":
            return queryset.filter(status__in=OPEN_RISK_STATUSES)
        return queryset.filter(status=value)

    def filter_overdue(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        overdue = Q(status__in=OPEN_RISK_STATUSES, review_date__lt=timezone.localdate())
        return (
            queryset.filter(overdue) if value == "true" else queryset.exclude(overdue)
        )


ACTION_STATUS_CHOICES = [
    ("active", "Still open"),
    *ActionStatus.choices,
]


class ActionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label="Search")
    relationship = _relationship_filter()
    status = django_filters.ChoiceFilter(
        choices=ACTION_STATUS_CHOICES, method="filter_status", empty_label="Any status"
    )
    principle = django_filters.ChoiceFilter(
        field_name="principle_key",
        choices=PrincipleKey.choices,
        label="Principle",
        empty_label="Any principle",
    )
    source = django_filters.ChoiceFilter(
        choices=ActionSource.choices, empty_label="Any source"
    )
    owner = OwnerFilter()
    overdue = django_filters.ChoiceFilter(
        choices=OVERDUE_CHOICES,
        method="filter_overdue",
        label="Due date",
        empty_label="Any due date",
    )

    class Meta:
        model = Action
        fields = [
            "q",
            "relationship",
            "status",
            "principle",
            "source",
            "owner",
            "overdue",
        ]

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _text_filter(
            queryset,
            fields=("title", "description", "risk__title", "relationship__title"),
            value=value,
        )

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "active":
            return queryset.filter(status__in=OPEN_ACTION_STATUSES)
        return queryset.filter(status=value)

    def filter_overdue(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        overdue = Q(status__in=OPEN_ACTION_STATUSES, due_date__lt=timezone.localdate())
        return (
            queryset.filter(overdue) if value == "true" else queryset.exclude(overdue)
        )
