import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.choices import AssessmentStatus, Cadence
from assessments.models import AssessmentSchedule
from assessments.receivers import summaries_refresh_noted
from assessments.selectors.dashboards import (
    PORTFOLIO_PAGE_SIZE,
    AssessmentState,
    assessment_period_state,
    dashboard_catalogue_invalidate,
    last_ended_period,
    maturity_scale,
    portfolio_summaries,
)
from assessments.selectors.dashboards.attention import (
    ATTENTION_LIST_LENGTH,
    REGISTER_LISTS,
    _entries_kept,
    _entries_read,
    _leading_summaries,
)
from assessments.selectors.dashboards.portfolio import portfolio_index_build
from principles.models import LifecycleStage
from relationships.access import visible_records
from relationships.choices import (
    ActionStatus,
    MembershipRole,
    ObjectiveStatus,
    PartnerRole,
    PlanDecisionKind,
    PlanVersionStatus,
    RelationshipKind,
    RelationshipStatus,
    RiskStatus,
    Visibility,
)
from relationships.models import (
    JointManagementTeamMember,
    PlanDecision,
    Relationship,
)
from relationships.services.registers import action_update
from tests.assessments.factories_dashboards import Q1_2026, Q4_2025, rated
from tests.factories import (
    ActionFactory,
    MembershipFactory,
    ObjectiveFactory,
    OrganisationFactory,
    PartnershipFactory,
    PlanFactory,
    PlanVersionFactory,
    RelationshipFactory,
    RiskFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("assessments:portfolio_dashboard")
LATEST = [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2]


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    dashboard_catalogue_invalidate()
    yield
    cache.clear()


def _grid_rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [row for row in body.split("<tr>") if "hg l" in row]


def _titles(html: str) -> list[str]:
    return re.findall(r'<th scope="row"[^>]*><a href="[^"]+"[^>]*>([^<]+)</a>', html)


def _partner_relationship(world, title: str, reference: str, **fields) -> Relationship:
    """Another relationship in which alice's organisation is the lead partner."""
    relationship = RelationshipFactory(title=title, reference=reference, **fields)
    PartnershipFactory(
        relationship=relationship,
        organisation=world.lead.organisation,
        role=PartnerRole.LEAD,
        relationship_manager=world.alice,
    )
    return relationship


# --- the heat grid ---------------------------------------------------------------


def test_grid_colours_each_principle_by_the_latest_shared_joint_level(
    login, world
) -> None:
    rated(world.relationship, [3] * 12, period=Q4_2025)
    rated(world.relationship, LATEST, period=Q1_2026)
    # A later draft is not shared yet, so it must not show.
    rated(
        world.relationship,
        [5] * 12,
        period=(datetime.date(2026, 4, 1), datetime.date(2026, 6, 30)),
        status=AssessmentStatus.DRAFT,
    )

    html = login(world.alice).get(URL).content.decode()

    [row] = _grid_rows(html)
    cells = re.findall(r'<td class="hg l(\d)">(\d)</td>', row)
    assert [int(level) for level, _ in cells] == LATEST
    assert all(level == text for level, text in cells)


def test_grid_shows_overall_score_and_a_downward_trend_with_its_delta(
    login, world
) -> None:
    rated(world.relationship, [3] * 12, period=Q4_2025)  # score 50
    rated(world.relationship, LATEST, period=Q1_2026)  # 525 / 12 = 43.75

    [row] = _grid_rows(login(world.alice).get(URL).content.decode())

    assert re.search(r'<td class="score l3">44</td>', row)
    assert "↓ −6" in row and "down 6 points" in row


def test_grid_shows_an_upward_trend_and_no_trend_without_an_earlier_assessment(
    login, world
) -> None:
    other = _partner_relationship(world, "Another venture", "another-venture")
    rated(world.relationship, [2] * 12, period=Q4_2025)  # 25
    rated(world.relationship, [3] * 12, period=Q1_2026)  # 50
    rated(other, [4] * 12, period=Q1_2026)

    html = login(world.alice).get(URL).content.decode()

    another, joint = _grid_rows(html)
    assert "↑ +25" in joint and "up 25 points" in joint
    assert 'class="score l4">75<' in another
    assert "no earlier joint assessment" in another


def test_relationship_without_shared_joint_assessment_has_grey_unrated_cells(
    login, world
) -> None:
    rated(world.relationship, [4] * 12, status=AssessmentStatus.DRAFT)

    [row] = _grid_rows(login(world.alice).get(URL).content.decode())

    assert row.count('class="hg l0"') == 12
    assert '<td class="score l0">–</td>' in row


def test_column_headers_show_short_names_with_the_full_name_as_title(
    login, world
) -> None:
    html = login(world.alice).get(URL).content.decode()
    assert (
        'title="7. Trust and commitment to mutual benefit"><span>7 Trust</span></th>'
        in html
    )
    assert 'title="12. Exit strategy"><span>12 Exit</span></th>' in html


def test_rows_link_to_the_relationship_dashboard(login, world) -> None:
    html = login(world.alice).get(URL).content.decode()
    dashboard = reverse(
        "assessments:relationship_dashboard",
        kwargs={"reference": world.relationship.reference},
    )
    assert f'<a href="{dashboard}" title="Joint venture">Joint venture</a>' in html


def test_principles_are_matched_by_number_across_principle_sets(login, world) -> None:
    ubc = _partner_relationship(
        world, "UBC venture", "ubc-venture", kind=RelationshipKind.UNIVERSITY_BUSINESS
    )
    rated(ubc, [5, 4, 3, 2, 1, 5, 4, 3, 2, 1, 5, 4])

    html = login(world.alice).get(URL).content.decode()

    ubc_row = next(row for row in _grid_rows(html) if "UBC venture" in row)
    levels = re.findall(r'<td class="hg l(\d)">', ubc_row)
    assert levels == ["5", "4", "3", "2", "1", "5", "4", "3", "2", "1", "5", "4"]


def test_grid_is_paginated_and_keeps_filters_in_page_links(login, world) -> None:
    for number in range(PORTFOLIO_PAGE_SIZE + 5):
        _partner_relationship(world, f"Venture {number:02d}", f"venture-{number:02d}")

    client = login(world.alice)
    first = client.get(URL, {"kind": "general"}).content.decode()
    second = client.get(URL, {"kind": "general", "page": 2}).content.decode()

    assert len(_titles(first)) == PORTFOLIO_PAGE_SIZE
    assert len(_titles(second)) == 6
    assert "Page 1 of 2" in first
    assert "kind=general&amp;page=2" in first


# --- sorting -----------------------------------------------------------------------


@pytest.fixture
def three_relationships(world) -> dict[str, Relationship]:
    low = _partner_relationship(
        world, "Alpha low", "alpha-low", stage=LifecycleStage.objects.get(number=7)
    )
    high = _partner_relationship(
        world, "Beta high", "beta-high", stage=LifecycleStage.objects.get(number=2)
    )
    rated(low, [2] * 12, period=Q4_2025)
    rated(low, [1] * 12, period=Q1_2026)  # 0, trend -25
    rated(high, [3] * 12, period=Q4_2025)
    rated(high, [5] * 12, period=Q1_2026)  # 100, trend +50
    rated(world.relationship, [3] * 12, period=Q4_2025)
    rated(world.relationship, [3] * 12, period=Q1_2026)  # 50, trend 0
    return {"low": low, "high": high}


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("title", ["Alpha low", "Beta high", "Joint venture"]),
        ("-title", ["Joint venture", "Beta high", "Alpha low"]),
        ("-score", ["Beta high", "Joint venture", "Alpha low"]),
        ("score", ["Alpha low", "Joint venture", "Beta high"]),
        ("-trend", ["Beta high", "Joint venture", "Alpha low"]),
        ("trend", ["Alpha low", "Joint venture", "Beta high"]),
        ("stage", ["Beta high", "Joint venture", "Alpha low"]),
        ("-stage", ["Alpha low", "Joint venture", "Beta high"]),
    ],
)
def test_sorting_orders_the_whole_portfolio(
    login, world, three_relationships, sort: str, expected: list[str]
) -> None:
    html = login(world.alice).get(URL, {"sort": sort}).content.decode()
    assert _titles(html) == expected


def test_sort_headers_keep_the_filters_and_toggle_direction(
    login, world, three_relationships
) -> None:
    html = login(world.alice).get(URL, {"kind": "general", "sort": "-score"}).content
    html = html.decode()
    assert 'href="?kind=general&amp;sort=score"' in html
    assert 'aria-sort="descending"' in html
    assert '<input type="hidden" name="sort" value="-score">' in html


def test_an_unknown_sort_is_refused_with_a_message_not_an_error(
    login, world, three_relationships
) -> None:
    response = login(world.alice).get(URL, {"sort": "password"})
    assert response.status_code == 200
    assert _titles(response.content.decode())[0] == "Alpha low"
    assert "Select a valid choice" in response.content.decode()


# --- filters -----------------------------------------------------------------------


def test_kind_filter(login, world, three_relationships) -> None:
    three_relationships["high"].kind = RelationshipKind.LARGE_MSME
    three_relationships["high"].save()
    html = login(world.alice).get(URL, {"kind": "large_msme"}).content.decode()
    assert _titles(html) == ["Beta high"]


def test_stage_filter(login, world, three_relationships) -> None:
    html = login(world.alice).get(URL, {"stage": 7}).content.decode()
    assert _titles(html) == ["Alpha low"]
    assert '<option value="7" selected>7. Staying together</option>' in html


def test_an_unknown_stage_is_a_field_error(login, world) -> None:
    response = login(world.alice).get(URL, {"stage": 9})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_partner_filter_matches_part_of_a_partner_name(
    login, world, three_relationships
) -> None:
    html = login(world.alice).get(URL, {"partner": "partner org"}).content.decode()
    assert _titles(html) == ["Joint venture"]


def test_partner_filter_never_reaches_another_tenants_organisation(
    login, world
) -> None:
    html = login(world.alice).get(URL, {"partner": "Outsider"}).content.decode()
    assert _titles(html) == []
    assert "Outsider deal" not in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"min_score": 50}, ["Beta high", "Joint venture"]),
        ({"min_score": 51}, ["Beta high"]),
        ({"max_score": 50}, ["Alpha low", "Joint venture"]),
        ({"min_score": 10, "max_score": 90}, ["Joint venture"]),
    ],
)
def test_score_range_filters(
    login, world, three_relationships, params, expected
) -> None:
    html = login(world.alice).get(URL, params).content.decode()
    assert _titles(html) == expected


def test_an_out_of_range_score_shows_a_field_error(login, world) -> None:
    response = login(world.alice).get(URL, {"min_score": 150})
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 100" in response.content.decode()


@pytest.mark.parametrize("kind", ["action", "risk", "assessment"])
def test_overdue_filter_finds_relationships_with_overdue_items(
    login, world, three_relationships, kind: str
) -> None:
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    for relationship in (*three_relationships.values(), world.relationship):
        AssessmentSchedule.objects.create(relationship=relationship, active=False)
    late = _partner_relationship(world, "Gamma late", "gamma-late")
    if kind == "action":
        ActionFactory(relationship=late, due_date=yesterday)
    elif kind == "risk":
        RiskFactory(relationship=late, review_date=yesterday)
    else:
        # No joint assessment for the last quarter, and no grace at all.
        AssessmentSchedule.objects.create(relationship=late, grace_days=0)
    if kind != "assessment":
        AssessmentSchedule.objects.create(relationship=late, active=False)

    client = login(world.alice)
    with_overdue = _titles(client.get(URL, {"overdue": "yes"}).content.decode())
    without = _titles(client.get(URL, {"overdue": "no"}).content.decode())

    assert with_overdue == ["Gamma late"]
    assert without == ["Alpha low", "Beta high", "Joint venture"]


def test_filters_are_kept_in_the_form_for_bookmarking(login, world) -> None:
    html = login(world.alice).get(URL, {"partner": "Lead", "kind": "general"})
    html = html.content.decode()
    assert 'method="get"' in html
    assert 'value="Lead"' in html
    assert '<option value="general" selected>' in html


# --- counters ----------------------------------------------------------------------


def _counter(html: str, label: str) -> int:
    match = re.search(
        r'<div class="count">(\d+)</div><div class="label">' + re.escape(label), html
    )
    assert match, label
    return int(match.group(1))


def _bar(html: str, label: str) -> int:
    match = re.search(
        r'<th scope="row">' + re.escape(label) + r'</th><td class="bar-count">(\d+)<',
        html,
    )
    assert match, label
    return int(match.group(1))


def test_counters_count_overdue_actions_risks_and_off_track_objectives(
    login, world
) -> None:
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    ActionFactory(relationship=world.relationship, due_date=yesterday)
    ActionFactory(
        relationship=world.relationship, due_date=yesterday, status=ActionStatus.DONE
    )
    ActionFactory(relationship=world.relationship, due_date=today)
    RiskFactory(relationship=world.relationship, review_date=yesterday)
    RiskFactory(
        relationship=world.relationship,
        review_date=yesterday,
        status=RiskStatus.CLOSED,
    )
    ObjectiveFactory(relationship=world.relationship, status=ObjectiveStatus.OFF_TRACK)
    ObjectiveFactory(relationship=world.relationship, status=ObjectiveStatus.AT_RISK)

    html = login(world.alice).get(URL).content.decode()

    assert _counter(html, "Overdue actions") == 1
    assert _counter(html, "Risks past their review date") == 1
    assert _counter(html, "Objectives off track") == 1


def _first_entries_read_in_full(user, today) -> dict[str, list[str]]:
    """The attention lists as a read of every entry the user sees would give."""
    seen = Relationship.objects.filter(
        partnerships__organisation__memberships__user=user
    )
    lists = {}
    for key, kind in REGISTER_LISTS.items():
        entries = kind.entries(today).filter(
            visible_records(user, kind.model), relationship__in=seen
        )
        lists[key] = [entry.title for entry in entries[:ATTENTION_LIST_LENGTH]]
    return lists


def test_attention_lists_show_the_first_entries_a_full_read_would(world) -> None:
    """The lists read only the relationships whose entries come first (by the
    earliest date each summary keeps); ties past the first few, private entries
    and undated objectives must give what reading every entry gives."""
    today = timezone.localdate()

    def days_ago(days: int) -> datetime.date:
        return today - datetime.timedelta(days=days)

    others = []
    for number in range(24):
        relationship = _partner_relationship(world, f"R{number}", f"r-{number}")
        PartnershipFactory(
            relationship=relationship, organisation=world.partner.organisation
        )
        others.append(relationship)
        RiskFactory(relationship=relationship, review_date=days_ago(number % 4 + 1))
        ObjectiveFactory(relationship=relationship, status=ObjectiveStatus.OFF_TRACK)
    # A tie of 24 relationships on one date, longer than the window read, with the
    # first entries (by id) in the relationships read last.
    for relationship in reversed(others):
        ActionFactory(relationship=relationship, due_date=days_ago(3))
    ActionFactory(relationship=others[17], due_date=days_ago(9), title="Early")
    # Earlier still, but private to the other partner: alice must not see it.
    ActionFactory(
        relationship=world.relationship,
        due_date=days_ago(30),
        visibility=Visibility.PARTNER,
        owner_partnership=world.partner,
        title="Partner's own",
    )
    shared = RiskFactory(
        relationship=world.relationship,
        review_date=days_ago(20),
        visibility=Visibility.PARTNER,
        owner_partnership=world.partner,
        title="Shared with the lead",
    )
    shared.shared_with.add(world.lead)
    ObjectiveFactory(
        relationship=others[20],
        status=ObjectiveStatus.OFF_TRACK,
        milestone_date=days_ago(5),
        title="Dated",
    )

    for user in (world.alice, world.bob):
        summaries = portfolio_summaries(user=user, today=today)
        attention = portfolio_index_build(
            user=user, summaries=summaries.order_by(), today=today
        ).attention
        shown = {
            "actions": [item.title for item in attention.action_items],
            "risks": [item.title for item in attention.risk_items],
            "objectives": [item.title for item in attention.objective_items],
        }
        assert shown == _first_entries_read_in_full(user, today), user
    assert shown["actions"][0] == "Partner's own"  # bob's list
    assert (
        "Partner's own"
        not in _first_entries_read_in_full(world.alice, today)["actions"]
    )
    assert _first_entries_read_in_full(world.alice, today)["risks"][0] == (
        "Shared with the lead"
    )


def _attention_titles(user, today) -> dict[str, list[str]]:
    summaries = portfolio_summaries(user=user, today=today)
    attention = portfolio_index_build(
        user=user, summaries=summaries.order_by(), today=today
    ).attention
    return {
        "actions": [item.title for item in attention.action_items],
        "risks": [item.title for item in attention.risk_items],
        "objectives": [item.title for item in attention.objective_items],
    }


def test_a_members_attention_lists_come_from_the_summaries_alone(world) -> None:
    """A member's first entries are kept in the summaries of their partners
    (`attention_entries`): the lists read no register, and follow a rename."""
    today = timezone.localdate()
    late = ActionFactory(
        relationship=world.relationship,
        due_date=today - datetime.timedelta(days=2),
        title="Send the minutes",
    )
    RiskFactory(
        relationship=world.relationship,
        review_date=today - datetime.timedelta(days=1),
        title="Key person leaves",
    )
    ObjectiveFactory(
        relationship=world.relationship,
        status=ObjectiveStatus.OFF_TRACK,
        title="Halve the lead time",
    )
    summaries_refresh_noted()  # as after the commit of those saves

    with CaptureQueriesContext(connection) as queries:
        shown = _attention_titles(world.alice, today)

    assert shown == {
        "actions": ["Send the minutes"],
        "risks": ["Key person leaves"],
        "objectives": ["Halve the lead time"],
    }
    registers = (
        "relationships_action",
        "relationships_risk",
        "relationships_objective",
    )
    assert not [
        query["sql"]
        for query in queries.captured_queries
        if any(f'FROM "{table}"' in query["sql"] for table in registers)
    ]

    action_update(
        action=late,
        changes={"title": "Send the signed minutes"},
        expected_revision=late.revision,
        updated_by=world.alice,
    )
    summaries_refresh_noted()
    assert _attention_titles(world.alice, today)["actions"] == [
        "Send the signed minutes"
    ]


def test_kept_attention_entries_are_what_the_registers_give(world) -> None:
    """The entries kept in the summaries are those a read of the registers
    gives for the same summaries (the way a grantee's are read), for a member
    of one partner and for a member of both: the portfolio shows one summary
    per relationship, and its lists that partner's view, as its counters."""
    today = timezone.localdate()
    MembershipFactory(user=world.carol, organisation=world.partner.organisation)
    for days, owner in ((5, world.partner), (4, world.lead), (3, None), (2, None)):
        ActionFactory(
            relationship=world.relationship,
            due_date=today - datetime.timedelta(days=days),
            visibility=Visibility.PARTNER if owner else Visibility.JOINT,
            owner_partnership=owner,
            title=f"{days} days late",
        )
    for number in range(7):
        other = _partner_relationship(world, f"R{number}", f"r-{number}")
        ActionFactory(
            relationship=other,
            due_date=today - datetime.timedelta(days=number % 3 + 1),
            title=f"R{number} late",
        )
    summaries_refresh_noted()

    for user in (world.alice, world.bob, world.carol):
        summaries = portfolio_summaries(user=user, today=today)
        leading = _leading_summaries(summaries, "actions", REGISTER_LISTS["actions"])
        kept = _entries_kept(leading)
        assert kept, user
        assert kept == _entries_read(
            leading, REGISTER_LISTS["actions"], user=user, today=today
        ), user
    # Carol's, as the lead sees them: the partner's own entry is not among them.
    assert [title for _, _, title, _ in kept] == [
        "4 days late",
        "3 days late",
        "R2 late",
        "R5 late",
        "2 days late",
    ]


def test_perception_gaps_of_the_latest_period_are_counted_and_listed(
    login, world
) -> None:
    rated(world.relationship, [3] * 12)
    rated(world.relationship, [3] * 10 + [5, 3], partnership=world.lead)
    rated(world.relationship, [3] * 10 + [3, 3], partnership=world.partner)
    calm = _partner_relationship(world, "Calm venture", "calm-venture")
    calm_partner = PartnershipFactory(relationship=calm)
    rated(calm, [3] * 12)
    rated(calm, [3] * 12, partnership=calm.partnerships.get(role="lead"))
    rated(calm, [4] * 12, partnership=calm_partner)

    html = login(world.alice).get(URL).content.decode()

    assert _counter(html, "Relationships with perception gaps") == 1
    gaps = html.split('id="attention-gaps"', 1)[1].split("</section>", 1)[0]
    assert "Joint venture" in gaps and "gaps in Measure" in gaps
    assert "Calm venture" not in gaps


def test_gaps_of_an_earlier_period_are_not_counted(login, world) -> None:
    rated(world.relationship, [3] * 12, period=Q4_2025)
    rated(world.relationship, [1] * 12, period=Q4_2025, partnership=world.lead)
    rated(world.relationship, [5] * 12, period=Q4_2025, partnership=world.partner)
    rated(world.relationship, [3] * 12, period=Q1_2026)

    html = login(world.alice).get(URL).content.decode()

    assert _counter(html, "Relationships with perception gaps") == 0


def test_plans_awaiting_sign_off_count_only_undecided_partners_the_user_represents(
    login, world
) -> None:
    plan = PlanFactory(relationship=world.relationship)
    version = PlanVersionFactory(
        plan=plan,
        status=PlanVersionStatus.SUBMITTED,
        submission_round=2,
        submitted_at=timezone.now(),
    )
    # The lead decided in an earlier round only: it still has to decide now.
    PlanDecision.objects.create(
        plan_version=version,
        partnership=world.lead,
        submission_round=1,
        decision=PlanDecisionKind.APPROVE,
        decided_by=world.alice,
    )
    PlanDecision.objects.create(
        plan_version=version,
        partnership=world.partner,
        submission_round=2,
        decision=PlanDecisionKind.APPROVE,
        decided_by=world.bob,
    )
    JointManagementTeamMember.objects.create(
        relationship=world.relationship,
        user=world.carol,
        partnership=world.lead,
        is_leadership=True,
    )

    def awaiting(user) -> int:
        return _counter(
            login(user).get(URL).content.decode(), "Plans awaiting your sign-off"
        )

    assert awaiting(world.alice) == 1  # relationship manager of the lead
    assert awaiting(world.carol) == 1  # leadership seat for the lead
    assert awaiting(world.bob) == 0  # his partner has decided this round
    assert awaiting(world.dave) == 0  # an auditor represents nobody


def test_a_plan_awaits_a_member_of_both_partners_for_the_one_they_represent(
    login, world
) -> None:
    """Bob signs for the partner, not for the lead he also belongs to: the plan
    awaits him though the lead, whose summary comes first, has decided."""
    MembershipFactory(
        user=world.bob,
        organisation=world.lead.organisation,
        role=MembershipRole.AUDITOR,
    )
    version = PlanVersionFactory(
        plan=PlanFactory(relationship=world.relationship),
        status=PlanVersionStatus.SUBMITTED,
        submission_round=1,
        submitted_at=timezone.now(),
    )
    PlanDecision.objects.create(
        plan_version=version,
        partnership=world.lead,
        submission_round=1,
        decision=PlanDecisionKind.APPROVE,
        decided_by=world.alice,
    )

    html = login(world.bob).get(URL).content.decode()

    assert _titles(html) == ["Joint venture"]
    assert _counter(html, "Plans awaiting your sign-off") == 1


def test_a_joint_team_member_without_leadership_signs_off_nothing(login, world) -> None:
    plan = PlanFactory(relationship=world.relationship)
    PlanVersionFactory(
        plan=plan, status=PlanVersionStatus.SUBMITTED, submission_round=1
    )
    JointManagementTeamMember.objects.create(
        relationship=world.relationship, user=world.carol, partnership=world.lead
    )
    html = login(world.carol).get(URL).content.decode()
    assert _counter(html, "Plans awaiting your sign-off") == 0


def test_assessment_counters_follow_the_schedule_cadence_and_grace(world) -> None:
    today = datetime.date(2026, 5, 20)
    q1 = last_ended_period(today=today, months=3)
    assert q1 == (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    done = _partner_relationship(world, "Done", "done")
    rated(done, [3] * 12, period=q1)
    due = _partner_relationship(world, "Due", "due")
    AssessmentSchedule.objects.create(relationship=due, grace_days=60)
    overdue = _partner_relationship(world, "Overdue", "overdue")
    AssessmentSchedule.objects.create(relationship=overdue, grace_days=30)
    yearly = _partner_relationship(world, "Yearly", "yearly")
    AssessmentSchedule.objects.create(relationship=yearly, cadence=Cadence.YEARLY)
    rated(
        yearly, [3] * 12, period=(datetime.date(2025, 7, 1), datetime.date(2025, 9, 30))
    )
    paused = _partner_relationship(world, "Paused", "paused")
    AssessmentSchedule.objects.create(relationship=paused, active=False)
    closed = _partner_relationship(
        world, "Closed", "closed", status=RelationshipStatus.CLOSED
    )
    young = _partner_relationship(
        world, "Young", "young", start_date=datetime.date(2026, 4, 15)
    )
    # world.relationship has no schedule: quarterly, 30 days grace, so overdue.

    summaries = portfolio_summaries(user=world.alice, today=today)
    states = dict(summaries.values_list("reference", "assessment_state"))

    assert states == {
        done.reference: AssessmentState.DONE,
        due.reference: AssessmentState.DUE,
        overdue.reference: AssessmentState.OVERDUE,
        yearly.reference: AssessmentState.DONE,
        paused.reference: AssessmentState.NOT_EXPECTED,
        closed.reference: AssessmentState.NOT_EXPECTED,
        young.reference: AssessmentState.NOT_EXPECTED,
        world.relationship.reference: AssessmentState.OVERDUE,
    }
    attention = portfolio_index_build(
        user=world.alice, summaries=summaries, today=today
    ).attention
    assert (attention.assessments_due, attention.assessments_overdue) == (1, 2)
    assert [item.title for item in attention.assessment_items] == [
        "Joint venture",
        "Overdue",
        "Due",
    ]
    assert attention.assessment_items[0].detail == "Overdue: period ended 31 Mar 2026"


def test_a_yearly_schedule_is_overdue_without_any_assessment_last_year(
    world,
) -> None:
    AssessmentSchedule.objects.create(
        relationship=world.relationship, cadence=Cadence.YEARLY, grace_days=30
    )
    state = assessment_period_state(
        world.relationship, latest_joint_start=None, today=datetime.date(2026, 3, 1)
    )
    assert state == (AssessmentState.OVERDUE, datetime.date(2025, 12, 31))


def test_distribution_by_stage_and_kind(login, world, three_relationships) -> None:
    html = login(world.alice).get(URL).content.decode()
    assert re.search(
        r"<th scope=\"row\">2\. Knowledge</th><td class=\"bar-count\">1<", html
    )
    assert re.search(
        r"<th scope=\"row\">5\. Working together</th><td class=\"bar-count\">1<", html
    )
    assert re.search(
        r"<th scope=\"row\">General collaboration</th><td class=\"bar-count\">3<", html
    )


def test_an_empty_portfolio_explains_itself(login, world) -> None:
    Relationship.objects.exclude(pk=world.outsider_relationship.pk).delete()
    html = login(world.alice).get(URL).content.decode()
    assert "You are not a partner in any relationship yet" in html


# --- tenancy -----------------------------------------------------------------------


def test_no_count_grid_row_or_bar_includes_another_tenants_relationship(
    login, world
) -> None:
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    outsider = world.outsider_relationship
    outsider_lead = outsider.partnerships.get()
    rated(outsider, [5] * 12)
    other_partner = PartnershipFactory(
        relationship=outsider, organisation=OrganisationFactory(name="Secret Partner")
    )
    rated(outsider, [1] * 12, partnership=outsider_lead)
    rated(outsider, [5] * 12, partnership=other_partner)
    for _ in range(3):
        ActionFactory(relationship=outsider, due_date=yesterday)
        RiskFactory(relationship=outsider, review_date=yesterday)
        ObjectiveFactory(relationship=outsider, status=ObjectiveStatus.OFF_TRACK)
    PlanVersionFactory(
        plan=PlanFactory(relationship=outsider),
        status=PlanVersionStatus.SUBMITTED,
        submission_round=1,
    )
    ActionFactory(relationship=world.relationship, due_date=yesterday)

    alice_html = login(world.alice).get(URL).content.decode()
    eve_html = login(world.eve).get(URL).content.decode()

    assert _titles(alice_html) == ["Joint venture"]
    assert "Outsider deal" not in alice_html and "Secret Partner" not in alice_html
    assert _counter(alice_html, "Overdue actions") == 1
    assert _counter(alice_html, "Risks past their review date") == 0
    assert _counter(alice_html, "Objectives off track") == 0
    assert _counter(alice_html, "Relationships with perception gaps") == 0
    assert _counter(alice_html, "Plans awaiting your sign-off") == 0
    assert "1 relationship you can see" in alice_html
    assert _bar(alice_html, "General collaboration") == 1

    assert _titles(eve_html) == ["Outsider deal"]
    assert _counter(eve_html, "Overdue actions") == 3
    assert _counter(eve_html, "Risks past their review date") == 3
    assert _counter(eve_html, "Objectives off track") == 3
    assert _counter(eve_html, "Relationships with perception gaps") == 1
    assert _counter(eve_html, "Plans awaiting your sign-off") == 1


def test_a_member_of_both_partners_sees_their_relationship_once(login, world) -> None:
    """Alice's second organisation is the other partner of the relationship: it
    has a summary for each of them, yet it is one relationship, shown and
    counted once, and its joint entries are counted once."""
    MembershipFactory(
        user=world.alice,
        organisation=world.partner.organisation,
        role=MembershipRole.AUDITOR,
    )
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    ActionFactory(relationship=world.relationship, due_date=yesterday)
    rated(world.relationship, LATEST, period=Q1_2026)

    client = login(world.alice)
    html = client.get(URL).content.decode()
    filtered = client.get(URL, {"kind": world.relationship.kind}).content.decode()

    assert _titles(html) == ["Joint venture"]
    assert len(_grid_rows(html)) == 1
    assert "1 relationship you can see" in html
    assert _bar(html, "General collaboration") == 1
    assert _counter(html, "Overdue actions") == 1
    assert _titles(filtered) == ["Joint venture"]
    assert "1 relationship match these filters" in filtered
    assert portfolio_summaries(user=world.alice).count() == 1


# --- cache ---------------------------------------------------------------------------


def test_counters_are_fresh_after_a_save(login, world) -> None:
    client = login(world.alice)
    assert _counter(client.get(URL).content.decode(), "Overdue actions") == 0
    ActionFactory(
        relationship=world.relationship,
        due_date=timezone.localdate() - datetime.timedelta(days=3),
    )
    assert _counter(client.get(URL).content.decode(), "Overdue actions") == 1


def test_grid_rows_are_rechecked_against_access_even_when_cached(login, world) -> None:
    client = login(world.alice)
    assert _titles(client.get(URL).content.decode()) == ["Joint venture"]
    # A removal that sends no signal: the cached order still names the row.
    type(world.lead).objects.filter(pk=world.lead.pk).update(
        organisation=OrganisationFactory()
    )
    assert _titles(client.get(URL).content.decode()) == []


def test_maturity_scale_reads_scores_and_names_from_the_catalogue() -> None:
    scale = maturity_scale()
    assert scale.scores == {1: 0, 2: 25, 3: 50, 4: 75, 5: 100}
    assert scale.names[5] == "Best practice"
    assert scale.band(44) == 3 and scale.band(None) == 0
