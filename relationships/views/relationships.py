import copy
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.generic import DetailView
from django_filters.views import FilterView

from assessments.selectors.ratings import relationship_latest_rating_table
from relationships.access import (
    organisations_that_may_lead,
    partner_invitations_to_answer,
    relationship_get_for_editing,
    relationship_get_for_user,
    user_can_edit_relationship,
)
from relationships.concurrency import StaleEdit, stale_notice
from relationships.filters import RelationshipFilterSet
from relationships.forms.relationships import RelationshipForm
from relationships.models import Relationship
from relationships.selectors.plans import (
    relationship_latest_approved_plan_version,
    relationship_latest_plan_version,
)
from relationships.selectors.relationships import relationship_list_for_user
from relationships.services.relationships import relationship_update


class RelationshipListView(LoginRequiredMixin, FilterView):
    filterset_class = RelationshipFilterSet
    template_name = "relationships/relationship_list.html"
    context_object_name = "relationships"
    paginate_by = 25

    def get_queryset(self) -> QuerySet[Relationship]:
        return relationship_list_for_user(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            can_start=organisations_that_may_lead(self.request.user).exists(),
            invitations_to_answer=partner_invitations_to_answer(self.request.user),
            **kwargs,
        )


class RelationshipDetailView(LoginRequiredMixin, DetailView):
    template_name = "relationships/relationship_detail.html"
    context_object_name = "relationship"

    def get_object(self, queryset: QuerySet | None = None) -> Relationship:
        return relationship_get_for_user(
            user=self.request.user, reference=self.kwargs["reference"]
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        relationship: Relationship = self.object
        return super().get_context_data(
            partnerships=relationship.partnerships.select_related(
                "organisation", "relationship_manager", "senior_executive"
            ),
            jmt_members=relationship.jmt_members.select_related(
                "user", "partnership__organisation"
            ),
            plan_version=relationship_latest_plan_version(relationship=relationship),
            approved_plan_version=relationship_latest_approved_plan_version(
                relationship=relationship
            ),
            objectives=relationship.objectives.select_related("owner__organisation"),
            risks=relationship.risks.select_related(
                "owner_partnership__organisation", "owner"
            ),
            actions=relationship.actions.select_related("owner", "risk"),
            rating_table=relationship_latest_rating_table(
                relationship=relationship, viewer=self.request.user
            ),
            can_edit=user_can_edit_relationship(
                user=self.request.user, relationship=relationship
            ),
            **kwargs,
        )


@login_required
def relationship_edit(request: HttpRequest, reference: str) -> HttpResponse:
    relationship = relationship_get_for_editing(user=request.user, reference=reference)
    stored = copy.copy(relationship)
    form = RelationshipForm(request.POST or None, instance=relationship)
    context: dict[str, Any] = {"form": form, "relationship": stored}
    if request.method == "POST" and form.is_valid():
        try:
            relationship_update(
                relationship=relationship,
                changes=form.record_changes(),
                expected_revision=form.expected_revision,
                user=request.user,
            )
        except StaleEdit as stale:
            context["stale"] = stale_notice(
                stale,
                noun="relationship",
                fields=form.stale_refused(stale),
                reload_url=request.path,
            )
            context["relationship"] = stale.current
            return render(
                request, "relationships/relationship_form.html", context, status=409
            )
        messages.success(request, "Relationship details saved.")
        return redirect(relationship)
    return render(request, "relationships/relationship_form.html", context)
