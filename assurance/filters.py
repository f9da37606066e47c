"""Filters of the assurance registers (django-filter)."""

import django_filters

from assurance.clauses import Iso44001Clause
from assurance.models import Finding
from assurance.models.findings import FindingKind, FindingStatus
from relationships.filters import CompactFilterSet


class FindingFilterSet(CompactFilterSet):
    """The findings register's filters: kind, status and clause."""

    kind = django_filters.ChoiceFilter(
        label="Kind", choices=FindingKind.choices, empty_label="Any kind"
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=FindingStatus.choices, empty_label="Open or closed"
    )
    clause = django_filters.ChoiceFilter(
        label="Clause", choices=Iso44001Clause.choices, empty_label="Any clause"
    )

    class Meta:
        model = Finding
        fields = ["kind", "status", "clause"]
