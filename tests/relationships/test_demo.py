import re
from datetime import date

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from assessments.choices import CADENCE_MONTHS, AssessmentKind, AssessmentStatus
from assessments.models import Assessment, AssessmentSchedule, PrincipleRating
from assessments.selectors.confirmations import (
    assessment_confirmed_partnership_ids,
    assessment_fingerprint,
)
from principles.choices import PrincipleKey
from principles.models import Principle
from relationships.access import relationships_visible_to
from relationships.checks import seats_held_by_members
from relationships.choices import (
    EvidenceStatus,
    MembershipRole,
    PartnerRole,
    PlanVersionStatus,
)
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
    ArtefactEvidence,
    JointManagementTeamMember,
    Membership,
    Objective,
    Organisation,
    Plan,
    PlanSection,
    PlanVersion,
    Relationship,
    Risk,
)
from relationships.plan_schema import CADENCE_CHOICES
from relationships.selectors.lifecycle import lifecycle_overview
from relationships.selectors.plans import (
    person_name,
    plan_version_missing_fields,
    plan_version_signatures,
)
from tests.conftest import LoadedDemo

# One load of the demo for the module (tests/conftest.py); each test's writes are
# rolled back. The tests that need an empty database are in test_demo_load.py.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def test_load_gives_identical_row_counts_for_every_model() -> None:
    counts = {model: model._default_manager.count() for model in apps.get_models()}

    demo_load()

    assert {
        model: model._default_manager.count() for model in apps.get_models()
    } == counts


def test_every_demo_account_can_log_in(client) -> None:

    assert len(DEMO_ACCOUNTS) == 30
    for username, *_ in DEMO_ACCOUNTS:
        assert client.login(username=username, password=DEMO_PASSWORD), username
        client.logout()


def test_admin_is_a_superuser_outside_every_organisation() -> None:

    admin = get_user_model().objects.get(username="admin")

    assert admin.is_superuser and admin.is_staff
    assert not Membership.objects.filter(user=admin).exists()
    assert not relationships_visible_to(admin).exists()


def test_every_organisation_has_a_user_in_every_role() -> None:

    for organisation in Organisation.objects.all():
        roles = set(
            Membership.objects.filter(organisation=organisation).values_list(
                "role", flat=True
            )
        )
        assert roles == set(MembershipRole.values), organisation


def test_users_see_only_relationships_of_their_own_organisations() -> None:
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
            assert Membership.objects.filter(
                user=partnership.senior_executive,
                organisation=partnership.organisation,
            ).exists()
            assert relationship.jmt_members.filter(
                partnership=partnership, user=partnership.relationship_manager
            ).exists()


def test_each_relationship_has_four_final_quarters_of_twelve_ratings() -> None:
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
    depths = dict(Plan.objects.values_list("relationship__reference", "depth"))
    assert depths == {
        UBC: "essentials",
        LARGE_MSME: "essentials",
        ALLIANCE: "full",
        NORTHBRIDGE_CALDER: "full",
    }


def test_registers_tell_a_story_in_every_relationship() -> None:
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
    assert seats_held_by_members(databases=["default"]) == []
    versions = list(PlanVersion.objects.exclude(status=PlanVersionStatus.DRAFT))
    signatures = plan_version_signatures(versions=versions)
    assert sum(len(signed) for signed in signatures.values()) > 0
    assert all(
        signature.valid for signed in signatures.values() for signature in signed
    )


def test_organisations_in_several_relationships_see_a_portfolio_row_for_each(
    client,
) -> None:
    cache.clear()
    references = set(Relationship.objects.values_list("reference", flat=True))
    shared = Organisation.objects.annotate(
        relationships_count=Count("partnerships")
    ).filter(relationships_count__gte=2)
    assert shared.count() >= 1

    for organisation in shared:
        own = set(
            Relationship.objects.filter(
                partnerships__organisation=organisation
            ).values_list("reference", flat=True)
        )
        for membership in Membership.objects.filter(
            organisation=organisation
        ).select_related("user"):
            client.force_login(membership.user)
            page = client.get(reverse("assessments:portfolio_dashboard"))
            assert page.status_code == 200
            content = page.content.decode()
            shown = {ref for ref in references if f"/relationships/{ref}/" in content}
            assert shown == own, membership.user


def test_team_seats_are_held_by_members_of_the_partner_they_represent() -> None:
    seats = list(JointManagementTeamMember.objects.select_related("partnership"))

    assert seats
    for seat in seats:
        assert seat.partnership.relationship_id == seat.relationship_id, seat
        assert Membership.objects.filter(
            user_id=seat.user_id, organisation_id=seat.partnership.organisation_id
        ).exists(), seat


MEETS = re.compile(
    r"\bmeets ("
    + "|".join(re.escape(label.lower()) for _, label in CADENCE_CHOICES)
    + r")\b"
)
NOTICE = re.compile(r"\b(\d+) days' notice\b")


def _cadence_label(cadence: str) -> str:
    return dict(CADENCE_CHOICES)[cadence].lower()


def test_plan_texts_agree_with_the_data_the_app_keeps() -> None:
    people = [user for user in get_user_model().objects.all() if user.get_full_name()]

    for relationship in Relationship.objects.all():
        partnerships = list(
            relationship.partnerships.select_related(
                "organisation", "relationship_manager"
            )
        )
        seats = list(
            relationship.jmt_members.select_related("user", "partnership__organisation")
        )
        schedule = AssessmentSchedule.objects.get(relationship=relationship)
        versions = list(
            PlanVersion.objects.filter(plan__relationship=relationship).order_by(
                "number"
            )
        )
        for version in versions:
            sections = dict(version.sections.values_list("principle_key", "content"))
            summaries = " ".join(content["summary"] for content in sections.values())
            texts = " ".join(
                str(value)
                for content in sections.values()
                for value in content.values()
            )
            assert "{" not in texts, version
            # Everyone the plan names holds a seat on this relationship's team,
            # or is a partner's senior executive responsible.
            executives = {
                partnership.senior_executive_id for partnership in partnerships
            }
            for person in people:
                if person.get_full_name() in texts:
                    assert person.pk in executives or any(
                        seat.user_id == person.pk for seat in seats
                    ), (version, person)

            governance = sections[PrincipleKey.GOVERNANCE_PROCESSES]
            meeting = _cadence_label(governance["meeting_cadence"])
            assert set(MEETS.findall(texts)) <= {meeting}, version
            if "joint_management_team" in governance:
                team = governance["joint_management_team"]
                assert team.count(";") == len(seats) - 1
                for seat in seats:
                    assert (
                        f"{seat.user.get_full_name()}, {seat.role_title} "
                        f"({seat.partnership.organisation.name})"
                    ) in team

            measurement = sections[PrincipleKey.MEASUREMENT_OPTIMIZATION]
            assert measurement["review_cadence"] == schedule.cadence
            assert _cadence_label(schedule.cadence) in measurement["summary"]
            if "assessments_per_year" in measurement:
                assert measurement["assessments_per_year"] == (
                    12 // CADENCE_MONTHS[schedule.cadence]
                )

            risk = sections[PrincipleKey.RISK_MANAGEMENT]
            if "review_cadence" in risk and version == versions[-1]:
                assert _cadence_label(risk["review_cadence"]) in risk["summary"]

            leaders = sections[PrincipleKey.COLLABORATIVE_LEADERSHIP]["senior_leaders"]
            for partnership in partnerships:
                assert (
                    f"{partnership.organisation.name}: "
                    f"{person_name(partnership.senior_executive)}"
                ) in leaders

            exit_section = sections[PrincipleKey.EXIT_STRATEGY]
            assert set(NOTICE.findall(texts)) <= {
                str(exit_section["notice_period_days"])
            }

            objectives = sections[PrincipleKey.BUSINESS_OBJECTIVES]
            for objective in relationship.objectives.filter(owner=None):
                assert objective.title in objectives["joint_objectives"]

        # The latest version says it all: cadence, managers, senior executives.
        assert meeting in summaries
        for partnership in partnerships:
            assert partnership.relationship_manager.get_full_name() in summaries
            assert person_name(partnership.senior_executive) in summaries


def test_no_relationship_misses_items_of_a_stage_it_has_passed() -> None:

    for relationship in Relationship.objects.select_related("stage"):
        current = relationship.stage.number
        # As every partner sees it: evidence and hints over joint records.
        overview = lifecycle_overview(user=AnonymousUser(), relationship=relationship)
        for row in overview.stages:
            if row.stage.number < current:
                assert row.missing_count == 0, (relationship, row.stage)
        # Gaps in the current stage are the ones the story names, and only some.
        still_open = {item.artefact.key for item in overview.current.missing_items}
        assert still_open == set(LIFECYCLE[relationship.reference].still_open)
        assert len(still_open) < len(overview.current.items)

        for evidence in ArtefactEvidence.objects.filter(relationship=relationship):
            assert evidence.artefact.stage.number <= current, evidence
            if evidence.status == EvidenceStatus.SKIPPED:
                assert evidence.note.strip()
                continue
            assert (
                evidence.plan_section_key
                or evidence.objective_id
                or evidence.risk_id
                or evidence.document_id
            ), evidence
            # Evidence every partner may open: common objectives, joint risks.
            if evidence.objective_id:
                assert evidence.objective.relationship_id == relationship.pk
                assert evidence.objective.owner_id is None
            if evidence.risk_id:
                assert evidence.risk.relationship_id == relationship.pk
                assert evidence.risk.owner_partnership_id is None


def test_stage_moves_and_evidence_dates_follow_the_plan() -> None:
    now = timezone.now()

    for relationship in Relationship.objects.select_related("stage"):
        current = relationship.stage.number
        moves = list(
            relationship.stage_transitions.select_related(
                "from_stage", "to_stage"
            ).order_by("moved_at")
        )
        assert [move.to_stage.number for move in moves] == list(range(2, current + 1))
        assert all(move.from_stage.number == move.to_stage.number - 1 for move in moves)
        entered = {move.to_stage.number: move.moved_at for move in moves}
        assert relationship.start_date < entered[2].date()
        assert entered[current] < now
        # Working together (stage 5) starts with the first approved joint plan.
        first_approval = (
            PlanVersion.objects.filter(plan__relationship=relationship)
            .exclude(approved_at=None)
            .earliest("approved_at")
            .approved_at
        )
        assert entered[5] == first_approval

        for evidence in ArtefactEvidence.objects.filter(
            relationship=relationship
        ).select_related("artefact__stage"):
            number = evidence.artefact.stage.number
            assert relationship.start_date <= evidence.recorded_at.date()
            assert entered.get(number, evidence.recorded_at) <= evidence.recorded_at
            assert evidence.recorded_at <= now
            if number < current:
                assert evidence.recorded_at < entered[number + 1], evidence
            # What the evidence links to existed when it was recorded.
            for linked in (evidence.objective, evidence.risk):
                if linked is not None:
                    assert linked.created_at <= evidence.recorded_at, evidence


def test_records_are_dated_by_the_story_not_by_the_load(demo: LoadedDemo) -> None:
    loaded_at = demo.started_at

    for relationship in Relationship.objects.all():
        assert relationship.created_at < loaded_at
        records = [
            *relationship.objectives.all(),
            *relationship.risks.all(),
            *relationship.actions.all(),
        ]
        assert records
        for record in records:
            assert relationship.start_date <= record.created_at.date(), record
            assert record.updated_at == record.created_at, record
            created = record.history.get(history_type="+")
            assert created.history_date == record.created_at, record
        assert any(record.created_at < loaded_at for record in records)
        for action in relationship.actions.exclude(completed_at=None):
            assert action.created_at < action.completed_at, action


def test_second_load_leaves_records_made_while_trying_the_app_alone() -> None:
    relationship = Relationship.objects.get(reference=UBC)
    objective = Objective.objects.create(
        relationship=relationship, title="Tried in the app", horizon="short"
    )
    section = PlanSection.objects.filter(
        plan_version__status=PlanVersionStatus.APPROVED
    ).first()
    before = (objective.created_at, list(objective.history.values()))

    demo_load()

    objective.refresh_from_db()
    assert (objective.created_at, list(objective.history.values())) == before
    assert PlanSection.objects.get(pk=section.pk).updated_at == section.updated_at


def test_frozen_plan_sections_were_last_saved_before_their_submission() -> None:
    versions = PlanVersion.objects.exclude(submitted_at=None)
    assert versions.filter(status=PlanVersionStatus.APPROVED).exists()
    assert versions.filter(status=PlanVersionStatus.SUPERSEDED).exists()

    for version in versions:
        decided = version.approved_at or version.submitted_at
        for section in version.sections.all():
            assert section.updated_at <= version.submitted_at, section
            saved = list(section.history.values_list("history_date", flat=True))
            assert saved and max(saved) <= version.submitted_at, section
        recorded = version.history.values_list("history_date", flat=True)
        assert max(recorded) <= decided, version
    for plan in Plan.objects.all():
        first_version = plan.versions.earliest("created_at")
        assert plan.created_at <= first_version.created_at
        assert max(plan.history.values_list("history_date", flat=True)) <= (
            first_version.created_at
        )


def test_the_supplier_programme_has_private_and_joint_records_on_both_sides() -> None:
    from relationships.access import objectives_visible_to, risks_visible_to

    programme = Relationship.objects.get(reference=LARGE_MSME)
    people = {
        partnership.organisation.slug: partnership.relationship_manager
        for partnership in programme.partnerships.select_related(
            "organisation", "relationship_manager"
        )
    }
    assert set(people) == {"calder-engineering", "wren-precision", "hartley-castings"}

    def risks(slug: str) -> set[str]:
        return set(
            risks_visible_to(people[slug])
            .filter(relationship=programme)
            .values_list("title", flat=True)
        )

    def objectives(slug: str) -> set[str]:
        return set(
            objectives_visible_to(people[slug])
            .filter(relationship=programme)
            .values_list("title", flat=True)
        )

    cash_flow = "Late payment strains cash flow"
    assert cash_flow in risks("wren-precision")
    assert cash_flow in risks("calder-engineering")  # shared with the lead only
    assert cash_flow not in risks("hartley-castings")
    alloy = "Qualify a second casting alloy"
    assert alloy in objectives("hartley-castings")
    assert alloy not in objectives("wren-precision")
    assert alloy not in objectives("calder-engineering")
    delivery = "Improve on-time delivery of machined parts"
    assert delivery in objectives("calder-engineering")
    assert delivery not in objectives("wren-precision")
    joint = "Move both suppliers to the simplified contract"
    assert all(joint in objectives(slug) for slug in people)
    # Each supplier's self-assessments: its own and the lead's eyes only.
    wren_self = Assessment.objects.filter(
        relationship=programme,
        kind=AssessmentKind.SELF,
        partnership__organisation__slug="wren-precision",
    )
    assert wren_self.exists()
    assert {
        tuple(assessment.shared_with.values_list("organisation__slug", flat=True))
        for assessment in wren_self
    } == {("calder-engineering",)}

    demo_load()
    assert cash_flow not in risks("hartley-castings")
    assert list(
        Risk.objects.get(title=cash_flow).shared_with.values_list(
            "organisation__slug", flat=True
        )
    ) == ["calder-engineering"]
