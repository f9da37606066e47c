from django.contrib import admin

from assessments.models import (
    Assessment,
    AssessmentSchedule,
    Notice,
    PrincipleRating,
    Report,
    ReportSubscription,
)


class PrincipleRatingInline(admin.TabularInline):
    model = PrincipleRating
    extra = 0


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
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
    inlines = [PrincipleRatingInline]


@admin.register(PrincipleRating)
class PrincipleRatingAdmin(admin.ModelAdmin):
    list_display = ["assessment", "principle", "level"]
    list_filter = ["level"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["relationship", "period_start", "status", "generated_at", "sha256"]
    list_filter = ["status"]
    readonly_fields = ["sha256", "generated_at", "file"]


@admin.register(AssessmentSchedule)
class AssessmentScheduleAdmin(admin.ModelAdmin):
    list_display = ["relationship", "cadence", "active", "grace_days"]
    list_filter = ["cadence", "active"]


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["relationship", "user", "created_at"]


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["relationship", "kind", "period_start", "period_end", "sent_at"]
    list_filter = ["kind"]
