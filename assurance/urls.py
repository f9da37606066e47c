from django.urls import include, path

from assurance.views import audits as audit_views
from assurance.views import findings as finding_views
from assurance.views import organisation_records as organisation_record_views
from assurance.views import packs as pack_views
from assurance.views import reviews as review_views

app_name = "assurance"

# Each area's URLs are listed here, beside its views: findings and corrective
# actions, internal audits, management reviews, an organisation's own lifecycle
# records.
urlpatterns: list = []


def _finding_urls(prefix: str) -> list:
    """The findings pages of one scope: a relationship's (`relationship_…`) or
    an organisation's own (`organisation_…`); the views serve both."""
    return [
        path(
            "",
            finding_views.FindingRegisterView.as_view(),
            name=f"{prefix}_findings",
        ),
        path("new/", finding_views.finding_create, name=f"{prefix}_finding_create"),
        path(
            "<int:pk>/", finding_views.finding_detail, name=f"{prefix}_finding_detail"
        ),
        path(
            "<int:pk>/edit/", finding_views.finding_edit, name=f"{prefix}_finding_edit"
        ),
        path(
            "<int:pk>/close/",
            finding_views.finding_close,
            name=f"{prefix}_finding_close",
        ),
        path(
            "<int:pk>/actions/new/",
            finding_views.corrective_action_create,
            name=f"{prefix}_corrective_action_create",
        ),
        path(
            "<int:pk>/actions/<int:action_pk>/edit/",
            finding_views.corrective_action_edit,
            name=f"{prefix}_corrective_action_edit",
        ),
        path(
            "<int:pk>/actions/<int:action_pk>/complete/",
            finding_views.corrective_action_complete,
            name=f"{prefix}_corrective_action_complete",
        ),
        path(
            "<int:pk>/actions/<int:action_pk>/verify/",
            finding_views.corrective_action_verify,
            name=f"{prefix}_corrective_action_verify",
        ),
    ]


audit_urls = [
    path("", audit_views.audit_programme, name="audit_programme"),
    path("plan/", audit_views.planned_audit_create, name="planned_audit_create"),
    path(
        "plan/<int:pk>/edit/",
        audit_views.planned_audit_edit,
        name="planned_audit_edit",
    ),
    path("new/", audit_views.internal_audit_create, name="internal_audit_create"),
    path("<int:pk>/", audit_views.internal_audit_detail, name="internal_audit_detail"),
    path("<int:pk>/edit/", audit_views.internal_audit_edit, name="internal_audit_edit"),
    path(
        "<int:pk>/findings/new/",
        audit_views.internal_audit_finding_create,
        name="internal_audit_finding_create",
    ),
]

# Findings and corrective actions, of a relationship and of an organisation's
# own management system; the internal audit programme and records.
urlpatterns += [
    path("", audit_views.home, name="home"),
    path(
        "relationships/<slug:reference>/findings/",
        include(_finding_urls("relationship")),
    ),
    path(
        "organisations/<slug:slug>/findings/",
        include(_finding_urls("organisation")),
    ),
    path("organisations/<slug:slug>/audits/", include(audit_urls)),
]

review_organisation_urls = [
    path("reviews/", review_views.organisation_reviews, name="organisation_reviews"),
    path("reviews/new/", review_views.review_create, name="review_create"),
    path(
        "lifecycle/",
        organisation_record_views.organisation_records,
        name="organisation_records",
    ),
    path(
        "lifecycle/<slug:stage>/",
        organisation_record_views.organisation_record_edit,
        name="organisation_record_edit",
    ),
]
review_urls = [
    path("", review_views.review_detail, name="review_detail"),
    path("edit/", review_views.review_edit, name="review_edit"),
    path(
        "actions/new/", review_views.review_action_create, name="review_action_create"
    ),
]

urlpatterns += [
    path("organisations/<slug:slug>/", include(review_organisation_urls)),
    path("reviews/<int:pk>/", include(review_urls)),
    path(
        "reviews/<int:review_pk>/actions/<int:pk>/",
        review_views.review_action_edit,
        name="review_action_edit",
    ),
    path(
        "relationships/<slug:reference>/reviews/",
        review_views.relationship_reviews,
        name="relationship_reviews",
    ),
]


def _pack_urls(prefix: str) -> list:
    """The audit packs of one scope: a relationship's (`relationship_…`) or an
    organisation's management system (`organisation_…`); the views serve both."""
    return [
        path("", pack_views.audit_pack_list, name=f"{prefix}_audit_packs"),
        path(
            "new/", pack_views.audit_pack_request, name=f"{prefix}_audit_pack_request"
        ),
        path(
            "<int:pk>/",
            pack_views.audit_pack_detail,
            name=f"{prefix}_audit_pack_detail",
        ),
        path(
            "<int:pk>/status/",
            pack_views.audit_pack_status,
            name=f"{prefix}_audit_pack_status",
        ),
        path(
            "<int:pk>/download/",
            pack_views.audit_pack_download,
            name=f"{prefix}_audit_pack_download",
        ),
        path(
            "<int:pk>/registers.xlsx",
            pack_views.audit_pack_workbook,
            name=f"{prefix}_audit_pack_workbook",
        ),
        path(
            "<int:pk>/retry/",
            pack_views.audit_pack_retry,
            name=f"{prefix}_audit_pack_retry",
        ),
    ]


# Audit packs: one PDF and one XLSX per request, of a relationship or of an
# organisation's own management system.
urlpatterns += [
    path(
        "relationships/<slug:reference>/audit-packs/",
        include(_pack_urls("relationship")),
    ),
    path("organisations/<slug:slug>/audit-packs/", include(_pack_urls("organisation"))),
]
