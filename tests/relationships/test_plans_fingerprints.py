"""Sign-offs bound to what was signed: each decision records the SHA-256 of the
content decided on, and counts only while the content still has it."""

import io
import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assessments.services.reports import RenderOutcome, report_render
from relationships.choices import PlanDecisionKind, PlanDepth, PlanVersionStatus
from relationships.fingerprints import content_sha256
from relationships.models import PlanDecision, PlanSection, PlanVersion
from relationships.selectors.plans import (
    plan_partnerships_to_decide,
    plan_signoff_rows,
    plan_version_fingerprint,
    plan_version_signatures,
)
from relationships.services.plans import (
    plan_depth_set,
    plan_version_create_draft,
    plan_version_decide,
    plan_version_submit,
)
from tests.assessments.factories_reports import finished_period
from tests.factories import PlanVersionFactory, UserFactory
from tests.relationships.factories_plans import approve_by_all, start_plan

STALE = "No longer valid: the content changed after signing"


def _submitted(world: Any) -> PlanVersion:
    plan_version = start_plan(world, filled=True).versions.get()
    plan_version_submit(
        plan_version=plan_version, relationship=world.relationship, user=world.alice
    )
    plan_version.refresh_from_db()
    return plan_version


def _decide(world: Any, plan_version: PlanVersion, partnership, user, **kwargs):
    return plan_version_decide(
        plan_version=plan_version,
        relationship=world.relationship,
        partnership=partnership,
        user=user,
        decision=kwargs.get("decision", PlanDecisionKind.APPROVE),
        reason=kwargs.get("reason", ""),
    )


def _edit_behind_the_workflow(plan_version: PlanVersion, text: str) -> None:
    """A change that does not go through the plan editor (the admin, a shell)."""
    section = plan_version.sections.get(principle_key="governance_processes")
    section.content = {**section.content, "summary": text}
    section.save()


def _url(name: str, world: Any) -> str:
    return reverse(f"relationships:{name}", args=[world.relationship.reference])


# --- The fingerprint --------------------------------------------------------------


def test_a_sign_off_records_the_fingerprint_of_exactly_the_content_signed(
    world,
) -> None:
    plan_version = _submitted(world)
    decision = _decide(world, plan_version, world.lead, world.alice)
    snapshot = {
        "version": 1,
        "depth": plan_version.plan.depth,
        "sections": [
            {"principle": section.principle_key, "content": section.content}
            for section in sorted(
                plan_version.sections.all(), key=lambda section: section.principle_key
            )
        ],
    }
    expected = content_sha256(json.loads(json.dumps(snapshot)))
    assert len(decision.content_sha256) == 64
    assert decision.content_sha256 == expected
    assert plan_version_fingerprint(plan_version=plan_version) == expected


def test_the_fingerprint_follows_content_number_and_depth(world) -> None:
    plan_version = start_plan(world, filled=True).versions.get()
    before = plan_version_fingerprint(plan_version=plan_version)
    _edit_behind_the_workflow(plan_version, "Changed.")
    edited = plan_version_fingerprint(plan_version=plan_version)
    assert edited != before
    _edit_behind_the_workflow(plan_version, "Changed.")
    assert plan_version_fingerprint(plan_version=plan_version) == edited
    plan_version.plan.depth = PlanDepth.ESSENTIALS
    plan_version.plan.save()
    plan_version.refresh_from_db()
    assert plan_version_fingerprint(plan_version=plan_version) != edited
    plan_version.number = 7
    assert plan_version_fingerprint(plan_version=plan_version) != edited


# --- A change after signing ---------------------------------------------------


def test_a_sign_off_no_longer_counts_once_the_content_changed(world) -> None:
    plan_version = _submitted(world)
    first = _decide(world, plan_version, world.lead, world.alice)
    _edit_behind_the_workflow(plan_version, "Changed after Lead Org signed.")
    _decide(world, plan_version, world.partner, world.bob)
    plan_version.refresh_from_db()
    assert plan_version.status == PlanVersionStatus.SUBMITTED  # lead's is stale
    rows = {
        row.partnership: row
        for row in plan_signoff_rows(
            plan_version=plan_version, relationship=world.relationship
        )
    }
    assert rows[world.lead].signature.decision == first
    assert rows[world.lead].signature.stale and not rows[world.lead].signed
    assert rows[world.partner].signed
    assert list(
        plan_partnerships_to_decide(
            user=world.alice,
            relationship=world.relationship,
            plan_version=plan_version,
        )
    ) == [world.lead]
    assert not plan_partnerships_to_decide(
        user=world.bob, relationship=world.relationship, plan_version=plan_version
    ).exists()

    # The lead signs again in the same round: now every sign-off is on this content.
    second = _decide(world, plan_version, world.lead, world.alice)
    plan_version.refresh_from_db()
    assert plan_version.status == PlanVersionStatus.APPROVED
    assert second.submission_round == first.submission_round
    assert second.content_sha256 != first.content_sha256
    assert PlanDecision.objects.filter(pk=first.pk).exists()  # kept on record


def test_every_sign_off_must_be_on_the_content_as_it_is_at_approval(world) -> None:
    plan_version = _submitted(world)
    _decide(world, plan_version, world.lead, world.alice)
    _decide(world, plan_version, world.partner, world.bob)
    plan_version.refresh_from_db()
    assert plan_version.status == PlanVersionStatus.APPROVED
    assert plan_version.approved_depth == plan_version.plan.depth
    fingerprints = set(plan_version.decisions.values_list("content_sha256", flat=True))
    assert fingerprints == {plan_version_fingerprint(plan_version=plan_version)}


def test_an_edit_through_the_admin_invalidates_the_sign_off(client, world) -> None:
    plan_version = _submitted(world)
    _decide(world, plan_version, world.lead, world.alice)
    UserFactory(username="root", is_staff=True, is_superuser=True)
    client.login(username="root", password="correct horse battery staple")
    section = plan_version.sections.get(principle_key="governance_processes")
    response = client.post(
        reverse("admin:relationships_plansection_change", args=[section.pk]),
        {
            "plan_version": plan_version.pk,
            "principle_key": section.principle_key,
            "content": json.dumps({**section.content, "summary": "Admin edit."}),
            "revision": section.revision,
            "updated_by": "",
        },
    )
    assert response.status_code == 302
    client.login(username="alice", password="correct horse battery staple")
    html = client.get(_url("plan_overview", world)).content.decode()
    assert STALE in html
    assert "Awaiting a new sign-off" in html
    assert "Sign off for Lead Org" in html


def test_a_stale_sign_off_shows_on_the_overview_and_can_be_given_again(
    login, world
) -> None:
    plan_version = _submitted(world)
    client = login(world.alice)
    client.post(
        _url("plan_decide", world),
        {"partnership": world.lead.pk, "decision": "approve"},
    )
    html = client.get(_url("plan_overview", world)).content.decode()
    assert STALE not in html and "Sign off for Lead Org" not in html
    _edit_behind_the_workflow(plan_version, "Changed.")
    html = client.get(_url("plan_overview", world)).content.decode()
    assert STALE in html
    assert "Sign off for Lead Org" in html
    response = client.post(
        _url("plan_decide", world),
        {"partnership": world.lead.pk, "decision": "approve"},
        follow=True,
    )
    assert response.status_code == 200
    assert plan_version.decisions.count() == 2


def test_approved_sign_offs_stay_valid_when_the_plan_depth_changes_later(
    world,
) -> None:
    plan_version = _submitted(world)
    approve_by_all(world, plan_version)
    plan = plan_version.plan
    plan_version_create_draft(plan=plan, user=world.alice)
    new_depth = PlanDepth.ESSENTIALS if plan.depth == PlanDepth.FULL else PlanDepth.FULL
    plan_depth_set(
        plan=plan, relationship=world.relationship, depth=new_depth, user=world.alice
    )
    plan_version.refresh_from_db()
    signatures = plan_version_signatures(versions=[plan_version])[plan_version.pk]
    assert [signature.valid for signature in signatures] == [True, True]


# --- Where the signers are shown --------------------------------------------------


def test_the_versions_page_shows_who_signed_for_whom_when_and_the_fingerprint(
    login, world
) -> None:
    plan_version = _submitted(world)
    approve_by_all(world, plan_version)
    decision = plan_version.decisions.get(partnership=world.lead)
    html = login(world.dave).get(_url("plan_versions", world)).content.decode()
    assert "for <strong>Lead Org</strong>" in html
    assert "for <strong>Partner Org</strong>" in html
    assert world.alice.get_full_name() in html and world.bob.get_full_name() in html
    assert timezone.localtime(decision.decided_at).strftime("%H:%M") in html
    assert f"<code>{decision.content_sha256[:12]}…</code>" in html
    assert decision.content_sha256 in html
    assert STALE not in html
    _edit_behind_the_workflow(plan_version, "Edited after approval.")
    html = login(world.dave).get(_url("plan_versions", world)).content.decode()
    assert html.count(STALE) == 2


def test_the_versions_page_reads_signatures_in_a_fixed_number_of_queries(
    login, world
) -> None:
    plan_version = _submitted(world)
    approve_by_all(world, plan_version)
    client = login(world.alice)
    url = _url("plan_versions", world)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    plan = plan_version.plan
    for number in range(2, 8):
        version = PlanVersionFactory(
            plan=plan,
            number=number,
            status=PlanVersionStatus.SUPERSEDED,
            approved_at=timezone.now(),
            submission_round=1,
        )
        PlanDecision.objects.create(
            plan_version=version,
            partnership=world.lead,
            submission_round=1,
            decision=PlanDecisionKind.APPROVE,
            decided_by=world.alice,
            content_sha256=plan_version_fingerprint(plan_version=version),
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many) == len(few)
    assert response.content.decode().count("Signed content SHA-256") == 8


def test_the_diff_page_shows_the_signers_of_both_versions(login, world) -> None:
    plan_version = _submitted(world)
    approve_by_all(world, plan_version)
    draft = plan_version_create_draft(plan=plan_version.plan, user=world.alice)
    html = (
        login(world.bob)
        .get(_url("plan_diff", world), {"from": 1, "to": draft.number})
        .content.decode()
    )
    assert "Sign-offs of version 1" in html and "Sign-offs of version 2" in html
    for decision in plan_version.decisions.all():
        assert decision.content_sha256 in html
    assert "No sign-off recorded." in html  # the draft has none


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join((page.extract_text() or "") for page in reader.pages)


def test_the_report_shows_each_signer_and_the_fingerprint(world) -> None:
    report = finished_period(world)
    plan_version = report.plan_version
    fingerprint = plan_version_fingerprint(plan_version=plan_version)
    for partnership, user in ((world.lead, world.alice), (world.partner, world.bob)):
        PlanDecision.objects.create(
            plan_version=plan_version,
            partnership=partnership,
            submission_round=plan_version.submission_round,
            decision=PlanDecisionKind.APPROVE,
            decided_by=user,
            content_sha256=fingerprint,
        )
    PlanSection.objects.create(  # added after the partner signed
        plan_version=plan_version, principle_key="governance_processes", content={}
    )
    PlanDecision.objects.filter(partnership=world.lead).update(
        content_sha256=plan_version_fingerprint(plan_version=plan_version)
    )
    assert report_render(report_id=report.pk) == RenderOutcome.DONE
    report.refresh_from_db()
    with report.file.open("rb") as handle:
        text = _pdf_text(handle.read())
    flat = "".join(text.split())
    assert f"LeadOrg:Signedoffby{world.alice.get_full_name().replace(' ', '')}" in flat
    assert f"PartnerOrg:Signedoffby{world.bob.get_full_name().replace(' ', '')}" in flat
    assert flat.count("Nolongervalid:thecontentchangedaftersigning.") == 1
    for decision in plan_version.decisions.all():
        assert decision.content_sha256 in flat


@pytest.mark.parametrize("status", [PlanVersionStatus.DRAFT])
def test_no_partner_may_decide_on_a_version_that_is_not_submitted(
    world, status
) -> None:
    plan_version = start_plan(world, filled=True).versions.get()
    assert plan_version.status == status
    assert not plan_partnerships_to_decide(
        user=world.alice, relationship=world.relationship, plan_version=plan_version
    ).exists()
