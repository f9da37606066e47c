from django.urls import include, path

from assessments.views import assessments as assessment_views
from assessments.views import confirmations as confirmation_views
from assessments.views import dashboards as dashboard_views
from assessments.views import health as health_views
from assessments.views import reports as report_views

app_name = "assessments"

# One assessment, self or joint: its ratings, the partners' confirmation.
assessment_urls = [
    path("", assessment_views.assessment_detail, name="assessment_detail"),
    path("edit/", assessment_views.assessment_edit, name="assessment_edit"),
    path("submit/", assessment_views.assessment_submit_view, name="assessment_submit"),
    path(
        "finalise/",
        assessment_views.assessment_finalise_view,
        name="assessment_finalise",
    ),
    path(
        "confirm/",
        confirmation_views.assessment_confirm_view,
        name="assessment_confirm",
    ),
    path(
        "send-back/",
        confirmation_views.assessment_send_back_view,
        name="assessment_send_back",
    ),
    path(
        "principles/<slug:principle_key>/action/",
        assessment_views.assessment_action_create,
        name="assessment_action_create",
    ),
    path("export.xlsx", assessment_views.assessment_export, name="assessment_export"),
]

# PDF reports, the assessment schedule, subscriptions.
report_urls = [
    path("", report_views.report_list, name="report_list"),
    path("generate/", report_views.report_request, name="report_request"),
    path("subscription/", report_views.report_subscribe, name="report_subscribe"),
    path("schedule/", report_views.schedule_edit, name="schedule_edit"),
    path("<int:pk>/", report_views.report_detail, name="report_detail"),
    path("<int:pk>/status/", report_views.report_status, name="report_status"),
    path("<int:pk>/download/", report_views.report_download, name="report_download"),
    path("<int:pk>/retry/", report_views.report_retry, name="report_retry"),
    path("<int:pk>/reissue/", report_views.report_reissue, name="report_reissue"),
]

# A relationship's pages of this app, beside those of relationships/urls.py.
relationship_urls = [
    path("assessments/", assessment_views.assessment_list, name="assessment_list"),
    path(
        "assessments/start/",
        assessment_views.assessment_start_view,
        name="assessment_start",
    ),
    path("assessments/<int:pk>/", include(assessment_urls)),
    path("reports/", include(report_urls)),
    path(
        "dashboard/",
        dashboard_views.relationship_dashboard,
        name="relationship_dashboard",
    ),
]

health_urls = [
    # Liveness, as /healthz/ always answered (monitors and the dashboards'
    # benchmark use it as the bare view).
    path("", health_views.healthz_live, name="healthz"),
    path("live/", health_views.healthz_live, name="healthz_live"),
    path("ready/", health_views.healthz_ready, name="healthz_ready"),
]

# Mounted at the site root, like relationships.urls.
urlpatterns = [
    path("healthz/", include(health_urls)),
    path("dashboard/", dashboard_views.portfolio_dashboard, name="portfolio_dashboard"),
    path("relationships/<slug:reference>/", include(relationship_urls)),
]
