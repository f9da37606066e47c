from django.contrib import admin

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
    Risk,
)


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
    model = Partnership
    extra = 0
    autocomplete_fields = ["organisation", "relationship_manager"]


class JointManagementTeamMemberInline(admin.TabularInline):
    model = JointManagementTeamMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Relationship)
class RelationshipAdmin(admin.ModelAdmin):
    list_display = ["title", "reference", "kind", "stage", "status"]
    list_filter = ["kind", "stage", "status"]
    search_fields = ["title", "reference"]
    inlines = [PartnershipInline, JointManagementTeamMemberInline]


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["organisation", "relationship", "role", "relationship_manager"]
    list_filter = ["role"]
    search_fields = ["organisation__name", "relationship__title"]


@admin.register(JointManagementTeamMember)
class JointManagementTeamMemberAdmin(admin.ModelAdmin):
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
    model = PlanSection
    extra = 0


@admin.register(PlanVersion)
class PlanVersionAdmin(admin.ModelAdmin):
    list_display = ["plan", "number", "status", "created_at", "approved_at"]
    list_filter = ["status"]
    inlines = [PlanSectionInline]


@admin.register(PlanSection)
class PlanSectionAdmin(admin.ModelAdmin):
    list_display = ["plan_version", "principle_key", "revision", "updated_at"]


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
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
class RiskAdmin(admin.ModelAdmin):
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
class ActionAdmin(admin.ModelAdmin):
    list_display = ["title", "relationship", "owner", "due_date", "status"]
    list_filter = ["status", "source"]
    search_fields = ["title", "relationship__title"]
