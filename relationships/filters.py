import django_filters
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from principles.models import LifecycleStage
from relationships.choices import RelationshipKind, RelationshipStatus
from relationships.models import Organisation, Relationship
from relationships.selectors import organisations_visible_to


def _partner_choices(request: HttpRequest | None) -> QuerySet[Organisation]:
    if request is None:
        return Organisation.objects.none()
    return organisations_visible_to(request.user)


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
