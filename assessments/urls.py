from django.urls import path

app_name = "assessments"

# Mounted at the site root, like relationships.urls.
urlpatterns = []

# --- assessments: self and joint ratings ---
from assessments.views import assessments as assessment_views  # noqa: E402
from assessments.views import confirmations as confirmation_views  # noqa: E402

urlpatterns += [
    path(
        "relationships/<slug:reference>/assessments/",
        assessment_views.assessment_list,
        name="assessment_list",
    ),
    path(
        "relationships/<slug:reference>/assessments/start/",
        assessment_views.assessment_start_view,
        name="assessment_start",
    ),
    path(
        "relationships/<slug:reference>/assessments/<int:pk>/",
        assessment_views.assessment_detail,
        name="assessment_detail",
    ),
    path(
        "relationships/<slug:reference>/assessments/<int:pk>/edit/",
        assessment_views.assessment_edit,
        name="assessment_edit",
    ),
    path(
        "relationships/<slug:reference>/assessments/<int:pk>/submit/",
        assessment_views.assessment_submit_view,
        name="assessment_submit",
    ),
    path(
        "relationships/<slug:reference>/assessments/<int:pk>/finalise/",
        assessment_views.assessment_finalise_view,
        name="assessment_finalise",
    ),
    path(
        "relationships/<slug:reference>/assessments/<int:pk>/confirm/",
        confirmation_views.assessment_confirm_view,
        name="assessment_confirm",
    ),
    path(
        "relationships/<slug:reference>/assessments/<int:pk>/send-back/",
        confirmation_views.assessment_send_back_view,
        name="assessment_send_back",
    ),
    path(
        "relationships/<slug:reference>/assessments/<int:pk>/principles/"
        "<slug:principle_key>/action/",
        assessment_views.assessment_action_create,
        name="assessment_action_create",
    ),
    path(
        "relationships/<slug:reference>/assessments/<int:pk>/export.xlsx",
        assessment_views.assessment_export,
        name="assessment_export",
    ),
]
# --- end assessments ---

# --- reports: PDF reports, schedules, subscriptions ---
from assessments.views import reports as report_views  # noqa: E402

urlpatterns += [
    path(
        "relationships/<slug:reference>/reports/",
        report_views.report_list,
        name="report_list",
    ),
    path(
        "relationships/<slug:reference>/reports/generate/",
        report_views.report_request,
        name="report_request",
    ),
    path(
        "relationships/<slug:reference>/reports/subscription/",
        report_views.report_subscribe,
        name="report_subscribe",
    ),
    path(
        "relationships/<slug:reference>/reports/schedule/",
        report_views.schedule_edit,
        name="schedule_edit",
    ),
    path(
        "relationships/<slug:reference>/reports/<int:pk>/",
        report_views.report_detail,
        name="report_detail",
    ),
    path(
        "relationships/<slug:reference>/reports/<int:pk>/status/",
        report_views.report_status,
        name="report_status",
    ),
    path(
        "relationships/<slug:reference>/reports/<int:pk>/download/",
        report_views.report_download,
        name="report_download",
    ),
    path(
        "relationships/<slug:reference>/reports/<int:pk>/retry/",
        report_views.report_retry,
        name="report_retry",
    ),
]
# --- end reports ---

# --- dashboards ---
from assessments.views import dashboards as dashboard_views  # noqa: E402

urlpatterns += [
    path("healthz/", dashboard_views.healthz, name="healthz"),
    path("dashboard/", dashboard_views.portfolio_dashboard, name="portfolio_dashboard"),
    path(
        "relationships/<slug:reference>/dashboard/",
        dashboard_views.relationship_dashboard,
        name="relationship_dashboard",
    ),
]
# --- end dashboards ---
