from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import QuerySet
from django.views.generic import DetailView, TemplateView

from principles.models import PrincipleSet
from principles.selectors import lifecycle_stages_with_artefacts, maturity_levels


class CatalogueView(LoginRequiredMixin, TemplateView):
    """The principle sets, the lifecycle and the maturity scale (shared reference)."""

    template_name = "principles/catalogue.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            principle_sets=PrincipleSet.objects.all(),
            stages=lifecycle_stages_with_artefacts(),
            maturity_levels=maturity_levels(),
            **kwargs,
        )


class PrincipleSetDetailView(LoginRequiredMixin, DetailView):
    template_name = "principles/principleset_detail.html"
    context_object_name = "principle_set"
    slug_field = "key"
    slug_url_kwarg = "key"

    def get_queryset(self) -> QuerySet[PrincipleSet]:
        return PrincipleSet.objects.prefetch_related("principles")
