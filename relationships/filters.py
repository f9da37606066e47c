import django_filters
from django import forms
from django.db.models import Q, QuerySet
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
    Relationship,
    Risk,
)


def _words_filter(
    queryset: QuerySet, *, fields: tuple[str, ...], value: str
) -> QuerySet:
    """Rows where every word of the value is found in one of the fields."""
    for word in value.split():
        condition = Q()
        for field_name in fields:
            condition |= Q(**{f"{field_name}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset


# Filters over the whole portfolio take names, not a choice among every
# organisation, relationship or person the user can see: at a thousand
# relationships those lists ran to thousands of options, which cost most of each
# page's time and made the form unusable anyway.


class CompactFilterSet(django_filters.FilterSet):
    """A filter form whose widgets carry Bootstrap's classes, so that list pages
    render fields directly: crispy-forms' templates cost about a millisecond a
    field, on every view of a list. Its choices are short, fixed lists; a
    relationship, a partner or a person is searched by name (WordsFilter), so the
    form costs the same whatever the user sees."""

    @property
    def form(self):
        form = super().form
        if not getattr(form, "styled", False):
            for field in form.fields.values():
                widget = field.widget
                css_class = "form-select" if type(widget) is forms.Select else ""
                if isinstance(widget, forms.widgets.Input):
                    css_class = "form-control"
                if css_class:
                    widget.attrs["class"] = css_class
            form.styled = True
        return form


class WordsFilter(django_filters.CharFilter):
    """Rows where every word typed is found in one of `search_fields`."""

    placeholder = ""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault(
            "widget", forms.SearchInput(attrs={"placeholder": self.placeholder})
        )
        super().__init__(*args, **kwargs)

    def search_fields(self) -> tuple[str, ...]:
        raise NotImplementedError

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        value = (value or "").strip()
        if not value:
            return qs
        matched = _words_filter(qs, fields=self.search_fields(), value=value)
        return matched.distinct() if self.distinct else matched


class PartnerNameFilter(WordsFilter):
    """Rows of a partner organisation (`field_name`) whose name has the words."""

    placeholder = "Organisation name"

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label", "Partner")
        super().__init__(*args, **kwargs)

    def search_fields(self) -> tuple[str, ...]:
        return (f"{self.field_name}__name",)


class RelationshipSearchFilter(WordsFilter):
    """A relationship by its exact reference (what links from a relationship's own
    pages carry), or else by words of its title or reference."""

    placeholder = "Name or reference"

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label", "Relationship")
        super().__init__(*args, **kwargs)

    def search_fields(self) -> tuple[str, ...]:
        return ("relationship__title", "relationship__reference")

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        value = (value or "").strip()
        if not value:
            return qs
        exact = qs.filter(relationship__reference=value)
        return exact if exact.exists() else super().filter(qs, value)


class OwnerFilter(WordsFilter):
    """Rows owned by a person whose name or user name has the words."""

    placeholder = "Person's name"

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label", "Owner")
        super().__init__(*args, **kwargs)

    def search_fields(self) -> tuple[str, ...]:
        return ("owner__first_name", "owner__last_name", "owner__username")


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
    partner = PartnerNameFilter(field_name="partnerships__organisation", distinct=True)
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


class ObjectiveFilterSet(CompactFilterSet):
    q = django_filters.CharFilter(method="filter_text", label="Search")
    relationship = RelationshipSearchFilter()
    whose = django_filters.ChoiceFilter(
        choices=[("common", "Common objectives"), ("partner", "A partner's")],
        method="filter_whose",
        label="Whose",
        empty_label="Anyone's",
    )
    partner = PartnerNameFilter(field_name="owner__organisation")
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
        fields = [
            "q",
            "relationship",
            "whose",
            "partner",
            "horizon",
            "status",
            "overdue",
        ]

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _text_filter(
            queryset,
            fields=("title", "description", "kpi_name", "relationship__title"),
            value=value,
        )

    def filter_whose(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(owner__isnull=value == "common")

    def filter_overdue(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(milestone_overdue=value == "true")


RISK_STATUS_CHOICES = [
    ("active", "Still open"),
    *RiskStatus.choices,
]


class RiskFilterSet(CompactFilterSet):
    q = django_filters.CharFilter(method="filter_text", label="Search")
    relationship = RelationshipSearchFilter()
    whose = django_filters.ChoiceFilter(
        choices=[("joint", "Joint risks"), ("partner", "A partner's")],
        method="filter_whose",
        label="Whose",
        empty_label="Anyone's",
    )
    partner = PartnerNameFilter(field_name="owner_partnership__organisation")
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
            "whose",
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

    def filter_whose(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(owner_partnership__isnull=value == "joint")

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


class ActionFilterSet(CompactFilterSet):
    q = django_filters.CharFilter(method="filter_text", label="Search")
    relationship = RelationshipSearchFilter()
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
