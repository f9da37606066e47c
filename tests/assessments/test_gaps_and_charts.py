import datetime

import pytest

from assessments.charts import radar_chart, risk_heat_map, trend_chart
from assessments.choices import AssessmentKind
from assessments.selectors.ratings import relationship_perception_gaps
from relationships.risks import heat_map_cells
from tests.factories import AssessmentFactory, rate_all_principles

pytestmark = pytest.mark.django_db


def _self_assessment(world, partnership, levels, status="final"):
    assessment = AssessmentFactory(
        relationship=world.relationship,
        kind=AssessmentKind.SELF,
        partnership=partnership,
        status=status,
    )
    rate_all_principles(assessment, levels)
    return assessment


def test_a_two_level_difference_between_partners_is_a_perception_gap(world) -> None:
    _self_assessment(world, world.lead, [3] * 10 + [5, 4])
    _self_assessment(world, world.partner, [3] * 10 + [3, 3])

    gaps = relationship_perception_gaps(
        relationship=world.relationship,
        period_start=datetime.date(2026, 1, 1),
        viewer=world.alice,
    )

    assert [gap.principle.number for gap in gaps] == [11]
    assert gaps[0].levels == {"Lead Org": 5, "Partner Org": 3}
    assert gaps[0].spread == 2


def test_draft_self_assessments_do_not_count_towards_gaps(world) -> None:
    _self_assessment(world, world.lead, [5] * 12, status="draft")
    _self_assessment(world, world.partner, [1] * 12)
    assert (
        relationship_perception_gaps(
            relationship=world.relationship,
            period_start=datetime.date(2026, 1, 1),
            viewer=world.alice,
        )
        == []
    )


def test_charts_are_self_contained_svg_without_scripts() -> None:
    labels = [f"Principle {number}" for number in range(1, 13)]
    radar = radar_chart(
        title="Joint vs self", labels=labels, series=[("Joint", [3] * 12)]
    )
    trend = trend_chart(
        title="Trend", periods=["2026-Q1", "2026-Q2"], series=[("Joint", [2, 3])]
    )
    for svg in (radar, trend):
        assert svg.startswith("<svg")
        assert "<script" not in svg
        assert "Principle 12" in radar


def test_the_radar_labels_the_levels_1_to_5_only() -> None:
    import re

    svg = radar_chart(
        title="Levels", labels=["A", "B", "C"], series=[("Joint", [1, 1, 1])]
    )

    # The scale starts at 0 in the centre (so level 1 is a ring, not a point),
    # but no level 0 exists to be labelled.
    axis = svg.split('class="axis y', 1)[1].split('class="axis x', 1)[0]
    assert re.findall(r">(\d)</text>", axis) == ["5", "4", "3", "2", "1"]


def test_heat_map_counts_risks_per_cell_and_bands_by_score() -> None:
    svg = risk_heat_map(counts={(5, 5): 2, (1, 1): 1})
    assert "<title>Risk heat map</title>" in svg
    assert "3 risks" in svg
    rows = heat_map_cells({(5, 5): 2, (1, 1): 1})
    assert rows[0][4].count == 2 and rows[0][4].band == "very-high"
    assert rows[4][0].count == 1 and rows[4][0].band == "low"
    assert rows[2][2].band == "medium"  # 3 x 3 = 9


def test_the_heat_map_names_each_cells_band_not_only_by_colour() -> None:
    from assessments.charts import risk_heat_map

    svg = risk_heat_map(counts={(3, 4): 2, (1, 5): 1})

    assert "<title>Likelihood 3, impact 4: score 12, high; 2 risks</title>" in svg
    assert "<title>Likelihood 1, impact 5: score 5, medium; 1 risk</title>" in svg
    assert svg.count('font-size="9" fill="#333">VH</text>') == 6  # scores 15-25
    assert "Score bands: L low 1–4 · M medium 5–9" in svg
    assert "H high 10–14 · VH very high 15–25" in svg
