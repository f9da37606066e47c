from datetime import date
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from assessments.choices import AssessmentKind, AssessmentStatus
from assessments.models import Assessment, PrincipleRating
from assessments.selectors.confirmations import (
    assessment_confirmed_partnership_ids,
    assessment_fingerprint,
)
from principles.choices import PrincipleKey
from principles.models import Principle
from relationships.checks import seats_held_by_members
from relationships.choices import MembershipRole, PartnerRole, PlanVersionStatus
from relationships.demo import (
    ALLIANCE,
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    LARGE_MSME,
    LIFECYCLE,
    NORTHBRIDGE_CALDER,
    RELATIONSHIPS,
    UBC,
    demo_load,
    recent_quarters,
)
from relationships.models import (
    Action,
    Membership,
    Objective,
    Organisation,
    Plan,
    PlanVersion,
    Relationship,
    Risk,
)
from relationships.selectors import relationships_visible_to
from relationships.selectors.plans import (
    plan_version_missing_fields,
    plan_version_signatures,
)

pytestmark = pytest.mark.django_db

PROJECT_APPS = ("auth", "principles", "relationships", "assessments")


def _snapshot() -> dict[str, list[dict]]:
    """Every row of every project model, so that any change shows up."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
    }


def test_second_load_creates_and_changes_nothing() -> None:
    first = demo_load()
    before = _snapshot()

    second = demo_load()

    assert first.total > 500
    assert first.created["organisations"] == 7
    assert second.total == 0
    assert second.created == {}
    assert _snapshot() == before


def test_load_gives_identical_row_counts_for_every_model() -> None:
    demo_load()
    counts = {model: model._default_manager.count() for model in apps.get_models()}

    demo_load()

    assert {
        model: model._default_manager.count() for model in apps.get_models()
    } == counts


def test_command_summarises_then_reports_nothing_new(settings) -> None:
    settings.DEMO_DATA_ALLOWED = True
    first_output, second_output = StringIO(), StringIO()

    call_command("load_demo", stdout=first_output)
    call_command("load_demo", stdout=second_output)

    assert "created 7 organisations" in first_output.getvalue()
    assert "nothing new" in second_output.getvalue()
    assert DEMO_PASSWORD in second_output.getvalue()


def test_command_is_refused_when_demo_data_is_not_allowed(settings) -> None:
    settings.DEMO_DATA_ALLOWED = False

    with pytest.raises(CommandError, match="local evaluation only"):
        call_command("load_demo", stdout=StringIO())

    assert not Organisation.objects.exists()
    assert not Relationship.objects.exists()


def test_every_demo_account_can_log_in(client) -> None:
    demo_load()

    assert len(DEMO_ACCOUNTS) == 30
    for username, *_ in DEMO_ACCOUNTS:
        assert client.login(username=username, password=DEMO_PASSWORD), username
        client.logout()


def test_admin_is_a_superuser_outside_every_organisation() -> None:
    demo_load()

    admin = get_user_model().objects.get(username="admin")

    assert admin.is_superuser and admin.is_staff
    assert not Membership.objects.filter(user=admin).exists()
    assert not relationships_visible_to(admin).exists()


def test_every_organisation_has_a_user_in_every_role() -> None:
    demo_load()

    for organisation in Organisation.objects.all():
        roles = set(
            Membership.objects.filter(organisation=organisation).values_list(
                "role", flat=True
            )
        )
        assert roles == set(MembershipRole.values), organisation


def test_users_see_only_relationships_of_their_own_organisations() -> None:
    demo_load()
    partner_organisation_ids = {
        relationship.pk: {
            partnership.organisation_id
            for partnership in relationship.partnerships.all()
        }
        for relationship in Relationship.objects.prefetch_related("partnerships")
    }
    all_relationship_ids = set(partner_organisation_ids)
    users_not_seeing_everything = 0

    for username, *_ in DEMO_ACCOUNTS:
        user = get_user_model().objects.get(username=username)
        own_organisation_ids = set(
            Membership.objects.filter(user=user).values_list(
                "organisation_id", flat=True
            )
        )
        expected = {
            relationship_id
            for relationship_id, organisation_ids in partner_organisation_ids.items()
            if organisation_ids & own_organisation_ids
        }
        visible = set(relationships_visible_to(user).values_list("pk", flat=True))
        assert visible == expected, username
        users_not_seeing_everything += visible != all_relationship_ids

    assert users_not_seeing_everything >= 1
    priya = get_user_model().objects.get(username="priya.uni")
    assert set(relationships_visible_to(priya).values_list("reference", flat=True)) == {
        UBC,
        NORTHBRIDGE_CALDER,
    }


def test_relationships_have_their_partners_and_lead() -> None:
    demo_load()

    expected_partners = {
        UBC: ["University of Northbridge", "Lumen Sensors Ltd"],
        LARGE_MSME: [
            "Calder Engineering plc",
            "Hartley Castings Ltd",
            "Wren Precision",
        ],
        ALLIANCE: ["Eastmere Water plc", "Brightline Digital plc"],
        NORTHBRIDGE_CALDER: ["Calder Engineering plc", "University of Northbridge"],
    }
    for reference, organisation_names in expected_partners.items():
        relationship = Relationship.objects.get(reference=reference)
        partnerships = list(relationship.partnerships.select_related("organisation"))
        assert {p.organisation.name for p in partnerships} == set(organisation_names)
        lead = relationship.partnerships.get(role=PartnerRole.LEAD)
        assert lead.organisation.name == organisation_names[0]
        for partnership in partnerships:
            assert Membership.objects.filter(
                user=partnership.relationship_manager,
                organisation=partnership.organisation,
                role=MembershipRole.RELATIONSHIP_MANAGER,
            ).exists()
            assert partnership.senior_executive
            assert relationship.jmt_members.filter(
                partnership=partnership, user=partnership.relationship_manager
            ).exists()


def test_each_relationship_has_four_final_quarters_of_twelve_ratings() -> None:
    demo_load()
    quarters = recent_quarters(today=timezone.localdate())

    for relationship in Relationship.objects.prefetch_related("partnerships"):
        principle_ids = set(
            Principle.objects.filter(
                principle_set__key=relationship.principle_set_key
            ).values_list("pk", flat=True)
        )
        assert len(principle_ids) == 12
        raters = [None, *relationship.partnerships.all()]
        for period_start, period_end in quarters:
            for partnership in raters:
                assessment = Assessment.objects.get(
                    relationship=relationship,
                    period_start=period_start,
                    kind=AssessmentKind.SELF if partnership else AssessmentKind.JOINT,
                    partnership=partnership,
                )
                assert assessment.period_end == period_end
                assert assessment.status == AssessmentStatus.FINAL
                assert assessment.submitted_at and assessment.finalised_at
                rated = set(assessment.ratings.values_list("principle_id", flat=True))
                assert rated == principle_ids
                if partnership is None:
                    # Final only because every partner confirmed these ratings.
                    assert assessment_confirmed_partnership_ids(
                        assessment=assessment,
                        fingerprint=assessment_fingerprint(assessment=assessment),
                    ) == {partner.pk for partner in raters[1:]}
        assert relationship.assessments.count() == 4 * len(raters)


def _levels(*, assessment: Assessment) -> dict[str, int]:
    return dict(assessment.ratings.values_list("principle__key", "level"))


def _joint_levels(*, relationship: Relationship, period_start: date) -> dict[str, int]:
    return _levels(
        assessment=Assessment.objects.get(
            relationship=relationship,
            period_start=period_start,
            kind=AssessmentKind.JOINT,
        )
    )


def test_ratings_improve_and_partners_see_things_differently() -> None:
    demo_load()
    quarters = recent_quarters(today=timezone.localdate())
    oldest_start, latest_start = quarters[0][0], quarters[-1][0]

    for relationship in Relationship.objects.all():
        oldest = _joint_levels(relationship=relationship, period_start=oldest_start)
        latest = _joint_levels(relationship=relationship, period_start=latest_start)
        assert sum(latest.values()) > sum(oldest.values())
        assert all(latest[key] >= oldest[key] for key in PrincipleKey.values)

        self_views = [
            _levels(assessment=assessment)
            for assessment in Assessment.objects.filter(
                relationship=relationship,
                period_start=latest_start,
                kind=AssessmentKind.SELF,
            )
        ]
        widest_gap = max(
            max(view[key] for view in self_views)
            - min(view[key] for view in self_views)
            for key in PrincipleKey.values
        )
        assert widest_gap >= 2
        assert any(view != latest for view in self_views)

    assert PrincipleRating.objects.filter(level=2).count() >= 3


def test_recent_quarters_are_the_four_complete_ones_before_today() -> None:
    assert recent_quarters(today=date(2026, 2, 15)) == [
        (date(2025, 1, 1), date(2025, 3, 31)),
        (date(2025, 4, 1), date(2025, 6, 30)),
        (date(2025, 7, 1), date(2025, 9, 30)),
        (date(2025, 10, 1), date(2025, 12, 31)),
    ]
    assert recent_quarters(today=date(2026, 4, 1))[-1] == (
        date(2026, 1, 1),
        date(2026, 3, 31),
    )


def test_plans_exist_in_every_state() -> None:
    demo_load()

    def versions(reference: str) -> dict[int, PlanVersion]:
        return {
            version.number: version
            for version in PlanVersion.objects.filter(
                plan__relationship__reference=reference
            )
        }

    ubc, large_msme, alliance = versions(UBC), versions(LARGE_MSME), versions(ALLIANCE)
    northbridge_calder = versions(NORTHBRIDGE_CALDER)
    assert {n: v.status for n, v in ubc.items()} == {
        1: PlanVersionStatus.SUPERSEDED,
        2: PlanVersionStatus.APPROVED,
    }
    assert ubc[1].approved_at < ubc[2].approved_at
    assert {n: v.status for n, v in large_msme.items()} == {
        1: PlanVersionStatus.APPROVED,
        2: PlanVersionStatus.SUBMITTED,
    }
    assert large_msme[2].submitted_at and large_msme[2].approved_at is None
    assert {n: v.status for n, v in alliance.items()} == {
        1: PlanVersionStatus.APPROVED,
        2: PlanVersionStatus.DRAFT,
    }
    assert alliance[2].submitted_at is None and alliance[2].approved_at is None
    assert {n: v.status for n, v in northbridge_calder.items()} == {
        1: PlanVersionStatus.APPROVED
    }

    for version in PlanVersion.objects.all():
        sections = dict(version.sections.values_list("principle_key", "content"))
        assert set(sections) == set(PrincipleKey.values)
        assert all(content["summary"].strip() for content in sections.values())

    # Approved versions carry every partner's sign-off; the one awaiting sign-off
    # still waits for one partner.
    def signed(version: PlanVersion) -> int:
        return version.decisions.filter(submission_round=1, decision="approve").count()

    assert signed(ubc[2]) == signed(ubc[1]) == 2
    assert signed(large_msme[1]) == 3
    assert signed(large_msme[2]) == 2
    assert large_msme[2].submission_round == 1


def test_plans_with_an_msme_partner_start_at_essentials_depth() -> None:
    demo_load()
    depths = dict(Plan.objects.values_list("relationship__reference", "depth"))
    assert depths == {
        UBC: "essentials",
        LARGE_MSME: "essentials",
        ALLIANCE: "full",
        NORTHBRIDGE_CALDER: "full",
    }


def test_registers_tell_a_story_in_every_relationship() -> None:
    demo_load()
    today = timezone.localdate()

    for spec in RELATIONSHIPS:
        relationship = Relationship.objects.get(reference=spec.reference)
        objectives = Objective.objects.filter(relationship=relationship)
        risks = list(Risk.objects.filter(relationship=relationship))
        actions = list(Action.objects.filter(relationship=relationship))
        assert 3 <= objectives.count() <= 5
        assert objectives.filter(owner=None).exists()
        assert objectives.exclude(owner=None).exists()
        assert 3 <= len(risks) <= 5
        assert any(risk.is_joint for risk in risks)
        assert any(risk.review_overdue for risk in risks)
        assert 3 <= len(actions) <= 5
        assert any(action.is_overdue for action in actions)
        assert any(action.principle_key for action in actions)
        assert relationship.stage.number == spec.stage_number
        assert relationship.start_date < recent_quarters(today=today)[0][0]

    assert Objective.objects.filter(status="off_track").exists()
    assert Action.objects.exclude(risk=None).exists()


def test_submitted_and_approved_demo_versions_are_complete() -> None:
    demo_load()
    for version in PlanVersion.objects.exclude(status=PlanVersionStatus.DRAFT):
        relationship = version.plan.relationship
        assert (
            plan_version_missing_fields(
                plan_version=version,
                relationship=relationship,
                depth=version.plan.depth,
            )
            == []
        ), version


def test_demo_plan_dates_tell_one_story() -> None:
    demo_load()
    versions = PlanVersion.objects.exclude(submitted_at=None).prefetch_related(
        "decisions"
    )
    assert versions
    for version in versions:
        # Drafted before it was submitted, signed off between submission and
        # approval, not "today" after an approval months ago.
        assert version.created_at < version.submitted_at, version
        for decision in version.decisions.all():
            assert version.submitted_at < decision.decided_at, decision
            if version.approved_at:
                assert decision.decided_at <= version.approved_at, decision


def test_demo_seats_pass_the_data_check_and_its_sign_offs_are_valid() -> None:
    demo_load()
    assert seats_held_by_members(databases=["default"]) == []
    versions = list(PlanVersion.objects.exclude(status=PlanVersionStatus.DRAFT))
    signatures = plan_version_signatures(versions=versions)
    assert sum(len(signed) for signed in signatures.values()) > 0
    assert all(
        signature.valid for signed in signatures.values() for signature in signed
    )
