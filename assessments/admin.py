from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from assessments.models import (
    Assessment,
    AssessmentConfirmation,
    AssessmentSchedule,
    Notice,
    PrincipleRating,
    Report,
    ReportSubscription,
)
from relationships.admin import RevisionAdminMixin


class PrincipleRatingInline(admin.TabularInline):
    model = PrincipleRating
    extra = 0


class AssessmentConfirmationInline(admin.TabularInline):
    """Read-only: confirmations are given on the assessment page, where the
    representative's right and the ratings' fingerprint are checked."""

    model = AssessmentConfirmation
    extra = 0
    can_delete = False
    fields = [
        "partnership",
        "decision",
        "decided_by",
        "decided_at",
        "content_sha256",
        "cleared_at",
        "cleared_because",
        "reason",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(RevisionAdminMixin, admin.ModelAdmin):
    list_display = [
        "relationship",
        "period_start",
        "period_end",
        "kind",
        "partnership",
        "status",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["relationship__title"]
    # Submission and finalisation go through the services: a joint assessment is
    # final only when every partner has confirmed it, never by a status edit.
    readonly_fields = ["status", "submitted_at", "finalised_at"]
    inlines = [PrincipleRatingInline, AssessmentConfirmationInline]


@admin.register(PrincipleRating)
class PrincipleRatingAdmin(admin.ModelAdmin):
    list_display = ["assessment", "principle", "level"]
    list_filter = ["level"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["relationship", "period_start", "status", "generated_at", "sha256"]
    list_filter = ["status"]
    readonly_fields = ["sha256", "generated_at", "file", "error", "error_detail"]


@admin.register(AssessmentSchedule)
class AssessmentScheduleAdmin(RevisionAdminMixin, admin.ModelAdmin):
    list_display = ["relationship", "cadence", "active", "grace_days"]
    list_filter = ["cadence", "active"]


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["relationship", "user", "created_at"]


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["relationship", "kind", "period_start", "period_end", "sent_at"]
    list_filter = ["kind"]
