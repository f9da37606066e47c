"""What an external auditor sees through a grant: the granted relationships, read
only, with joint records and the granting partner's own private records; never
another partner's private records, never anything else; and only while the grant
counts (accepted, not revoked, not past its last day)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.choices import AssessmentKind, AssessmentStatus
from assessments.models import Assessment
from assessments.selectors.dashboards.relationship import (
    relationship_dashboard_context,
)
from relationships.access import (
    assessments_visible_to,
    grants_active,
    objectives_visible_to,
    organisation_ids_management_system_granted_to,
    organisation_ids_of,
    partnerships_writable_by,
    records_visible_to_audience,
    relationship_ids_editable_by,
    relationships_visible_to,
    user_can_edit_relationship,
    viewer_audience,
    visible_records,
)
from relationships.choices import Visibility
from relationships.models import Action, Objective, Risk
from tests.accounts.factories_external import (
    external_auditor,
    external_grant,
    yesterday,
)
from tests.factories import AssessmentFactory, ObjectiveFactory
from tests.relationships.test_records_visible_to_audience import _records

pytestmark = pytest.mark.django_db


def _frank_partnership(world, frank):
    return world.relationship.partnerships.get(organisation__memberships__user=frank)


def test_grantee_sees_the_granted_relationship_only(world) -> None:
    erin = external_auditor(world)
    assert list(relationships_visible_to(erin)) == [world.relationship]


def test_grant_to_one_relationship_does_not_open_the_organisations_others(
    world,
) -> None:
    from tests.factories import PartnershipFactory, RelationshipFactory

    other = RelationshipFactory(title="Second deal", reference="second-deal")
    PartnershipFactory(relationship=other, organisation=world.lead.organisation)
    erin = external_auditor(world)
    assert other not in relationships_visible_to(erin)


def test_grants_of_two_organisations_do_not_cross(world) -> None:
    """A grant of the lead for one relationship and of another organisation for
    its own relationship do not open the lead's partnership in the second."""
    from tests.factories import PartnershipFactory

    erin = external_auditor(world)
    PartnershipFactory(
        relationship=world.outsider_relationship, organisation=world.lead.organisation
    )
    outsider_lead = world.outsider_relationship.partnerships.get(
        organisation=world.outsider_organisation
    )
    external_grant(
        user=erin,
        organisation=world.outsider_organisation,
        relationships=[world.outsider_relationship],
        granted_by=world.eve,
    )
    audience = viewer_audience(user=erin, relationship=world.outsider_relationship)
    assert audience == (-outsider_lead.pk,)


@pytest.mark.parametrize(
    "grant",
    [{"ends_on": yesterday()}, {"revoked": True}],
    ids=["lapsed", "revoked"],
)
def test_a_lapsed_or_revoked_grant_shows_nothing(world, grant) -> None:
    erin = external_auditor(world, **grant)
    assert not relationships_visible_to(erin).exists()
    assert not grants_active(erin).exists()


def test_a_grant_counts_through_its_last_day(world) -> None:
    erin = external_auditor(world, ends_on=timezone.localdate())
    assert relationships_visible_to(erin).exists()


def test_an_unaccepted_grant_shows_nothing(world) -> None:
    external_grant(
        user=None,
        organisation=world.lead.organisation,
        relationships=[world.relationship],
        granted_by=world.alice,
    )
    assert not grants_active(world.eve).exists()


def test_grantee_never_writes(world) -> None:
    erin = external_auditor(world)
    assert not partnerships_writable_by(erin).exists()
    assert not user_can_edit_relationship(user=erin, relationship=world.relationship)
    assert relationship_ids_editable_by(erin) == set()


@pytest.mark.parametrize("model", [Assessment, Objective, Risk, Action])
def test_grantee_sees_joint_and_the_granting_partners_own_records_only(
    world, frank, model
) -> None:
    frank_partnership = _frank_partnership(world, frank)
    _records(world, frank_partnership)
    erin = external_auditor(world)
    in_relationship = model.objects.filter(relationship=world.relationship)
    seen = in_relationship.filter(visible_records(erin, model))
    owner = model.owner_partnership_field
    assert seen.filter(visibility=Visibility.JOINT).exists() or model is Assessment
    private = seen.filter(visibility=Visibility.PARTNER)
    assert private.exists()
    # The lead's own private records, whether shared or not; never one of a
    # supplier, even one the supplier shares with the lead.
    assert set(private.values_list(f"{owner}_id", flat=True)) == {world.lead.pk}
    assert (
        in_relationship.filter(
            visibility=Visibility.PARTNER, **{f"{owner}_id": world.partner.pk}
        )
        .filter(shared_with=world.lead)
        .exists()
    )
    # The cached pages' rule, from the grantee's audience, agrees.
    audience = viewer_audience(user=erin, relationship=world.relationship)
    assert audience == (-world.lead.pk,)
    assert set(
        in_relationship.filter(
            records_visible_to_audience(model, audience)
        ).values_list("pk", flat=True)
    ) == set(seen.values_list("pk", flat=True))


def test_grantee_sees_submitted_self_assessments_but_not_other_partners_drafts(
    world,
) -> None:
    erin = external_auditor(world)
    partner_draft, partner_submitted = (
        AssessmentFactory(
            relationship=world.relationship,
            kind=AssessmentKind.SELF,
            partnership=world.partner,
            status=status,
            period_start=datetime.date(2025, month, 1),
        )
        for month, status in (
            (1, AssessmentStatus.DRAFT),
            (4, AssessmentStatus.SUBMITTED),
        )
    )
    visible = assessments_visible_to(user=erin, relationship=world.relationship)
    assert partner_draft not in visible
    assert partner_submitted in visible


def test_other_partners_private_objective_is_a_404_for_the_grantee(
    world, frank, login
) -> None:
    theirs = ObjectiveFactory(
        relationship=world.relationship,
        owner=world.partner,
        visibility=Visibility.PARTNER,
    )
    theirs.shared_with.set([world.lead])
    ours = ObjectiveFactory(
        relationship=world.relationship,
        owner=world.lead,
        visibility=Visibility.PARTNER,
    )
    erin = external_auditor(world)
    client = login(erin)

    def detail(objective) -> int:
        return client.get(
            reverse(
                "relationships:objective_detail",
                kwargs={"reference": world.relationship.reference, "pk": objective.pk},
            )
        ).status_code

    assert detail(ours) == 200
    assert detail(theirs) == 404
    listing = client.get(
        reverse(
            "relationships:relationship_objectives",
            kwargs={"reference": world.relationship.reference},
        )
    )
    assert ours.title in listing.content.decode()
    assert theirs.title not in listing.content.decode()
    assert set(objectives_visible_to(erin)) == {ours}


def test_grantees_cache_key_never_meets_a_members(world, settings) -> None:
    settings.DASHBOARD_CACHE_SECONDS = 60
    erin = external_auditor(world)
    today = datetime.date(2026, 1, 5)
    keys = {
        user.username: relationship_dashboard_context(
            user=user, relationship=world.relationship, today=today
        )["cache_key"]
        for user in (erin, world.alice, world.carol, world.bob)
    }
    assert keys["alice"] == keys["carol"]
    assert keys["erin"] not in {keys["alice"], keys["bob"]}


def test_grantees_portfolio_holds_the_granted_relationship_only(world, login) -> None:
    from tests.factories import PartnershipFactory, RelationshipFactory

    other = RelationshipFactory(title="Ungranted deal", reference="ungranted-deal")
    PartnershipFactory(relationship=other, organisation=world.lead.organisation)
    erin = external_auditor(world)
    assert organisation_ids_of(erin) == [world.lead.organisation_id]
    client = login(erin)
    for url in (
        reverse("assessments:portfolio_dashboard"),
        reverse("relationships:list"),
    ):
        page = client.get(url).content.decode()
        assert "Joint venture" in page, url
        assert "Ungranted deal" not in page, url
        assert "Outsider deal" not in page, url


def test_grantees_portfolio_attention_names_no_other_partners_private_record(
    world, frank, login
) -> None:
    overdue = timezone.localdate() - datetime.timedelta(days=10)
    from tests.factories import ActionFactory

    theirs = ActionFactory(
        relationship=world.relationship,
        owner_partnership=world.partner,
        visibility=Visibility.PARTNER,
        title="Supplier secret overdue",
        due_date=overdue,
    )
    theirs.shared_with.set([world.lead])
    ActionFactory(
        relationship=world.relationship,
        owner_partnership=world.lead,
        visibility=Visibility.PARTNER,
        title="Lead own overdue",
        due_date=overdue,
    )
    alice_page = login(world.alice).get(reverse("assessments:portfolio_dashboard"))
    assert "Supplier secret overdue" in alice_page.content.decode()
    erin = external_auditor(world)
    page = login(erin).get(reverse("assessments:portfolio_dashboard")).content.decode()
    assert "Lead own overdue" in page
    assert "Supplier secret overdue" not in page


def test_management_system_records_are_granted_only_when_chosen(world) -> None:
    erin = external_auditor(world, management_system=True)
    assert organisation_ids_management_system_granted_to(erin) == [
        world.lead.organisation_id
    ]
    ivan = external_auditor(world, username="ivan")
    assert organisation_ids_management_system_granted_to(ivan) == []
    lapsed = external_auditor(
        world, username="lapsed", management_system=True, ends_on=yesterday()
    )
    assert organisation_ids_management_system_granted_to(lapsed) == []
    assert organisation_ids_management_system_granted_to(world.alice) == []


def test_grantees_report_mail_stops_with_the_grant(world, login) -> None:
    from accounts.models import ExternalAccessGrant
    from assessments.selectors.reports import report_recipients
    from tests.assessments.factories_reports import stored_report

    erin = external_auditor(world)
    response = login(erin).post(
        reverse(
            "assessments:report_subscribe",
            kwargs={"reference": world.relationship.reference},
        )
    )
    assert response.status_code in (200, 302)
    report = stored_report(world.relationship)
    assert erin in report_recipients(report=report)
    ExternalAccessGrant.objects.update(ends_on=yesterday())
    erin = type(erin).objects.get(pk=erin.pk)
    assert erin not in report_recipients(report=report)


def test_grantee_never_gets_a_lead_auditors_cached_action_rows(
    world, frank, login
) -> None:
    """The lead's auditor and the grantee share organisations and write nowhere;
    the auditor's cached action rows name a supplier's private risk shared with
    the lead, which the grantee must not read."""
    from tests.factories import (
        ActionFactory,
        MembershipFactory,
        RiskFactory,
        UserFactory,
    )

    risk = RiskFactory(
        relationship=world.relationship,
        owner_partnership=world.partner,
        visibility=Visibility.PARTNER,
        title="Supplier cash-flow squeeze",
    )
    risk.shared_with.set([world.lead])
    ActionFactory(relationship=world.relationship, title="Talk to the bank", risk=risk)
    lead_auditor = UserFactory(username="luke")
    MembershipFactory(
        user=lead_auditor, organisation=world.lead.organisation, role="auditor"
    )
    url = reverse("relationships:action_list")
    assert "Supplier cash-flow squeeze" in login(lead_auditor).get(url).content.decode()
    erin = external_auditor(world)
    page = login(erin).get(url).content.decode()
    assert "Talk to the bank" in page
    assert "Supplier cash-flow squeeze" not in page
