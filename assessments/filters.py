"""Filters of the assessments app's list pages and dashboards."""

from typing import Any

import django_filters
from django import forms
from django.core.validators import EMPTY_VALUES
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict

from assessments.models import RelationshipSummary
from assessments.selectors.dashboards import (
    PORTFOLIO_SORTS,
    DashboardCatalogue,
    MaturityScale,
    dashboard_catalogue,
)
from relationships.choices import RelationshipKind
from relationships.models import Partnership

PORTFOLIO_SORT_CHOICES = [
    ("title", "Title (A to Z)"),
    ("-title", "Title (Z to A)"),
    ("-score", "Overall score (highest first)"),
    ("score", "Overall score (lowest first)"),
    ("-trend", "Trend (most improved first)"),
    ("trend", "Trend (most declined first)"),
    ("stage", "Lifecycle stage (earliest first)"),
    ("-stage", "Lifecycle stage (latest first)"),
]

YES_NO = [("yes", "Yes"), ("no", "No")]


class PortfolioFilterSet(django_filters.FilterSet):
    """Filters of the portfolio dashboard, over the summaries of the relationships
    the user sees (one per relationship); every value is kept in the URL."""

    kind = django_filters.ChoiceFilter(
        choices=RelationshipKind.choices,
        empty_label="Any kind",
    )
    # By stage number (1-8, fixed by the lifecycle): readable in a shared URL.
    # The choices' names come from the catalogue when the filter set is made.
    stage = django_filters.ChoiceFilter(
        field_name="stage_number",
        choices=[],
        label="Lifecycle stage",
        empty_label="Any stage",
    )
    partner = django_filters.CharFilter(
        method="filter_partner",
        label="Partner organisation",
    )
    min_score = django_filters.NumberFilter(
        field_name="score",
        lookup_expr="gte",
        label="Lowest score",
        min_value=0,
        max_value=100,
    )
    max_score = django_filters.NumberFilter(
        field_name="score",
        lookup_expr="lte",
        label="Highest score",
        min_value=0,
        max_value=100,
    )
    overdue = django_filters.ChoiceFilter(
        choices=YES_NO,
        method="filter_overdue",
        label="Has overdue items",
        empty_label="Either",
    )
    sort = django_filters.ChoiceFilter(
        choices=PORTFOLIO_SORT_CHOICES,
        method="filter_sort",
        label="Sort by",
        empty_label=None,
    )

    class Meta:
        model = RelationshipSummary
        fields = ["kind", "stage", "partner", "min_score", "max_score", "overdue"]

    def __init__(
        self,
        data: QueryDict | dict[str, Any] | None = None,
        queryset: QuerySet[RelationshipSummary] | None = None,
        *,
        request: Any = None,
        prefix: str | None = None,
        catalogue: DashboardCatalogue | None = None,
    ) -> None:
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.catalogue = catalogue or dashboard_catalogue()
        self.filters["stage"].extra["choices"] = [
            (number, f"{number}. {name}") for number, name in self.catalogue.stages
        ]
        for name in ("kind", "stage", "overdue"):
            self.filters[name].extra["widget"] = forms.Select(
                attrs={"class": "form-select"}
            )

    @property
    def scale(self) -> MaturityScale:
        return self.catalogue.scale

    @property
    def selected_sort(self) -> str:
        # The sort applies even when another filter is invalid.
        if self.is_bound and not self.errors.get("sort"):
            return self.form.cleaned_data.get("sort") or "title"
        return "title"

    @property
    def narrows(self) -> bool:
        """True when a filter other than the sort leaves some relationships out
        (an invalid value filters nothing)."""
        if not self.is_bound:
            return False
        return any(
            value not in EMPTY_VALUES
            for name, value in self.form.cleaned_data.items()
            if name != "sort"
        )

    def filter_partner(
        self, queryset: QuerySet[RelationshipSummary], name: str, value: str
    ) -> QuerySet[RelationshipSummary]:
        # Only partners of relationships already visible can match, so no other
        # tenant's organisation is ever reachable through this filter.
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Exists(
                Partnership.objects.filter(
                    relationship_id=OuterRef("relationship_id")
                ).filter(
                    Q(organisation__name__icontains=value) | Q(organisation__slug=value)
                )
            )
        )

    def filter_overdue(
        self, queryset: QuerySet[RelationshipSummary], name: str, value: str
    ) -> QuerySet[RelationshipSummary]:
        return queryset.filter(has_overdue_items=value == "yes")

    def filter_sort(
        self, queryset: QuerySet[RelationshipSummary], name: str, value: str
    ) -> QuerySet[RelationshipSummary]:
        return queryset.order_by(*PORTFOLIO_SORTS.get(value, PORTFOLIO_SORTS["title"]))
