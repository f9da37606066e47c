from django.urls import include, path

from relationships.views import documents as document_views
from relationships.views import lifecycle as lifecycle_views
from relationships.views import partners as partner_views
from relationships.views import plans as plan_views
from relationships.views import registers as register_views
from relationships.views import relationships as relationship_views

app_name = "relationships"

# The plan editor: versions, sections, sign-off, diff.
plan_urls = [
    path("", plan_views.plan_overview, name="plan_overview"),
    path("start/", plan_views.plan_start_view, name="plan_start"),
    path("depth/", plan_views.plan_depth, name="plan_depth"),
    path("submit/", plan_views.plan_submit, name="plan_submit"),
    path("decide/", plan_views.plan_decide, name="plan_decide"),
    path("new-draft/", plan_views.plan_new_draft, name="plan_new_draft"),
    path("versions/", plan_views.plan_versions, name="plan_versions"),
    path("diff/", plan_views.plan_diff, name="plan_diff"),
    path(
        "sections/<slug:principle_key>/",
        plan_views.plan_section_detail,
        name="plan_section_detail",
    ),
    path(
        "sections/<slug:principle_key>/edit/",
        plan_views.plan_section_edit,
        name="plan_section_edit",
    ),
]

# One relationship's registers.
objective_urls = [
    path("", register_views.relationship_objectives, name="relationship_objectives"),
    path("new/", register_views.objective_create, name="objective_create"),
    path("<int:pk>/", register_views.objective_detail, name="objective_detail"),
    path("<int:pk>/edit/", register_views.objective_edit, name="objective_edit"),
]

risk_urls = [
    path(
        "",
        register_views.RelationshipRiskListView.as_view(),
        name="relationship_risks",
    ),
    path("new/", register_views.risk_create, name="risk_create"),
    path("<int:pk>/", register_views.risk_detail, name="risk_detail"),
    path("<int:pk>/edit/", register_views.risk_edit, name="risk_edit"),
]

action_urls = [
    path(
        "",
        register_views.RelationshipActionListView.as_view(),
        name="relationship_actions",
    ),
    path("new/", register_views.action_create, name="action_create"),
    path("<int:pk>/", register_views.action_detail, name="action_detail"),
    path("<int:pk>/edit/", register_views.action_edit, name="action_edit"),
    path("<int:pk>/done/", register_views.action_done, name="action_done"),
]

# Lifecycle stages, the checklist and its evidence; documents.
lifecycle_urls = [
    path("", lifecycle_views.relationship_lifecycle, name="relationship_lifecycle"),
    path("move/", lifecycle_views.stage_move, name="stage_move"),
    path(
        "artefacts/<int:artefact_pk>/",
        lifecycle_views.artefact_evidence_edit,
        name="artefact_evidence_edit",
    ),
    path(
        "artefacts/<int:artefact_pk>/clear/",
        lifecycle_views.artefact_evidence_clear,
        name="artefact_evidence_clear",
    ),
]

document_urls = [
    path("", lifecycle_views.relationship_documents, name="relationship_documents"),
    path(
        "<int:pk>/download/",
        lifecycle_views.document_download,
        name="document_download",
    ),
    path("<int:pk>/", document_views.document_detail, name="document_detail"),
    path(
        "<int:pk>/dates/",
        document_views.document_review_dates_edit,
        name="document_review_dates_edit",
    ),
    path(
        "<int:pk>/revisions/new/",
        document_views.document_revision_upload,
        name="document_revision_upload",
    ),
    path(
        "<int:pk>/revisions/<int:number>/download/",
        document_views.document_revision_download,
        name="document_revision_download",
    ),
]

# Partners: invitations, a partner's own seats, exits.
partner_urls = [
    path("", partner_views.relationship_partners, name="partners"),
    path("invite/", partner_views.partner_invite, name="partner_invite"),
    path(
        "invitations/<int:pk>/resend/",
        partner_views.partner_invitation_resend,
        name="partner_invitation_resend",
    ),
    path(
        "invitations/<int:pk>/revoke/",
        partner_views.partner_invitation_revoke,
        name="partner_invitation_revoke",
    ),
    path("<int:pk>/", partner_views.partnership_edit, name="partnership_edit"),
    path("<int:pk>/exit/", partner_views.partnership_exit, name="partnership_exit"),
    path("<int:pk>/seats/", partner_views.team_seat_add, name="team_seat_add"),
    path(
        "<int:pk>/seats/<int:seat_pk>/",
        partner_views.team_seat_edit,
        name="team_seat_edit",
    ),
    path(
        "<int:pk>/seats/<int:seat_pk>/remove/",
        partner_views.team_seat_remove,
        name="team_seat_remove",
    ),
]

# One relationship's pages (its assessments, reports and dashboard are in
# assessments/urls.py, under the same prefix).
relationship_urls = [
    path("", relationship_views.RelationshipDetailView.as_view(), name="detail"),
    path("edit/", relationship_views.relationship_edit, name="edit"),
    path("history/", plan_views.relationship_history, name="relationship_history"),
    path("plan/", include(plan_urls)),
    path("objectives/", include(objective_urls)),
    path("risks/", include(risk_urls)),
    path("actions/", include(action_urls)),
    path("lifecycle/", include(lifecycle_urls)),
    path("documents/", include(document_urls)),
    path("partners/", include(partner_urls)),
]

partner_invitation_urls = [
    path(
        "<int:pk>/answer/",
        partner_views.partner_invitation_answer,
        name="partner_invitation_answer",
    ),
    path(
        "<str:token>/",
        partner_views.partner_invitation_accept,
        name="partner_invitation_accept",
    ),
]

# Mounted at the site root: one relationship's pages live under
# relationships/<reference>/, registers across relationships at the top level.
urlpatterns = [
    path(
        "relationships/", relationship_views.RelationshipListView.as_view(), name="list"
    ),
    # Before a relationship's pages, whose reference would match "new".
    path("relationships/new/", partner_views.relationship_start, name="create"),
    path("relationships/<slug:reference>/", include(relationship_urls)),
    path(
        "objectives/", register_views.ObjectiveListView.as_view(), name="objective_list"
    ),
    path(
        "objectives/export.csv",
        register_views.objective_export,
        name="objective_export",
    ),
    path("risks/", register_views.RiskListView.as_view(), name="risk_list"),
    path("risks/export.csv", register_views.risk_export, name="risk_export"),
    path("actions/", register_views.ActionListView.as_view(), name="action_list"),
    path("actions/export.csv", register_views.action_export, name="action_export"),
    path("partner-invitations/", include(partner_invitation_urls)),
]
