"""Every access rule of the site, and only here: who may see, change, sign,
administer or answer what. Views, forms, services and selectors call these
functions; none of them tests a membership, a role or a partnership itself.

One module per area:

- `memberships`: the memberships that count, and the user's organisations.
- `relationships`: seeing a relationship and everything under it (a 404
  otherwise), changing it (WRITE_ROLES in a partner still taking part; 403
  otherwise), and the lists scoped to what the user sees.
- `records`: partner-private records (register entries, documents,
  self-assessments): who sees them, who changes them, who chooses their audience.
- `partners`: inviting partners, answering an invitation, seating a partner's
  people, recording its exit.
- `organisations`: an organisation's admin pages, and whom a user may start a
  relationship for.
- `assessments`: who reads, changes and finalises a self-assessment or the
  joint assessment; whose portfolio summaries a user reads.
- `signing`: who signs the plan, and confirms the joint assessment, for a
  partner.
- `assurance`: management-system records (findings, corrective actions,
  internal audits): a relationship's follow it, an organisation's own are its
  members' alone.
- `assurance_reviews`: management reviews (an organisation's own, or held
  jointly) and an organisation's own lifecycle records.
- `external`: external auditors' time-limited, read-only grants to some of an
  organisation's relationships (and its management-system records).

Import from `relationships.access`, not from its modules.
"""

from relationships.access.assessments import (
    assessments_visible_to,
    partnership_summaries_visible_to,
    partnerships_assessable_by,
    portfolio_organisation_of,
    relationship_summaries_visible_to,
    user_can_edit_assessment,
    user_can_finalise_assessment,
)
from relationships.access.assurance import (
    corrective_action_owner_candidates,
    corrective_action_verifier_problem,
    finding_check_editable,
    findings_visible_to,
    organisation_auditors,
    organisation_get_for_record_editing,
    organisation_get_for_records,
    organisation_record_people,
    organisations_with_records_readable_by,
    organisations_with_records_writable_by,
    relationships_of_organisation,
    user_can_edit_finding,
    user_can_edit_organisation_records,
)
from relationships.access.assurance_reviews import (
    management_review_action_get_for_editing,
    management_review_get_for_editing,
    management_review_get_for_user,
    management_reviews_visible_to,
    organisation_get_for_member_writing,
    organisation_members,
    records_for_review,
    relationship_get_for_joint_review,
    relationship_members,
    relationship_reviews_visible_to,
    review_evidence_revisions_q,
    user_can_edit_management_review,
    user_can_record_joint_review,
    user_writes_for_organisation,
)
from relationships.access.external import (
    external_grants_of_organisation,
    grants_active,
    grants_cache_key_part,
    organisation_ids_granting_to,
    organisation_ids_management_system_granted_to,
    partnership_ids_granted_to,
    partnerships_granted_to,
    relationships_grantable_by,
    user_holds_grants,
)
from relationships.access.memberships import (
    AnyUser,
    granting_organisation_ids_of,
    member_organisation_ids_of,
    memberships_active,
    organisation_ids_of,
)
from relationships.access.organisations import (
    organisation_admins,
    organisation_get_for_admin,
    organisations_administered_by,
    organisations_known_to,
    organisations_that_may_lead,
)
from relationships.access.partners import (
    partner_invitation_get_for_lead,
    partner_invitation_get_to_answer,
    partner_invitations_for_lead,
    partner_invitations_to_answer,
    partnership_get_for_exit,
    partnership_get_for_managing,
    partnerships_exitable_by,
    partnerships_managed_by,
    relationship_get_for_leading,
    user_can_answer_invitation,
    user_leads_relationship,
)
from relationships.access.records import (
    audience_through_summaries,
    changeable_records,
    default_privacy,
    linked_record_visible,
    record_audience,
    record_audiences,
    record_check_changeable,
    record_privacy_errors,
    records_visible_to_audience,
    viewer_audience,
    visible_records,
)
from relationships.access.relationships import (
    actions_visible_to,
    ids_visible_to,
    objectives_visible_to,
    partnerships_taking_part,
    partnerships_writable_by,
    relationship_get_for_editing,
    relationship_get_for_user,
    relationship_get_with_audience,
    relationship_ids_editable_by,
    relationship_owner_candidates,
    relationships_visible_to,
    risks_visible_to,
    roles_may_write,
    user_can_edit_relationship,
)
from relationships.access.signing import (
    assessment_partnerships_confirmable_by,
    partnership_represented_by_q,
    plan_partnerships_represented_by,
    signers_by_partnership,
    summaries_represented_by_q,
)

__all__ = [
    "AnyUser",
    "actions_visible_to",
    "assessment_partnerships_confirmable_by",
    "assessments_visible_to",
    "audience_through_summaries",
    "changeable_records",
    "corrective_action_owner_candidates",
    "corrective_action_verifier_problem",
    "default_privacy",
    "external_grants_of_organisation",
    "finding_check_editable",
    "findings_visible_to",
    "granting_organisation_ids_of",
    "grants_active",
    "grants_cache_key_part",
    "ids_visible_to",
    "linked_record_visible",
    "management_review_action_get_for_editing",
    "management_review_get_for_editing",
    "management_review_get_for_user",
    "management_reviews_visible_to",
    "member_organisation_ids_of",
    "memberships_active",
    "objectives_visible_to",
    "organisation_admins",
    "organisation_auditors",
    "organisation_get_for_admin",
    "organisation_get_for_member_writing",
    "organisation_get_for_record_editing",
    "organisation_get_for_records",
    "organisation_ids_granting_to",
    "organisation_ids_management_system_granted_to",
    "organisation_ids_of",
    "organisation_members",
    "organisation_record_people",
    "organisations_administered_by",
    "organisations_known_to",
    "organisations_that_may_lead",
    "organisations_with_records_readable_by",
    "organisations_with_records_writable_by",
    "partner_invitation_get_for_lead",
    "partner_invitation_get_to_answer",
    "partner_invitations_for_lead",
    "partner_invitations_to_answer",
    "partnership_get_for_exit",
    "partnership_get_for_managing",
    "partnership_ids_granted_to",
    "partnership_represented_by_q",
    "partnership_summaries_visible_to",
    "partnerships_assessable_by",
    "partnerships_exitable_by",
    "partnerships_granted_to",
    "partnerships_managed_by",
    "partnerships_taking_part",
    "partnerships_writable_by",
    "plan_partnerships_represented_by",
    "portfolio_organisation_of",
    "record_audience",
    "record_audiences",
    "record_check_changeable",
    "record_privacy_errors",
    "records_for_review",
    "records_visible_to_audience",
    "relationship_get_for_editing",
    "relationship_get_for_joint_review",
    "relationship_get_for_leading",
    "relationship_get_for_user",
    "relationship_get_with_audience",
    "relationship_ids_editable_by",
    "relationship_members",
    "relationship_owner_candidates",
    "relationship_reviews_visible_to",
    "relationship_summaries_visible_to",
    "relationships_grantable_by",
    "relationships_of_organisation",
    "relationships_visible_to",
    "review_evidence_revisions_q",
    "risks_visible_to",
    "roles_may_write",
    "signers_by_partnership",
    "summaries_represented_by_q",
    "user_can_answer_invitation",
    "user_can_edit_assessment",
    "user_can_edit_finding",
    "user_can_edit_management_review",
    "user_can_edit_organisation_records",
    "user_can_edit_relationship",
    "user_can_finalise_assessment",
    "user_can_record_joint_review",
    "user_holds_grants",
    "user_leads_relationship",
    "user_writes_for_organisation",
    "viewer_audience",
    "visible_records",
]
