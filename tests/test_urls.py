"""The URL map: every URL name of the apps, and the path it stands for.

Pinned so that recomposing a URLconf (include() of nested lists) cannot move a
page: each name reverses to its path and the path resolves back to the name. A
new URL is added here, as it is to the permission matrix."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

# Values for the path converters; "<pk>" in a path below stands for SAMPLES["pk"].
SAMPLES = {
    "reference": "acme-2026",
    "pk": 7,
    "artefact_pk": 8,
    "seat_pk": 9,
    "number": 2,
    "user_id": 5,
    "principle_key": "relationship-management",
    "token": "abc123",
    "slug": "acme",
    "key": "ubc",
    "action_pk": 11,
    "review_pk": 10,
    "stage": "knowledge",
}

URL_MAP = [
    ("accounts:external_grant_accept", "/external-access/<token>/"),
    ("accounts:invitation_accept", "/invitations/<token>/"),
    ("accounts:organisation_access", "/organisations/<slug>/access/"),
    ("accounts:organisation_external", "/organisations/<slug>/external-access/"),
    (
        "accounts:organisation_external_log",
        "/organisations/<slug>/external-access/<pk>/log/",
    ),
    (
        "accounts:organisation_external_revoke",
        "/organisations/<slug>/external-access/<pk>/revoke/",
    ),
    ("accounts:organisation_home", "/organisation/"),
    (
        "accounts:organisation_invitation_resend",
        "/organisations/<slug>/invitations/<pk>/resend/",
    ),
    (
        "accounts:organisation_invitation_revoke",
        "/organisations/<slug>/invitations/<pk>/revoke/",
    ),
    ("accounts:organisation_invitations", "/organisations/<slug>/invitations/"),
    (
        "accounts:organisation_member_deactivate",
        "/organisations/<slug>/people/<user_id>/deactivate/",
    ),
    (
        "accounts:organisation_member_reactivate",
        "/organisations/<slug>/people/<user_id>/reactivate/",
    ),
    ("accounts:organisation_member_role", "/organisations/<slug>/people/<pk>/role/"),
    ("accounts:organisation_people", "/organisations/<slug>/people/"),
    ("accounts:organisation_profile", "/organisations/<slug>/"),
    ("accounts:organisation_security", "/organisations/<slug>/security/"),
    ("accounts:organisation_sso", "/organisations/<slug>/sign-on/"),
    ("accounts:sso_start", "/accounts/sso/"),
    ("assurance:audit_programme", "/assurance/organisations/<slug>/audits/"),
    (
        "assurance:organisation_audit_packs",
        "/assurance/organisations/<slug>/audit-packs/",
    ),
    (
        "assurance:organisation_audit_pack_request",
        "/assurance/organisations/<slug>/audit-packs/new/",
    ),
    (
        "assurance:organisation_audit_pack_detail",
        "/assurance/organisations/<slug>/audit-packs/<pk>/",
    ),
    (
        "assurance:organisation_audit_pack_status",
        "/assurance/organisations/<slug>/audit-packs/<pk>/status/",
    ),
    (
        "assurance:organisation_audit_pack_download",
        "/assurance/organisations/<slug>/audit-packs/<pk>/download/",
    ),
    (
        "assurance:organisation_audit_pack_workbook",
        "/assurance/organisations/<slug>/audit-packs/<pk>/registers.xlsx",
    ),
    (
        "assurance:organisation_audit_pack_retry",
        "/assurance/organisations/<slug>/audit-packs/<pk>/retry/",
    ),
    (
        "assurance:relationship_audit_packs",
        "/assurance/relationships/<reference>/audit-packs/",
    ),
    (
        "assurance:relationship_audit_pack_request",
        "/assurance/relationships/<reference>/audit-packs/new/",
    ),
    (
        "assurance:relationship_audit_pack_detail",
        "/assurance/relationships/<reference>/audit-packs/<pk>/",
    ),
    (
        "assurance:relationship_audit_pack_status",
        "/assurance/relationships/<reference>/audit-packs/<pk>/status/",
    ),
    (
        "assurance:relationship_audit_pack_download",
        "/assurance/relationships/<reference>/audit-packs/<pk>/download/",
    ),
    (
        "assurance:relationship_audit_pack_workbook",
        "/assurance/relationships/<reference>/audit-packs/<pk>/registers.xlsx",
    ),
    (
        "assurance:relationship_audit_pack_retry",
        "/assurance/relationships/<reference>/audit-packs/<pk>/retry/",
    ),
    ("assurance:home", "/assurance/"),
    ("assurance:internal_audit_create", "/assurance/organisations/<slug>/audits/new/"),
    ("assurance:internal_audit_detail", "/assurance/organisations/<slug>/audits/<pk>/"),
    (
        "assurance:internal_audit_edit",
        "/assurance/organisations/<slug>/audits/<pk>/edit/",
    ),
    (
        "assurance:internal_audit_finding_create",
        "/assurance/organisations/<slug>/audits/<pk>/findings/new/",
    ),
    (
        "assurance:organisation_corrective_action_complete",
        "/assurance/organisations/<slug>/findings/<pk>/actions/<action_pk>/complete/",
    ),
    (
        "assurance:organisation_corrective_action_create",
        "/assurance/organisations/<slug>/findings/<pk>/actions/new/",
    ),
    (
        "assurance:organisation_corrective_action_edit",
        "/assurance/organisations/<slug>/findings/<pk>/actions/<action_pk>/edit/",
    ),
    (
        "assurance:organisation_corrective_action_verify",
        "/assurance/organisations/<slug>/findings/<pk>/actions/<action_pk>/verify/",
    ),
    (
        "assurance:organisation_finding_close",
        "/assurance/organisations/<slug>/findings/<pk>/close/",
    ),
    (
        "assurance:organisation_finding_create",
        "/assurance/organisations/<slug>/findings/new/",
    ),
    (
        "assurance:organisation_finding_detail",
        "/assurance/organisations/<slug>/findings/<pk>/",
    ),
    (
        "assurance:organisation_finding_edit",
        "/assurance/organisations/<slug>/findings/<pk>/edit/",
    ),
    ("assurance:organisation_findings", "/assurance/organisations/<slug>/findings/"),
    ("assurance:planned_audit_create", "/assurance/organisations/<slug>/audits/plan/"),
    (
        "assurance:planned_audit_edit",
        "/assurance/organisations/<slug>/audits/plan/<pk>/edit/",
    ),
    (
        "assurance:relationship_corrective_action_complete",
        "/assurance/relationships/<reference>/findings/<pk>/actions/<action_pk>/complete/",
    ),
    (
        "assurance:relationship_corrective_action_create",
        "/assurance/relationships/<reference>/findings/<pk>/actions/new/",
    ),
    (
        "assurance:relationship_corrective_action_edit",
        "/assurance/relationships/<reference>/findings/<pk>/actions/<action_pk>/edit/",
    ),
    (
        "assurance:relationship_corrective_action_verify",
        "/assurance/relationships/<reference>/findings/<pk>/actions/<action_pk>/verify/",
    ),
    (
        "assurance:relationship_finding_close",
        "/assurance/relationships/<reference>/findings/<pk>/close/",
    ),
    (
        "assurance:relationship_finding_create",
        "/assurance/relationships/<reference>/findings/new/",
    ),
    (
        "assurance:relationship_finding_detail",
        "/assurance/relationships/<reference>/findings/<pk>/",
    ),
    (
        "assurance:relationship_finding_edit",
        "/assurance/relationships/<reference>/findings/<pk>/edit/",
    ),
    (
        "assurance:relationship_findings",
        "/assurance/relationships/<reference>/findings/",
    ),
    (
        "assessments:assessment_action_create",
        "/relationships/<reference>/assessments/<pk>/principles/<principle_key>/action/",
    ),
    (
        "assessments:assessment_confirm",
        "/relationships/<reference>/assessments/<pk>/confirm/",
    ),
    ("assessments:assessment_detail", "/relationships/<reference>/assessments/<pk>/"),
    (
        "assessments:assessment_edit",
        "/relationships/<reference>/assessments/<pk>/edit/",
    ),
    (
        "assessments:assessment_export",
        "/relationships/<reference>/assessments/<pk>/export.xlsx",
    ),
    (
        "assessments:assessment_finalise",
        "/relationships/<reference>/assessments/<pk>/finalise/",
    ),
    ("assessments:assessment_list", "/relationships/<reference>/assessments/"),
    (
        "assessments:assessment_send_back",
        "/relationships/<reference>/assessments/<pk>/send-back/",
    ),
    ("assessments:assessment_start", "/relationships/<reference>/assessments/start/"),
    (
        "assessments:assessment_submit",
        "/relationships/<reference>/assessments/<pk>/submit/",
    ),
    ("assessments:healthz", "/healthz/"),
    ("assessments:healthz_live", "/healthz/live/"),
    ("assessments:healthz_ready", "/healthz/ready/"),
    ("assessments:portfolio_dashboard", "/dashboard/"),
    ("assessments:relationship_dashboard", "/relationships/<reference>/dashboard/"),
    ("assessments:report_detail", "/relationships/<reference>/reports/<pk>/"),
    (
        "assessments:report_download",
        "/relationships/<reference>/reports/<pk>/download/",
    ),
    ("assessments:report_list", "/relationships/<reference>/reports/"),
    ("assessments:report_request", "/relationships/<reference>/reports/generate/"),
    ("assessments:report_retry", "/relationships/<reference>/reports/<pk>/retry/"),
    (
        "assessments:report_reissue",
        "/relationships/<reference>/reports/<pk>/reissue/",
    ),
    ("assessments:report_status", "/relationships/<reference>/reports/<pk>/status/"),
    (
        "assessments:report_subscribe",
        "/relationships/<reference>/reports/subscription/",
    ),
    ("assessments:schedule_edit", "/relationships/<reference>/reports/schedule/"),
    ("assurance:organisation_records", "/assurance/organisations/<slug>/lifecycle/"),
    (
        "assurance:organisation_record_edit",
        "/assurance/organisations/<slug>/lifecycle/<stage>/",
    ),
    ("assurance:organisation_reviews", "/assurance/organisations/<slug>/reviews/"),
    (
        "assurance:relationship_reviews",
        "/assurance/relationships/<reference>/reviews/",
    ),
    (
        "assurance:review_action_create",
        "/assurance/reviews/<pk>/actions/new/",
    ),
    (
        "assurance:review_action_edit",
        "/assurance/reviews/<review_pk>/actions/<pk>/",
    ),
    ("assurance:review_create", "/assurance/organisations/<slug>/reviews/new/"),
    ("assurance:review_detail", "/assurance/reviews/<pk>/"),
    ("assurance:review_edit", "/assurance/reviews/<pk>/edit/"),
    ("principles:catalogue", "/principles/"),
    ("principles:set_detail", "/principles/<key>/"),
    ("relationships:action_create", "/relationships/<reference>/actions/new/"),
    ("relationships:action_detail", "/relationships/<reference>/actions/<pk>/"),
    ("relationships:action_done", "/relationships/<reference>/actions/<pk>/done/"),
    ("relationships:action_edit", "/relationships/<reference>/actions/<pk>/edit/"),
    ("relationships:action_export", "/actions/export.csv"),
    ("relationships:action_list", "/actions/"),
    (
        "relationships:artefact_evidence_clear",
        "/relationships/<reference>/lifecycle/artefacts/<artefact_pk>/clear/",
    ),
    (
        "relationships:artefact_evidence_edit",
        "/relationships/<reference>/lifecycle/artefacts/<artefact_pk>/",
    ),
    ("relationships:create", "/relationships/new/"),
    ("relationships:detail", "/relationships/<reference>/"),
    ("relationships:document_detail", "/relationships/<reference>/documents/<pk>/"),
    (
        "relationships:document_download",
        "/relationships/<reference>/documents/<pk>/download/",
    ),
    (
        "relationships:document_review_dates_edit",
        "/relationships/<reference>/documents/<pk>/dates/",
    ),
    (
        "relationships:document_revision_download",
        "/relationships/<reference>/documents/<pk>/revisions/<number>/download/",
    ),
    (
        "relationships:document_revision_upload",
        "/relationships/<reference>/documents/<pk>/revisions/new/",
    ),
    ("relationships:edit", "/relationships/<reference>/edit/"),
    ("relationships:list", "/relationships/"),
    ("relationships:objective_create", "/relationships/<reference>/objectives/new/"),
    ("relationships:objective_detail", "/relationships/<reference>/objectives/<pk>/"),
    (
        "relationships:objective_edit",
        "/relationships/<reference>/objectives/<pk>/edit/",
    ),
    ("relationships:objective_export", "/objectives/export.csv"),
    ("relationships:objective_list", "/objectives/"),
    ("relationships:partner_invitation_accept", "/partner-invitations/<token>/"),
    ("relationships:partner_invitation_answer", "/partner-invitations/<pk>/answer/"),
    (
        "relationships:partner_invitation_resend",
        "/relationships/<reference>/partners/invitations/<pk>/resend/",
    ),
    (
        "relationships:partner_invitation_revoke",
        "/relationships/<reference>/partners/invitations/<pk>/revoke/",
    ),
    ("relationships:partner_invite", "/relationships/<reference>/partners/invite/"),
    ("relationships:partners", "/relationships/<reference>/partners/"),
    ("relationships:partnership_edit", "/relationships/<reference>/partners/<pk>/"),
    (
        "relationships:partnership_exit",
        "/relationships/<reference>/partners/<pk>/exit/",
    ),
    ("relationships:plan_decide", "/relationships/<reference>/plan/decide/"),
    ("relationships:plan_depth", "/relationships/<reference>/plan/depth/"),
    ("relationships:plan_diff", "/relationships/<reference>/plan/diff/"),
    ("relationships:plan_new_draft", "/relationships/<reference>/plan/new-draft/"),
    ("relationships:plan_overview", "/relationships/<reference>/plan/"),
    (
        "relationships:plan_section_detail",
        "/relationships/<reference>/plan/sections/<principle_key>/",
    ),
    (
        "relationships:plan_section_edit",
        "/relationships/<reference>/plan/sections/<principle_key>/edit/",
    ),
    ("relationships:plan_start", "/relationships/<reference>/plan/start/"),
    ("relationships:plan_submit", "/relationships/<reference>/plan/submit/"),
    ("relationships:plan_versions", "/relationships/<reference>/plan/versions/"),
    ("relationships:relationship_actions", "/relationships/<reference>/actions/"),
    ("relationships:relationship_documents", "/relationships/<reference>/documents/"),
    ("relationships:relationship_history", "/relationships/<reference>/history/"),
    ("relationships:relationship_lifecycle", "/relationships/<reference>/lifecycle/"),
    ("relationships:relationship_objectives", "/relationships/<reference>/objectives/"),
    ("relationships:relationship_risks", "/relationships/<reference>/risks/"),
    ("relationships:risk_create", "/relationships/<reference>/risks/new/"),
    ("relationships:risk_detail", "/relationships/<reference>/risks/<pk>/"),
    ("relationships:risk_edit", "/relationships/<reference>/risks/<pk>/edit/"),
    ("relationships:risk_export", "/risks/export.csv"),
    ("relationships:risk_list", "/risks/"),
    ("relationships:stage_move", "/relationships/<reference>/lifecycle/move/"),
    ("relationships:team_seat_add", "/relationships/<reference>/partners/<pk>/seats/"),
    (
        "relationships:team_seat_edit",
        "/relationships/<reference>/partners/<pk>/seats/<seat_pk>/",
    ),
    (
        "relationships:team_seat_remove",
        "/relationships/<reference>/partners/<pk>/seats/<seat_pk>/remove/",
    ),
]

NAMESPACES = frozenset(
    {"accounts", "assessments", "assurance", "principles", "relationships"}
)


def _names(patterns: list, namespace: str) -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            names |= _names(pattern.url_patterns, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}:{pattern.name}")
    return names


def test_every_url_name_of_the_apps_is_in_the_map() -> None:
    names = set()
    for resolver in get_resolver().url_patterns:
        if isinstance(resolver, URLResolver) and resolver.namespace in NAMESPACES:
            names |= _names(resolver.url_patterns, resolver.namespace)
    assert names == {name for name, _ in URL_MAP}


@pytest.mark.parametrize(("name", "template"), URL_MAP)
def test_url_name_reverses_to_its_path_and_back(name: str, template: str) -> None:
    keys = re.findall(r"<(\w+)>", template)
    path = template
    for key in keys:
        path = path.replace(f"<{key}>", str(SAMPLES[key]))
    assert reverse(name, kwargs={key: SAMPLES[key] for key in keys}) == path
    assert resolve(path).view_name == name
