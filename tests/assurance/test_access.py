"""Who sees and changes findings and internal audits (relationships/access/
assurance.py): a relationship's findings follow the relationship; an
organisation's own records are its members' alone, and its auditors read only."""

import pytest
from django.urls import reverse

from assurance.models import Finding, InternalAudit, PlannedAudit
from assurance.models.findings import CorrectiveActionStatus
from relationships.access import (
    findings_visible_to,
    organisations_with_records_readable_by,
    organisations_with_records_writable_by,
)
from relationships.choices import MembershipRole
from tests.assurance.factories_assurance import (
    make_action,
    make_finding,
    make_internal_audit,
)
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_auditor(world):
    """An auditor of the lead organisation: reads its own records, writes none."""
    user = UserFactory(username="linda")
    MembershipFactory(
        user=user, organisation=world.lead.organisation, role=MembershipRole.AUDITOR
    )
    return user


def _organisation_url(world, name: str, **kwargs) -> str:
    return reverse(
        f"assurance:{name}", kwargs={"slug": world.lead.organisation.slug, **kwargs}
    )


def test_another_organisation_never_sees_an_organisations_own_findings(
    login, world
) -> None:
    own = make_finding(organisation=world.lead.organisation, title="Lead's own")
    joint = make_finding(relationship=world.relationship, title="Joint")

    # bob is the lead's partner in a relationship, and still sees nothing of it.
    assert set(findings_visible_to(world.bob)) == {joint}
    assert set(findings_visible_to(world.eve)) == set()
    assert set(findings_visible_to(world.alice)) == {own, joint}
    for user in (world.bob, world.dave, world.eve):
        client = login(user)
        for url in (
            _organisation_url(world, "organisation_findings"),
            _organisation_url(world, "organisation_finding_detail", pk=own.pk),
            _organisation_url(world, "audit_programme"),
        ):
            assert client.get(url).status_code == 404, (user, url)
        # Nor through the relationship's pages.
        response = client.get(
            reverse(
                "assurance:relationship_finding_detail",
                kwargs={"reference": world.relationship.reference, "pk": own.pk},
            )
        )
        assert response.status_code == 404


def test_an_outsider_gets_404_on_a_relationships_findings(login, world) -> None:
    finding = make_finding(relationship=world.relationship)
    client = login(world.eve)
    kwargs = {"reference": world.relationship.reference}
    assert (
        client.get(
            reverse("assurance:relationship_findings", kwargs=kwargs)
        ).status_code
        == 404
    )
    response = client.get(
        reverse(
            "assurance:relationship_finding_detail", kwargs={**kwargs, "pk": finding.pk}
        )
    )
    assert response.status_code == 404


def test_the_organisations_auditor_reads_its_records_but_writes_none(
    login, world, lead_auditor
) -> None:
    own = make_finding(organisation=world.lead.organisation, title="Lead's own")
    action = make_action(
        own, owner=world.alice, status=CorrectiveActionStatus.COMPLETED
    )
    audit = make_internal_audit(world.lead.organisation, lead_auditor=lead_auditor)
    assert world.lead.organisation in organisations_with_records_readable_by(
        lead_auditor
    )
    assert world.lead.organisation not in organisations_with_records_writable_by(
        lead_auditor
    )

    client = login(lead_auditor)
    for url in (
        _organisation_url(world, "organisation_findings"),
        _organisation_url(world, "organisation_finding_detail", pk=own.pk),
        _organisation_url(world, "audit_programme"),
        _organisation_url(world, "internal_audit_detail", pk=audit.pk),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Read-only access" in response.content.decode()
    refused_posts = {
        _organisation_url(world, "organisation_finding_create"): {
            "kind": "observation",
            "title": "By the auditor",
            "description": "x",
        },
        _organisation_url(world, "organisation_finding_close", pk=own.pk): {
            "revision": own.revision
        },
        _organisation_url(
            world,
            "organisation_corrective_action_verify",
            pk=own.pk,
            action_pk=action.pk,
        ): {"result": "effective", "verified_on": "2026-01-01"},
        _organisation_url(world, "planned_audit_create"): {"title": "By the auditor"},
        _organisation_url(world, "internal_audit_create"): {"title": "By the auditor"},
    }
    for url, data in refused_posts.items():
        assert client.post(url, data).status_code == 403, url
    assert Finding.objects.count() == 1
    assert Finding.objects.get().is_open
    assert not PlannedAudit.objects.exists()
    assert InternalAudit.objects.count() == 1
    action.refresh_from_db()
    assert action.verified_by is None


def test_the_relationships_auditor_reads_its_findings_only(login, world) -> None:
    finding = make_finding(relationship=world.relationship)
    client = login(world.dave)
    kwargs = {"reference": world.relationship.reference, "pk": finding.pk}
    detail = client.get(reverse("assurance:relationship_finding_detail", kwargs=kwargs))
    assert detail.status_code == 200
    assert "Add a corrective action" not in detail.content.decode()
    response = client.post(
        reverse("assurance:relationship_finding_close", kwargs=kwargs),
        {"revision": finding.revision},
    )
    assert response.status_code == 403
    assert Finding.objects.get(pk=finding.pk).is_open


def test_the_owner_is_told_someone_else_verifies(login, world) -> None:
    finding = make_finding(relationship=world.relationship)
    action = make_action(
        finding, owner=world.carol, status=CorrectiveActionStatus.COMPLETED
    )
    client = login(world.carol)
    page = client.get(
        reverse(
            "assurance:relationship_finding_detail",
            kwargs={"reference": world.relationship.reference, "pk": finding.pk},
        )
    ).content.decode()
    assert "You own this action" in page
    response = client.post(
        reverse(
            "assurance:relationship_corrective_action_verify",
            kwargs={
                "reference": world.relationship.reference,
                "pk": finding.pk,
                "action_pk": action.pk,
            },
        ),
        {
            "result": "effective",
            "verified_on": action.completed_on.isoformat(),
            "revision": action.revision,
        },
    )
    assert response.status_code == 200
    assert "You own this action" in response.content.decode()
    action.refresh_from_db()
    assert action.status == CorrectiveActionStatus.COMPLETED
