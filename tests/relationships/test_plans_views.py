"""The plan editor's pages, driven through the test client."""

import pytest
from django.test import Client
from django.urls import reverse

from relationships.choices import PlanDepth, PlanVersionStatus
from relationships.models import Plan, PlanDecision, PlanSection, PlanVersion
from relationships.services.plans import plan_version_submit
from tests.factories import TEST_PASSWORD
from tests.relationships.factories_plans import (
    approve_by_all,
    msme_relationship,
    section_post_data,
    start_plan,
    ubc_relationship,
)

pytestmark = pytest.mark.django_db


def _url(name, world_or_reference, *args, **query):
    reference = getattr(
        getattr(world_or_reference, "relationship", None), "reference", None
    ) or getattr(world_or_reference, "reference", world_or_reference)
    url = reverse(f"relationships:{name}", args=[reference, *args])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _section(plan, key="governance_processes") -> PlanSection:
    return PlanSection.objects.get(
        plan_version=plan.versions.order_by("-number").first(), principle_key=key
    )


def _submitted(world):
    plan = start_plan(world, filled=True)
    plan_version = plan.versions.get()
    plan_version_submit(
        plan_version=plan_version, relationship=world.relationship, user=world.alice
    )
    plan_version.refresh_from_db()
    return plan, plan_version


# --- Overview and start ---------------------------------------------------------------


def test_overview_without_a_plan_offers_to_start_it(login, world) -> None:
    response = login(world.alice).get(_url("plan_overview", world))
    assert response.status_code == 200
    assert b"Start the plan" in response.content
    response = login(world.dave).get(_url("plan_overview", world))
    assert b"No plan yet" in response.content
    assert b"Start the plan</button>" not in response.content


def test_start_the_plan_button_creates_the_first_draft(login, world) -> None:
    response = login(world.bob).post(_url("plan_start", world), follow=True)
    plan = Plan.objects.get(relationship=world.relationship)
    assert plan.versions.get().status == PlanVersionStatus.DRAFT
    assert "Plan started at the full depth" in _messages(response)[0]
    assert response.redirect_chain[-1][0] == _url("plan_overview", world)


def test_starting_an_msme_relationships_plan_uses_the_essentials_depth(
    client: Client,
) -> None:
    setup = msme_relationship()
    client.login(username="lara", password=TEST_PASSWORD)
    client.post(_url("plan_start", setup["relationship"]))
    assert Plan.objects.get().depth == PlanDepth.ESSENTIALS


def test_overview_shows_sections_completeness_version_and_sign_off(
    login, world
) -> None:
    plan = start_plan(world)
    section = _section(plan)
    section.content = {"summary": "Monthly board.", "meeting_cadence": "monthly"}
    section.save()
    response = login(world.alice).get(_url("plan_overview", world))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == 12
    assert [row.principle.number for row in rows] == list(range(1, 13))
    governance = rows[4]
    assert (governance.completeness.filled, governance.completeness.required) == (2, 4)
    content = response.content.decode()
    assert "Version 1" in content and "Draft" in content
    assert "Lead Org" in content and "Partner Org" in content
    assert "Not submitted yet" in content
    assert "Submit for sign-off" in content
    assert _url("plan_section_edit", world, "exit_strategy") in content


def test_overview_for_an_auditor_has_no_actions(login, world) -> None:
    start_plan(world)
    response = login(world.dave).get(_url("plan_overview", world))
    content = response.content.decode()
    assert "Read-only access" in content
    assert "Submit for sign-off" not in content
    assert _url("plan_section_edit", world, "exit_strategy") not in content
    assert _url("plan_section_detail", world, "exit_strategy") in content


def test_overview_of_an_older_version(login, world) -> None:
    _plan, first = _submitted(world)
    approve_by_all(world, first)
    login(world.alice).post(_url("plan_new_draft", world))
    response = login(world.alice).get(_url("plan_overview", world, version=1))
    assert response.context["plan_version"] == first
    assert b"Back to the current version" in response.content
    assert login(world.alice).get(
        _url("plan_overview", world, version=9)
    ).status_code == (404)
    assert login(world.alice).get(
        _url("plan_overview", world, version="x")
    ).status_code == (404)


# --- Depth ----------------------------------------------------------------------------


def test_a_manager_switches_the_depth_on_the_overview(login, world) -> None:
    plan = start_plan(world)
    response = login(world.bob).post(
        _url("plan_depth", world), {"depth": "essentials"}, follow=True
    )
    plan.refresh_from_db()
    assert plan.depth == PlanDepth.ESSENTIALS
    assert "essentials depth" in _messages(response)[0]
    assert b"Set by" in response.content


def test_a_bad_depth_is_a_field_error(login, world) -> None:
    plan = start_plan(world)
    response = login(world.bob).post(_url("plan_depth", world), {"depth": "deep"})
    assert response.status_code == 200
    assert "depth" in response.context["form"].errors
    plan.refresh_from_db()
    assert plan.depth == PlanDepth.FULL


def test_a_non_representative_cannot_switch_the_depth(login, world) -> None:
    plan = start_plan(world)
    client = login(world.carol)
    assert b"Only a partner" in client.get(_url("plan_depth", world)).content
    response = client.post(_url("plan_depth", world), {"depth": "essentials"})
    assert response.status_code == 200
    plan.refresh_from_db()
    assert plan.depth == PlanDepth.FULL


# --- Section edit ---------------------------------------------------------------------


def test_section_edit_shows_the_form_beside_the_guidance(login, world) -> None:
    start_plan(world)
    response = login(world.alice).get(
        _url("plan_section_edit", world, "governance_processes")
    )
    assert response.status_code == 200
    guidance = response.context["guidance"]
    assert (guidance.principle_set.key, guidance.key) == (
        "general",
        "governance_processes",
    )
    content = response.content.decode()
    assert guidance.intent in content
    assert guidance.prompts[0] in content
    assert 'name="revision"' in content
    assert "Decision and escalation path" in content


@pytest.mark.parametrize(
    ("username", "expected_set"), [("sid", "msme"), ("lara", "large_msme")]
)
def test_guidance_follows_the_users_side_in_a_large_msme_relationship(
    client: Client, username, expected_set
) -> None:
    setup = msme_relationship()
    client.login(username=username, password=TEST_PASSWORD)
    client.post(_url("plan_start", setup["relationship"]))
    response = client.get(
        _url("plan_section_edit", setup["relationship"], "competence_behaviour")
    )
    assert response.context["guidance"].principle_set.key == expected_set
    # The section itself keeps the relationship's wording whoever reads it.
    assert response.context["row"].principle.principle_set.key == "large_msme"


def test_essentials_depth_uses_plain_labels_and_requires_fewer_fields(
    client: Client,
) -> None:
    setup = msme_relationship()
    client.login(username="sid", password=TEST_PASSWORD)
    client.post(_url("plan_start", setup["relationship"]))
    response = client.get(
        _url("plan_section_edit", setup["relationship"], "governance_processes")
    )
    form = response.context["form"]
    assert form.fields["meeting_cadence"].label == "How often do we meet?"
    assert form.fields["meeting_cadence"].required
    assert not form.fields["joint_management_team"].required
    assert [field.name for field in form.optional_fields] == [
        "joint_management_team",
        "agreement_reference",
    ]
    assert b"More detail (optional at this depth)" in response.content


def test_ubc_sections_carry_the_university_fields(login, world) -> None:
    relationship = ubc_relationship(world)
    client = login(world.alice)
    client.post(_url("plan_start", relationship))
    response = client.get(_url("plan_section_edit", relationship, "knowledge_sharing"))
    assert "publication_rights" in response.context["form"].fields
    assert response.context["guidance"].principle_set.key == "ubc"
    start_plan(world)
    response = client.get(_url("plan_section_edit", world, "knowledge_sharing"))
    assert "publication_rights" not in response.context["form"].fields


def test_objectives_and_risk_sections_link_to_their_registers(login, world) -> None:
    start_plan(world)
    client = login(world.alice)
    for key, name in (
        ("business_objectives", "relationship_objectives"),
        ("risk_management", "relationship_risks"),
    ):
        response = client.get(_url("plan_section_edit", world, key))
        assert response.context["register_url"] == _url(name, world)


def test_saving_a_section_stores_its_fields(login, world) -> None:
    plan = start_plan(world)
    section = _section(plan)
    data = section_post_data(
        section, world.relationship, meeting_cadence="quarterly", summary="  Trim me  "
    )
    response = login(world.bob).post(
        _url("plan_section_edit", world, "governance_processes"), data, follow=True
    )
    section.refresh_from_db()
    assert section.content["meeting_cadence"] == "quarterly"
    assert section.content["summary"] == "Trim me"
    assert section.updated_by == world.bob
    assert section.revision == 2
    assert _messages(response) == ["Saved “Governance and processes”."]


def test_save_and_next_goes_to_the_next_section(login, world) -> None:
    plan = start_plan(world)
    section = _section(plan)
    response = login(world.bob).post(
        _url("plan_section_edit", world, "governance_processes"),
        {**section_post_data(section, world.relationship), "save_next": ""},
    )
    assert response["Location"] == _url(
        "plan_section_edit", world, "competence_behaviour"
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"summary": ""}, "summary"),
        ({"decision_escalation": "   "}, "decision_escalation"),
        ({"summary": "x" * 1501}, "summary"),
        ({"agreement_reference": "x" * 201}, "agreement_reference"),
        ({"meeting_cadence": "hourly"}, "meeting_cadence"),
        ({"revision": "abc"}, "revision"),
        ({"revision": ""}, "revision"),
    ],
)
def test_bad_section_input_is_a_field_error_and_changes_nothing(
    login, world, overrides, field
) -> None:
    plan = start_plan(world)
    section = _section(plan)
    data = section_post_data(section, world.relationship, **overrides)
    response = login(world.alice).post(
        _url("plan_section_edit", world, "governance_processes"), data
    )
    assert response.status_code == 200
    # A lost revision is hidden from the person, so it is said above the form.
    shown_at = "__all__" if field == "revision" else field
    assert shown_at in response.context["form"].errors
    section.refresh_from_db()
    assert (section.content, section.revision) == ({}, 1)


@pytest.mark.parametrize(
    ("key", "overrides", "field"),
    [
        ("risk_management", {"next_review": "2026-02-30"}, "next_review"),
        ("risk_management", {"next_review": "next week"}, "next_review"),
        ("exit_strategy", {"notice_period_days": "-5"}, "notice_period_days"),
        ("exit_strategy", {"notice_period_days": "ninety"}, "notice_period_days"),
        (
            "measurement_optimization",
            {"assessments_per_year": "13"},
            "assessments_per_year",
        ),
    ],
)
def test_bad_dates_and_numbers_are_field_errors(
    login, world, key, overrides, field
) -> None:
    plan = start_plan(world)
    section = _section(plan, key)
    response = login(world.alice).post(
        _url("plan_section_edit", world, key),
        section_post_data(section, world.relationship, **overrides),
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    section.refresh_from_db()
    assert section.content == {}


def test_dates_and_numbers_are_stored_as_json(login, world) -> None:
    plan = start_plan(world)
    section = _section(plan, "exit_strategy")
    login(world.alice).post(
        _url("plan_section_edit", world, "exit_strategy"),
        section_post_data(section, world.relationship, notice_period_days="90"),
    )
    section.refresh_from_db()
    assert section.content["notice_period_days"] == 90
    risk = _section(plan, "risk_management")
    login(world.alice).post(
        _url("plan_section_edit", world, "risk_management"),
        section_post_data(risk, world.relationship, next_review="2026-09-01"),
    )
    risk.refresh_from_db()
    assert risk.content["next_review"] == "2026-09-01"
    response = login(world.alice).get(
        _url("plan_section_edit", world, "risk_management")
    )
    assert b'value="2026-09-01"' in response.content


def test_work_in_progress_save_keeps_partial_input_but_still_validates(
    login, world
) -> None:
    plan = start_plan(world)
    section = _section(plan)
    client = login(world.alice)
    url = _url("plan_section_edit", world, "governance_processes")
    response = client.post(
        url, {"revision": 1, "summary": "Half done", "save_partial": ""}, follow=True
    )
    section.refresh_from_db()
    assert section.content["summary"] == "Half done"
    assert "3 required fields still empty" in _messages(response)[0]
    response = client.post(
        url, {"revision": 2, "summary": "x" * 1501, "save_partial": ""}
    )
    assert "summary" in response.context["form"].errors
    section.refresh_from_db()
    assert section.content["summary"] == "Half done"


def test_unknown_section_is_not_found(login, world) -> None:
    start_plan(world)
    client = login(world.alice)
    assert client.get(_url("plan_section_edit", world, "nonsense")).status_code == 404
    assert client.get(_url("plan_section_detail", world, "nonsense")).status_code == 404


def test_section_pages_need_a_plan(login, world) -> None:
    client = login(world.alice)
    assert client.get(
        _url("plan_section_edit", world, "exit_strategy")
    ).status_code == (404)


# --- Concurrency ----------------------------------------------------------------------


def _client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=TEST_PASSWORD)
    return client


def test_second_save_is_refused_with_the_other_persons_change(world) -> None:
    plan = start_plan(world)
    url = _url("plan_section_edit", world, "governance_processes")
    alice, bob = _client_for(world.alice), _client_for(world.bob)
    # Both open the section at revision 1.
    alice_form = alice.get(url).context["form"]
    bob_form = bob.get(url).context["form"]
    assert alice_form.initial["revision"] == bob_form.initial["revision"] == 1
    section = _section(plan)

    alice_data = section_post_data(
        section, world.relationship, meeting_cadence="monthly", summary="Alice's text"
    )
    assert alice.post(url, alice_data).status_code == 302

    bob_data = section_post_data(
        section, world.relationship, meeting_cadence="weekly", summary="Bob's text"
    )
    response = bob.post(url, bob_data)
    assert response.status_code == 409
    section.refresh_from_db()
    assert section.content["summary"] == "Alice's text"
    assert section.revision == 2

    content = response.content.decode()
    assert "changed this section while you were editing it" in content
    assert world.alice.get_full_name() in content
    rows = {row.label: row for row in response.context["stale"].fields}
    assert rows["Summary"].theirs == "Alice's text"
    assert rows["Summary"].yours == "Bob's text"
    assert rows["Summary"].before == ""
    assert rows["Summary"].they_changed
    assert rows["Meeting cadence"].theirs == "Monthly"
    assert rows["Meeting cadence"].yours == "Weekly"
    # Bob's input is kept in the form, now at the current revision.
    form = response.context["form"]
    assert form["summary"].value() == "Bob's text"
    assert form["revision"].value() == "2"

    # Saving again, having seen the conflict, keeps Bob's version.
    kept = {**bob_data, "revision": form["revision"].value()}
    assert bob.post(url, kept).status_code == 302
    section.refresh_from_db()
    assert section.content["summary"] == "Bob's text"
    assert section.revision == 3


# --- Frozen versions ------------------------------------------------------------------


def test_editing_an_approved_version_is_refused(login, world) -> None:
    plan, plan_version = _submitted(world)
    approve_by_all(world, plan_version)
    section = _section(plan, "exit_strategy")
    before = section.content
    client = login(world.alice)
    url = _url("plan_section_edit", world, "exit_strategy")
    response = client.get(url, follow=True)
    assert response.redirect_chain[-1][0] == _url(
        "plan_section_detail", world, "exit_strategy"
    )
    assert "approved and cannot be edited" in _messages(response)[0]
    assert b"Start a new draft" in response.content
    response = client.post(url, section_post_data(section, world.relationship))
    assert response.status_code == 302
    section.refresh_from_db()
    assert section.content == before


def test_section_detail_shows_an_older_version_read_only(login, world) -> None:
    plan, first = _submitted(world)
    approve_by_all(world, first)
    login(world.alice).post(_url("plan_new_draft", world))
    section = _section(plan, "exit_strategy")
    section.content = {**section.content, "summary": "Rewritten in version 2"}
    section.save()
    client = login(world.dave)
    old = client.get(_url("plan_section_detail", world, "exit_strategy", version=1))
    assert old.context["plan_version"] == first
    assert b"Rewritten in version 2" not in old.content
    assert b"See the current version" in old.content
    current = client.get(_url("plan_section_detail", world, "exit_strategy"))
    assert b"Rewritten in version 2" in current.content


def test_new_draft_button_copies_the_approved_version(login, world) -> None:
    plan, plan_version = _submitted(world)
    approve_by_all(world, plan_version)
    response = login(world.bob).post(
        _url("plan_new_draft", world), {"summary": "Yearly refresh"}, follow=True
    )
    new_version = plan.versions.get(number=2)
    assert new_version.summary == "Yearly refresh"
    assert "Version 2 is a new draft" in _messages(response)[0]
    assert (
        _section(plan, "exit_strategy").content
        == plan_version.sections.get(principle_key="exit_strategy").content
    )


def test_new_draft_is_refused_while_a_version_is_open(login, world) -> None:
    plan = start_plan(world)
    response = login(world.bob).post(_url("plan_new_draft", world), follow=True)
    assert "still draft" in _messages(response)[0]
    assert plan.versions.count() == 1


# --- Submit and decide ----------------------------------------------------------------


def test_submit_page_lists_the_missing_fields(login, world) -> None:
    plan = start_plan(world)
    client = login(world.alice)
    response = client.get(_url("plan_submit", world))
    assert len(response.context["missing"]) == 12
    response = client.post(_url("plan_submit", world), {"summary": "First"})
    assert response.status_code == 200
    assert "not submitted" in _messages(response)[0]
    content = response.content.decode()
    assert "Scope of the relationship" in content
    assert _url("plan_section_edit", world, "exit_strategy") in content
    assert plan.versions.get().status == PlanVersionStatus.DRAFT


def test_submitting_a_complete_draft(login, world) -> None:
    plan = start_plan(world, filled=True)
    response = login(world.alice).post(
        _url("plan_submit", world), {"summary": "Agreed at the kick-off"}, follow=True
    )
    plan_version = plan.versions.get()
    assert plan_version.status == PlanVersionStatus.SUBMITTED
    assert plan_version.summary == "Agreed at the kick-off"
    assert "was submitted" in _messages(response)[0]
    assert b"Sign off for Lead Org" in response.content


def test_an_oversized_change_summary_is_a_field_error(login, world) -> None:
    plan = start_plan(world, filled=True)
    response = login(world.alice).post(
        _url("plan_submit", world), {"summary": "x" * 301}
    )
    assert "summary" in response.context["form"].errors
    assert plan.versions.get().status == PlanVersionStatus.DRAFT


def test_signing_off_from_the_overview(login, world) -> None:
    _plan, plan_version = _submitted(world)
    response = login(world.alice).post(
        _url("plan_decide", world),
        {"partnership": world.lead.pk, "decision": "approve"},
        follow=True,
    )
    assert "Signed off for Lead Org" in _messages(response)[0]
    assert b"Signed off" in response.content
    response = login(world.bob).post(
        _url("plan_decide", world),
        {"partnership": world.partner.pk, "decision": "approve"},
        follow=True,
    )
    assert "version 1 is approved and frozen" in _messages(response)[0]
    plan_version.refresh_from_db()
    assert plan_version.status == PlanVersionStatus.APPROVED


def test_rejecting_without_a_reason_is_a_field_error(login, world) -> None:
    _plan, plan_version = _submitted(world)
    response = login(world.bob).post(
        _url("plan_decide", world),
        {"partnership": world.partner.pk, "decision": "reject", "reason": " "},
    )
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert not PlanDecision.objects.exists()
    plan_version.refresh_from_db()
    assert plan_version.status == PlanVersionStatus.SUBMITTED


def test_rejecting_with_a_reason_returns_the_version_to_draft(login, world) -> None:
    _plan, plan_version = _submitted(world)
    response = login(world.bob).post(
        _url("plan_decide", world),
        {"partnership": world.partner.pk, "decision": "reject", "reason": "Too vague"},
        follow=True,
    )
    assert "is a draft again" in _messages(response)[0]
    plan_version.refresh_from_db()
    assert plan_version.status == PlanVersionStatus.DRAFT
    assert "Too vague" in response.content.decode()


def test_signing_for_a_partner_one_does_not_represent_is_forbidden(
    login, world
) -> None:
    _submitted(world)
    response = login(world.alice).post(
        _url("plan_decide", world),
        {"partnership": world.partner.pk, "decision": "approve"},
    )
    assert response.status_code == 403
    assert (
        "Nothing was recorded. You are not a named representative of Partner Org"
        in _messages(response)[0]
    )
    # The form offered again lists only the partners alice may sign for.
    assert list(response.context["form"].fields["partnership"].queryset) == [world.lead]
    response = login(world.carol).post(  # on the team, but not as a leader
        _url("plan_decide", world),
        {"partnership": world.lead.pk, "decision": "approve"},
    )
    assert response.status_code == 403
    assert b"Only a partner's relationship manager" in response.content
    assert not PlanDecision.objects.exists()


def test_signing_for_an_organisation_outside_the_relationship_is_a_bad_request(
    login, world
) -> None:
    _submitted(world)
    outsider = world.outsider_relationship.partnerships.get()
    for partnership in (outsider.pk, "not-a-number"):
        response = login(world.alice).post(
            _url("plan_decide", world),
            {"partnership": partnership, "decision": "approve"},
        )
        assert response.status_code == 400
        assert "partnership" in response.context["form"].errors
    assert not PlanDecision.objects.exists()


def test_signing_twice_is_a_conflict(login, world) -> None:
    _submitted(world)
    client = login(world.alice)
    data = {"partnership": world.lead.pk, "decision": "approve"}
    client.post(_url("plan_decide", world), data)
    response = client.post(_url("plan_decide", world), data)
    assert response.status_code == 409
    assert (
        "Nothing was recorded. Lead Org has already decided on this content in "
        "this round."
    ) in _messages(response)
    assert PlanDecision.objects.count() == 1


def test_deciding_without_a_submitted_version_is_a_conflict(login, world) -> None:
    start_plan(world)
    response = login(world.alice).get(_url("plan_decide", world))
    assert b"No version is awaiting sign-off" in response.content
    response = login(world.alice).post(
        _url("plan_decide", world),
        {"partnership": world.lead.pk, "decision": "approve"},
    )
    assert response.status_code == 409
    assert "Version 1 is not awaiting sign-off." in _messages(response)[0]
    assert not PlanDecision.objects.exists()


# --- Read-only access -----------------------------------------------------------------


def test_auditor_reads_sections_but_every_write_is_refused(login, world) -> None:
    plan = start_plan(world, filled=True)
    section = _section(plan)
    client = login(world.dave)
    response = client.get(_url("plan_section_detail", world, "governance_processes"))
    assert response.status_code == 200
    assert b"Edit this section" not in response.content
    writes = [
        (_url("plan_start", world), {}),
        (_url("plan_depth", world), {"depth": "essentials"}),
        (
            _url("plan_section_edit", world, "governance_processes"),
            section_post_data(section, world.relationship, summary="Auditor"),
        ),
        (_url("plan_submit", world), {}),
        (
            _url("plan_decide", world),
            {"partnership": world.partner.pk, "decision": "approve"},
        ),
        (_url("plan_new_draft", world), {}),
    ]
    for url, data in writes:
        assert client.get(url).status_code == 403, url
        assert client.post(url, data).status_code == 403, url
    section.refresh_from_db()
    assert section.content["summary"] != "Auditor"
    plan.refresh_from_db()
    assert plan.depth == PlanDepth.FULL
    assert PlanVersion.objects.get().status == PlanVersionStatus.DRAFT
    assert not PlanDecision.objects.exists()


def test_outsider_gets_not_found_and_changes_nothing(login, world) -> None:
    plan = start_plan(world)
    client = login(world.eve)
    for name in ("plan_overview", "plan_versions", "plan_diff", "relationship_history"):
        assert client.get(_url(name, world)).status_code == 404
    response = client.post(_url("plan_depth", world), {"depth": "essentials"})
    assert response.status_code == 404
    plan.refresh_from_db()
    assert plan.depth == PlanDepth.FULL
