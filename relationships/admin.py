from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from relationships.concurrency import StaleEdit
from relationships.forms.concurrency import RevisionModelForm
from relationships.models import (
    Action,
    JointManagementTeamMember,
    Membership,
    Objective,
    Organisation,
    Partnership,
    Plan,
    PlanSection,
    PlanVersion,
    Relationship,
    RelationshipDocument,
    Risk,
)
from relationships.models.documents import DocumentRevision


class RevisionAdminMixin:
    """Admin pages of shared records edit them from a revision, like the site's
    forms: a stale form is shown again with the user's input and the difference
    (RevisionModelForm), and a save that loses the race is refused, not merged."""

    form = RevisionModelForm

    def save_model(
        self, request: HttpRequest, obj: Any, form: RevisionModelForm, change: bool
    ) -> None:
        if change:
            form.claim_revision()
        super().save_model(request, obj, form, change)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleEdit:
            # Lost between the form's check and the save; the transaction is
            # rolled back, so nothing of this save was written.
            messages.error(
                request,
                "Not saved: someone else changed this record at the same moment. "
                "Review it as it is now and save again.",
            )
            return HttpResponseRedirect(request.get_full_path())


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "msme_size", "country"]
    list_filter = ["kind", "msme_size"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role", "organisation"]
    search_fields = ["user__username", "user__email", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]


class PartnershipInline(admin.TabularInline):
    form = RevisionModelForm
    model = Partnership
    extra = 0
    autocomplete_fields = ["organisation", "relationship_manager"]


class JointManagementTeamMemberInline(admin.TabularInline):
    form = RevisionModelForm
    model = JointManagementTeamMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Relationship)
class RelationshipAdmin(RevisionAdminMixin, admin.ModelAdmin):
    list_display = ["title", "reference", "kind", "stage", "status"]
    list_filter = ["kind", "stage", "status"]
    search_fields = ["title", "reference"]
    inlines = [PartnershipInline, JointManagementTeamMemberInline]


@admin.register(Partnership)
class PartnershipAdmin(RevisionAdminMixin, admin.ModelAdmin):
    list_display = ["organisation", "relationship", "role", "relationship_manager"]
    list_filter = ["role"]
    search_fields = ["organisation__name", "relationship__title"]


@admin.register(JointManagementTeamMember)
class JointManagementTeamMemberAdmin(RevisionAdminMixin, admin.ModelAdmin):
    list_display = [
        "user",
        "relationship",
        "partnership",
        "role_title",
        "is_leadership",
    ]
    list_filter = ["is_leadership"]


class PlanVersionInline(admin.TabularInline):
    model = PlanVersion
    extra = 0
    fields = ["number", "status", "summary", "submitted_at", "approved_at"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["relationship", "created_at"]
    inlines = [PlanVersionInline]


class PlanSectionInline(admin.StackedInline):
    form = RevisionModelForm
    model = PlanSection
    extra = 0


@admin.register(PlanVersion)
class PlanVersionAdmin(admin.ModelAdmin):
    list_display = ["plan", "number", "status", "created_at", "approved_at"]
    list_filter = ["status"]
    # A version is submitted and approved only through the sign-off services,
    # never by a status edit that would skip the partners' sign-offs.
    readonly_fields = [
        "status",
        "submission_round",
        "submitted_at",
        "submitted_by",
        "approved_at",
        "approved_depth",
    ]
    inlines = [PlanSectionInline]


@admin.register(PlanSection)
class PlanSectionAdmin(RevisionAdminMixin, admin.ModelAdmin):
    list_display = ["plan_version", "principle_key", "revision", "updated_at"]


@admin.register(Objective)
class ObjectiveAdmin(RevisionAdminMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "relationship",
        "owner",
        "horizon",
        "status",
        "milestone_date",
    ]
    list_filter = ["horizon", "status"]
    search_fields = ["title", "relationship__title"]


@admin.register(Risk)
class RiskAdmin(RevisionAdminMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "relationship",
        "likelihood",
        "impact",
        "status",
        "review_date",
    ]
    list_filter = ["status"]
    search_fields = ["title", "relationship__title"]


@admin.register(Action)
class ActionAdmin(RevisionAdminMixin, admin.ModelAdmin):
    list_display = ["title", "relationship", "owner", "due_date", "status"]
    list_filter = ["status", "source"]
    search_fields = ["title", "relationship__title"]


class DocumentRevisionInline(admin.TabularInline):
    """A document's revisions, read-only: a stored revision never changes."""

    model = DocumentRevision
    extra = 0
    can_delete = False
    fields = readonly_fields = [
        "number",
        "file",
        "sha256",
        "content_type",
        "size_bytes",
        "uploaded_by",
        "uploaded_at",
        "change_note",
    ]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RelationshipDocument)
class RelationshipDocumentAdmin(RevisionAdminMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "relationship",
        "uploaded_by",
        "uploaded_at",
        "review_due_on",
        "expires_on",
    ]
    search_fields = ["title", "relationship__title"]
    inlines = [DocumentRevisionInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A stored document's file is its current revision's: a new file is a new
        # revision, uploaded from the document's page.
        return ["file", "content_type"] if obj is not None else []
