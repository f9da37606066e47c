"""Reads for the relationship pages: the list of the user's relationships."""

from django.db.models import Prefetch, QuerySet

from relationships.access import AnyUser, relationships_visible_to
from relationships.models import Partnership, Relationship


def relationship_list_for_user(user: AnyUser) -> QuerySet[Relationship]:
    return (
        relationships_visible_to(user)
        .select_related("stage")
        .prefetch_related(
            Prefetch(
                "partnerships",
                queryset=Partnership.objects.select_related("organisation"),
            )
        )
        .order_by("title")
    )
