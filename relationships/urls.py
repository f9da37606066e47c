from django.urls import path

from relationships.views import partners as partner_views
from relationships.views import relationships as relationship_views

app_name = "relationships"

# Mounted at the site root: one relationship's pages live under
# relationships/<reference>/, registers across relationships at the top level.
urlpatterns = [
    path(
        "relationships/", relationship_views.RelationshipListView.as_view(), name="list"
    ),
    # Before the detail page, whose reference would match "new".
    path("relationships/new/", partner_views.relationship_start, name="create"),
    path(
        "relationships/<slug:reference>/",
        relationship_views.RelationshipDetailView.as_view(),
        name="detail",
    ),
    path(
        "relationships/<slug:reference>/edit/",
        relationship_views.relationship_edit,
        name="edit",
    ),
]

# --- plan editor: versions, sections, sign-off, diff, history ---
from relationships.views import plans as plan_views  # noqa: E402

_PLAN = "relationships/<slug:reference>/plan/"
urlpatterns += [
    path(_PLAN, plan_views.plan_overview, name="plan_overview"),
    path(f"{_PLAN}start/", plan_views.plan_start_view, name="plan_start"),
    path(f"{_PLAN}depth/", plan_views.plan_depth, name="plan_depth"),
    path(f"{_PLAN}submit/", plan_views.plan_submit, name="plan_submit"),
    path(f"{_PLAN}decide/", plan_views.plan_decide, name="plan_decide"),
    path(f"{_PLAN}new-draft/", plan_views.plan_new_draft, name="plan_new_draft"),
    path(f"{_PLAN}versions/", plan_views.plan_versions, name="plan_versions"),
    path(f"{_PLAN}diff/", plan_views.plan_diff, name="plan_diff"),
    path(
        f"{_PLAN}sections/<slug:principle_key>/",
        plan_views.plan_section_detail,
        name="plan_section_detail",
    ),
    path(
        f"{_PLAN}sections/<slug:principle_key>/edit/",
        plan_views.plan_section_edit,
        name="plan_section_edit",
    ),
    path(
        "relationships/<slug:reference>/history/",
        plan_views.relationship_history,
        name="relationship_history",
    ),
]
# --- end plan editor ---

# --- registers: objectives, risks, actions ---
from relationships.views import registers as register_views  # noqa: E402

_one = "relationships/<slug:reference>/"
urlpatterns += [
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
    path(
        f"{_one}objectives/",
        register_views.relationship_objectives,
        name="relationship_objectives",
    ),
    path(
        f"{_one}objectives/new/",
        register_views.objective_create,
        name="objective_create",
    ),
    path(
        f"{_one}objectives/<int:pk>/",
        register_views.objective_detail,
        name="objective_detail",
    ),
    path(
        f"{_one}objectives/<int:pk>/edit/",
        register_views.objective_edit,
        name="objective_edit",
    ),
    path(
        f"{_one}risks/",
        register_views.RelationshipRiskListView.as_view(),
        name="relationship_risks",
    ),
    path(f"{_one}risks/new/", register_views.risk_create, name="risk_create"),
    path(f"{_one}risks/<int:pk>/", register_views.risk_detail, name="risk_detail"),
    path(f"{_one}risks/<int:pk>/edit/", register_views.risk_edit, name="risk_edit"),
    path(
        f"{_one}actions/",
        register_views.RelationshipActionListView.as_view(),
        name="relationship_actions",
    ),
    path(f"{_one}actions/new/", register_views.action_create, name="action_create"),
    path(
        f"{_one}actions/<int:pk>/",
        register_views.action_detail,
        name="action_detail",
    ),
    path(
        f"{_one}actions/<int:pk>/edit/",
        register_views.action_edit,
        name="action_edit",
    ),
    path(
        f"{_one}actions/<int:pk>/done/",
        register_views.action_done,
        name="action_done",
    ),
]
# --- end registers ---

# --- lifecycle: stages, checklist, evidence, documents ---
from relationships.views import lifecycle as lifecycle_views  # noqa: E402

urlpatterns += [
    path(
        "relationships/<slug:reference>/lifecycle/",
        lifecycle_views.relationship_lifecycle,
        name="relationship_lifecycle",
    ),
    path(
        "relationships/<slug:reference>/lifecycle/move/",
        lifecycle_views.stage_move,
        name="stage_move",
    ),
    path(
        "relationships/<slug:reference>/lifecycle/artefacts/<int:artefact_pk>/",
        lifecycle_views.artefact_evidence_edit,
        name="artefact_evidence_edit",
    ),
    path(
        "relationships/<slug:reference>/lifecycle/artefacts/<int:artefact_pk>/clear/",
        lifecycle_views.artefact_evidence_clear,
        name="artefact_evidence_clear",
    ),
    path(
        "relationships/<slug:reference>/documents/",
        lifecycle_views.relationship_documents,
        name="relationship_documents",
    ),
    path(
        "relationships/<slug:reference>/documents/<int:pk>/download/",
        lifecycle_views.document_download,
        name="document_download",
    ),
]
# --- end lifecycle ---

# --- partners: invitations, a partner's own seats, exits ---

_PARTNERS = "relationships/<slug:reference>/partners/"
urlpatterns += [
    path(_PARTNERS, partner_views.relationship_partners, name="partners"),
    path(f"{_PARTNERS}invite/", partner_views.partner_invite, name="partner_invite"),
    path(
        f"{_PARTNERS}invitations/<int:pk>/resend/",
        partner_views.partner_invitation_resend,
        name="partner_invitation_resend",
    ),
    path(
        f"{_PARTNERS}invitations/<int:pk>/revoke/",
        partner_views.partner_invitation_revoke,
        name="partner_invitation_revoke",
    ),
    path(
        f"{_PARTNERS}<int:pk>/",
        partner_views.partnership_edit,
        name="partnership_edit",
    ),
    path(
        f"{_PARTNERS}<int:pk>/exit/",
        partner_views.partnership_exit,
        name="partnership_exit",
    ),
    path(
        f"{_PARTNERS}<int:pk>/seats/",
        partner_views.team_seat_add,
        name="team_seat_add",
    ),
    path(
        f"{_PARTNERS}<int:pk>/seats/<int:seat_pk>/",
        partner_views.team_seat_edit,
        name="team_seat_edit",
    ),
    path(
        f"{_PARTNERS}<int:pk>/seats/<int:seat_pk>/remove/",
        partner_views.team_seat_remove,
        name="team_seat_remove",
    ),
    path(
        "partner-invitations/<int:pk>/answer/",
        partner_views.partner_invitation_answer,
        name="partner_invitation_answer",
    ),
    path(
        "partner-invitations/<str:token>/",
        partner_views.partner_invitation_accept,
        name="partner_invitation_accept",
    ),
]
# --- end partners ---
