import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.choices import AssessmentStatus
from assessments.models import AssessmentSchedule
from relationships.choices import ActionStatus, ObjectiveStatus, RiskStatus
from tests.assessments.factories_dashboards import Q1_2026, Q4_2025, rated
from tests.factories import ActionFactory, ObjectiveFactory, RiskFactory

pytestmark = pytest.mark.django_db


def _url(world) -> str:
    return reverse(
        "assessments:relationship_dashboard",
        kwargs={"reference": world.relationship.reference},
    )


def _section(html: str, heading_id: str) -> str:
    return html.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]


@pytest.fixture
def assessed(world):
    rated(world.relationship, [2] * 12, period=Q4_2025)
    rated(world.relationship, [3] * 10 + [4, 1], period=Q1_2026)
    rated(world.relationship, [3] * 10 + [5, 1], partnership=world.lead)
    rated(world.relationship, [3] * 10 + [3, 2], partnership=world.partner)
    # Drafts are private to their authors and never reach the dashboard.
    rated(
        world.relationship,
        [5] * 12,
        period=(datetime.date(2026, 4, 1), datetime.date(2026, 6, 30)),
        status=AssessmentStatus.DRAFT,
    )
    return world


def test_radar_compares_the_latest_joint_view_with_each_partners_own(
    login, assessed
) -> None:
    html = login(assessed.alice).get(_url(assessed)).content.decode()
    radar = _section(html, "radar-heading")

    assert "<svg" in radar and "<script" not in radar
    assert "Latest ratings (2026-Q1)" in radar
    assert "Lead Org" in radar and "Partner Org" in radar
    # The data table behind the chart, one row per principle.
    table = radar.split("<details>", 1)[1]
    row = re.search(r"11\. [^<]+</th>(.*?)</tr>", table).group(1)
    assert re.findall(r'<td class="lv l(\d)">(\d)</td>', row) == [
        ("4", "4"),
        ("5", "5"),
        ("3", "3"),
    ]


def test_trend_shows_the_overall_level_and_a_table_of_every_period(
    login, assessed
) -> None:
    html = login(assessed.alice).get(_url(assessed)).content.decode()
    trend = _section(html, "trend-heading")

    assert "Overall joint maturity (mean level)" in trend
    assert ">2025-Q4</th>" in trend and ">2026-Q1</th>" in trend
    assert ">2026-Q2</th>" not in trend  # the draft period
    exit_row = re.search(r"12\. Exit strategy</th>(.*?)</tr>", trend).group(1)
    assert re.findall(r'class="lv l(\d)"', exit_row) == ["2", "1"]
    scores = re.search(r"Score \(0–100\)</th>(.*?)</tr>", trend).group(1)
    assert re.findall(r">(\d+)</td>", scores) == ["25", "48"]


def test_summary_shows_score_and_trend(login, assessed) -> None:
    html = login(assessed.alice).get(_url(assessed)).content.decode()
    assert '<span class="score-badge l3">48</span>' in html
    assert "↑ +23" in html and "Up 23 points" in html


def test_perception_gaps_list_the_partners_levels(login, assessed) -> None:
    gaps = _section(
        login(assessed.alice).get(_url(assessed)).content.decode(), "gaps-heading"
    )
    assert re.findall(r'title="([^"]+)">[^<]+</th>', gaps.split("<tbody>")[0]) == [
        "Lead Org",
        "Partner Org",
    ]
    row = re.search(
        r"11\. Relationship measurement and optimization</th>(.*?)</tr>", gaps
    )
    assert re.findall(r'<td class="lv l(\d)">', row.group(1)) == ["5", "3"]
    assert "12. Exit strategy" not in gaps  # 1 and 2 differ by one level only


def test_objectives_show_progress_towards_their_kpi_target(login, world) -> None:
    ObjectiveFactory(
        relationship=world.relationship,
        title="Place students",
        kpi_name="Placements",
        kpi_target=8,
        kpi_actual=2,
    )
    ObjectiveFactory(relationship=world.relationship, title="No figures yet")

    objectives = _section(
        login(world.alice).get(_url(world)).content.decode(), "objectives-heading"
    )

    assert 'aria-valuenow="25"' in objectives and "25%" in objectives
    assert "no KPI figures" in objectives


def test_risk_heat_map_counts_open_risks_only(login, world) -> None:
    RiskFactory(relationship=world.relationship, likelihood=5, impact=4)
    RiskFactory(
        relationship=world.relationship,
        likelihood=5,
        impact=4,
        status=RiskStatus.MITIGATING,
    )
    RiskFactory(
        relationship=world.relationship,
        likelihood=1,
        impact=1,
        status=RiskStatus.CLOSED,
    )

    risks = _section(
        login(world.alice).get(_url(world)).content.decode(), "risks-heading"
    )

    assert "<desc>2 risks by likelihood" in risks
    row = re.search(r'<th scope="row">5</th>(.*?)</tr>', risks).group(1)
    assert re.findall(r">(\d)</td>", row) == ["0", "0", "0", "2", "0"]


def test_actions_by_status_and_overdue_count(login, world) -> None:
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    ActionFactory(relationship=world.relationship, due_date=yesterday)
    ActionFactory(relationship=world.relationship, status=ActionStatus.IN_PROGRESS)
    ActionFactory(
        relationship=world.relationship, status=ActionStatus.DONE, due_date=yesterday
    )

    html = login(world.alice).get(_url(world)).content.decode()

    assert re.search(r'Open</th><td class="bar-count">1<', html)
    assert re.search(r'In progress</th><td class="bar-count">1<', html)
    assert re.search(r'Done</th><td class="bar-count">1<', html)
    assert re.search(r'Cancelled</th><td class="bar-count">0<', html)
    assert re.search(r'<div class="value text-danger">1</div>', html)


def test_upcoming_lists_milestones_reviews_and_actions_of_the_next_90_days(
    login, world
) -> None:
    today = timezone.localdate()
    ObjectiveFactory(
        relationship=world.relationship,
        title="Soon milestone",
        milestone_date=today + datetime.timedelta(days=10),
    )
    ObjectiveFactory(
        relationship=world.relationship,
        title="Far milestone",
        milestone_date=today + datetime.timedelta(days=120),
    )
    ObjectiveFactory(
        relationship=world.relationship,
        title="Achieved milestone",
        milestone_date=today + datetime.timedelta(days=5),
        status=ObjectiveStatus.ACHIEVED,
    )
    RiskFactory(
        relationship=world.relationship,
        title="Review soon",
        review_date=today + datetime.timedelta(days=3),
    )
    RiskFactory(
        relationship=world.relationship,
        title="Closed review",
        review_date=today + datetime.timedelta(days=3),
        status=RiskStatus.CLOSED,
    )

    ActionFactory(
        relationship=world.relationship,
        title="Send the minutes",
        owner=world.bob,
        due_date=today + datetime.timedelta(days=7),
    )
    ActionFactory(
        relationship=world.relationship,
        title="Done action",
        due_date=today + datetime.timedelta(days=7),
        status=ActionStatus.DONE,
    )
    ActionFactory(
        relationship=world.relationship,
        title="Far action",
        due_date=today + datetime.timedelta(days=91),
    )

    upcoming = _section(
        login(world.alice).get(_url(world)).content.decode(), "upcoming-heading"
    )

    assert (
        upcoming.index("Review soon")
        < upcoming.index("Send the minutes")
        < upcoming.index("Soon milestone")
    )
    assert "Action due" in upcoming
    assert world.bob.get_full_name() in upcoming
    for absent in (
        "Far milestone",
        "Achieved milestone",
        "Closed review",
        "Done action",
        "Far action",
    ):
        assert absent not in upcoming


def test_assessment_state_is_shown(login, world) -> None:
    AssessmentSchedule.objects.create(relationship=world.relationship, grace_days=0)
    html = login(world.alice).get(_url(world)).content.decode()
    assert '<span class="text-danger">Overdue</span>' in html


def test_a_relationship_without_data_explains_each_empty_part(login, world) -> None:
    html = login(world.alice).get(_url(world)).content.decode()
    assert "No joint assessment has been submitted yet" in html
    assert "The trend appears after the first joint assessment" in html
    assert "No objectives recorded yet." in html
    assert "No objective milestones or risk reviews in the next 90 days." in html


def test_charts_need_no_javascript(login, assessed) -> None:
    html = login(assessed.alice).get(_url(assessed)).content.decode()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "<script" not in main
    assert main.count("<svg") == 3  # radar, trend, risk heat map


def test_another_tenant_gets_404_and_never_sees_the_data(login, assessed) -> None:
    response = login(assessed.eve).get(_url(assessed))
    assert response.status_code == 404
    assert b"Joint venture" not in response.content


def test_an_auditor_reads_the_dashboard(login, assessed) -> None:
    response = login(assessed.dave).get(_url(assessed))
    assert response.status_code == 200


# --- the cached dashboard -------------------------------------------------------------


def test_the_cached_dashboard_shows_a_change_at_once(login, world) -> None:
    client = login(world.alice)
    before = _section(client.get(_url(world)).content.decode(), "risks-heading")
    assert "<desc>0 risks by likelihood" in before

    RiskFactory(relationship=world.relationship, likelihood=5, impact=4)

    after = _section(client.get(_url(world)).content.decode(), "risks-heading")
    assert "<desc>1 risks by likelihood" in after


def test_a_renamed_partner_shows_on_the_cached_dashboard(login, assessed) -> None:
    client = login(assessed.alice)
    assert "Partner Org" in client.get(_url(assessed)).content.decode()

    organisation = assessed.partner.organisation
    organisation.name = "Renamed partner"
    organisation.save()

    html = client.get(_url(assessed)).content.decode()
    assert "Renamed partner" in html


def test_a_cached_dashboard_is_still_refused_to_another_tenant(login, assessed) -> None:
    assert login(assessed.alice).get(_url(assessed)).status_code == 200  # cached

    response = login(assessed.eve).get(_url(assessed))

    assert response.status_code == 404
    assert b"Joint venture" not in response.content


def test_the_dashboard_is_rebuilt_each_day(login, world, monkeypatch) -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    ActionFactory(relationship=world.relationship, due_date=tomorrow)
    client = login(world.alice)
    assert re.search(
        r'<div class="value">0</div>\s*<div>open past',
        client.get(_url(world)).content.decode(),
    )

    monkeypatch.setattr(
        "assessments.selectors.dashboards.relationship.timezone.localdate",
        lambda: tomorrow + datetime.timedelta(days=1),
    )

    html = client.get(_url(world)).content.decode()
    assert re.search(r'<div class="value text-danger">1</div>', html)
