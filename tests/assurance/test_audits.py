"""The internal audit programme and audit records, and findings raised by an
audit."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assurance.models import Finding, InternalAudit, PlannedAudit
from assurance.models.audits import PlannedAuditStatus
from assurance.selectors.audits import internal_audits_for_organisation
from assurance.services import audits as services
from relationships.concurrency import StaleEdit
from tests.assurance.factories_assurance import (
    make_internal_audit,
    make_planned_audit,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def _audit_values(world, **values) -> dict:
    return {
        "title": "Audit of the joint venture",
        "scope": "Joint plan and reviews.",
        "criteria": "ISO 44001 8.6 and 8.8.",
        "lead_auditor": world.carol,
        "performed_on": TODAY - DAY,
        "summary": "Sampled three reviews.",
        "conclusion": "Working, with one lapse.",
        **values,
    }


def _url(world, name: str, **kwargs) -> str:
    return reverse(
        f"assurance:{name}", kwargs={"slug": world.lead.organisation.slug, **kwargs}
    )


def test_an_empty_programme_says_so(login, world) -> None:
    page = login(world.alice).get(_url(world, "audit_programme")).content.decode()
    assert "No audits planned yet." in page
    assert "No audits recorded yet." in page


def test_recording_a_planned_audit_marks_it_done(world) -> None:
    planned = make_planned_audit(world.lead.organisation)
    audit = services.internal_audit_record(
        organisation=world.lead.organisation,
        values=_audit_values(world, planned_audit=planned),
        recorded_by=world.alice,
    )
    planned.refresh_from_db()
    assert planned.status == PlannedAuditStatus.DONE
    assert planned.audit == audit
    assert planned.history.latest().history_user == world.alice


def test_a_planned_audit_is_carried_out_by_one_record_only(world) -> None:
    planned = make_planned_audit(world.lead.organisation)
    services.internal_audit_record(
        organisation=world.lead.organisation,
        values=_audit_values(world, planned_audit=planned),
        recorded_by=world.alice,
    )
    with pytest.raises(ValidationError) as refusal:
        services.internal_audit_record(
            organisation=world.lead.organisation,
            values=_audit_values(world, planned_audit=planned),
            recorded_by=world.alice,
        )
    assert "planned_audit" in refusal.value.error_dict
    assert InternalAudit.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("lead_auditor", "bob"),  # a member of another organisation
        ("scope_relationship", "outsider_relationship"),  # not one of its own
        ("performed_on", "tomorrow"),
    ],
)
def test_an_audit_record_is_refused_with_a_message(world, field, value) -> None:
    values = {
        "bob": world.bob,
        "outsider_relationship": world.outsider_relationship,
        "tomorrow": TODAY + DAY,
    }
    with pytest.raises(ValidationError) as refusal:
        services.internal_audit_record(
            organisation=world.lead.organisation,
            values=_audit_values(world, **{field: values[value]}),
            recorded_by=world.alice,
        )
    assert field in refusal.value.error_dict
    assert not InternalAudit.objects.exists()


def test_another_organisations_planned_audit_is_refused(world) -> None:
    theirs = make_planned_audit(world.partner.organisation)
    with pytest.raises(ValidationError) as refusal:
        services.internal_audit_record(
            organisation=world.lead.organisation,
            values=_audit_values(world, planned_audit=theirs),
            recorded_by=world.alice,
        )
    assert "planned_audit" in refusal.value.error_dict


def test_a_stale_programme_edit_is_refused(world) -> None:
    planned = make_planned_audit(world.lead.organisation)
    with pytest.raises(StaleEdit):
        services.planned_audit_update(
            planned_audit=planned,
            changes={"title": "Later"},
            expected_revision=planned.revision - 1,
            updated_by=world.alice,
        )
    assert PlannedAudit.objects.get(pk=planned.pk).title == "Audit of clause 8.6"


def test_a_new_planned_audit_has_no_status_to_choose(login, world, caplog) -> None:
    """A planned audit starts as planned: its form lays out no status field, and
    crispy finds every field it lays out."""
    with caplog.at_level("WARNING"):
        response = login(world.carol).get(_url(world, "planned_audit_create"))
    assert response.status_code == 200
    assert 'name="status"' not in response.content.decode()
    assert 'name="planned_for"' in response.content.decode()
    assert not [r for r in caplog.records if "Could not resolve" in r.getMessage()]


def test_the_programme_page_plans_and_records_an_audit(login, world) -> None:
    client = login(world.carol)
    response = client.post(
        _url(world, "planned_audit_create"),
        {
            "title": "Audit of staying together",
            "scope": "Reviews of the joint venture.",
            "scope_relationship": world.relationship.pk,
            "scope_clause": "8.8",
            "planned_for": (TODAY + 30 * DAY).isoformat(),
            "lead_auditor": world.carol.pk,
        },
        follow=True,
    )
    assert "added to the audit programme" in response.content.decode()
    planned = PlannedAudit.objects.get()
    form = client.get(_url(world, "internal_audit_create"), {"planned": planned.pk})
    assert 'value="Audit of staying together"' in form.content.decode()
    response = client.post(
        _url(world, "internal_audit_create"),
        {
            "title": "Audit of staying together",
            "planned_audit": planned.pk,
            "scope": "Reviews of the joint venture.",
            "scope_relationship": world.relationship.pk,
            "criteria": "Clause 8.8.",
            "lead_auditor": world.carol.pk,
            "performed_on": TODAY.isoformat(),
            "summary": "Two reviews sampled.",
            "conclusion": "Reviews are held but not minuted.",
        },
        follow=True,
    )
    audit = InternalAudit.objects.get()
    assert response.redirect_chain[-1][0] == _url(
        world, "internal_audit_detail", pk=audit.pk
    )
    programme = client.get(_url(world, "audit_programme")).content.decode()
    assert f"Done {TODAY:%-d %b %Y}" in programme


def test_a_finding_raised_from_an_audit_of_a_relationship_belongs_to_it(
    login, world
) -> None:
    audit = make_internal_audit(
        world.lead.organisation,
        lead_auditor=world.carol,
        scope_relationship=world.relationship,
    )
    client = login(world.alice)
    response = client.post(
        _url(world, "internal_audit_finding_create", pk=audit.pk),
        {
            "kind": "minor_nc",
            "title": "Reviews not minuted",
            "description": "Two reviews have no minutes.",
            "raised_on": audit.performed_on.isoformat(),
        },
        follow=True,
    )
    finding = Finding.objects.get()
    assert finding.internal_audit == audit
    assert finding.relationship == world.relationship
    assert finding.organisation is None
    assert "Reviews not minuted" in response.content.decode()
    # The partner sees the finding, and that an audit raised it, not the audit.
    page = login(world.bob).get(
        reverse(
            "assurance:relationship_finding_detail",
            kwargs={"reference": world.relationship.reference, "pk": finding.pk},
        )
    )
    assert "an internal audit of a partner" in page.content.decode()
    audits = internal_audits_for_organisation(organisation=world.lead.organisation)
    assert [(a.findings_total, a.nonconformities, a.findings_open) for a in audits] == [
        (1, 1, 1)
    ]


def test_a_finding_from_an_audit_of_the_system_is_the_organisations_own(
    login, world
) -> None:
    audit = make_internal_audit(world.lead.organisation, lead_auditor=world.carol)
    login(world.alice).post(
        _url(world, "internal_audit_finding_create", pk=audit.pk),
        {
            "kind": "improvement",
            "title": "Share audit results sooner",
            "description": "Results reach the teams after a month.",
            "raised_on": audit.performed_on.isoformat(),
        },
    )
    finding = Finding.objects.get()
    assert finding.organisation == world.lead.organisation
    assert finding.relationship is None and finding.internal_audit == audit
