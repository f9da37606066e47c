"""One risk-band table (relationships/risks.py): a score has the same band, name
and colour in the register, on the relationship dashboard and in the PDF report."""

import re

import pytest
from django.urls import reverse

from assessments.selectors.reports import report_data
from assessments.services.reports import report_build_html
from relationships.risks import RISK_BANDS, risk_band
from tests.assessments.factories_reports import IN_Q1, backdate, finished_period
from tests.factories import RiskFactory

pytestmark = pytest.mark.django_db


def test_the_bands_cover_every_score_once() -> None:
    scores = [
        score for band in RISK_BANDS for score in range(band.lowest, band.highest + 1)
    ]
    assert scores == list(range(1, 26))
    assert [risk_band(score).key for score in (1, 4, 5, 9, 10, 14, 15, 25)] == [
        "low",
        "low",
        "medium",
        "medium",
        "high",
        "high",
        "very-high",
        "very-high",
    ]


def _heat_map_fill(svg: str, likelihood: int, impact: int) -> str:
    """The fill of a cell of the dashboard's SVG heat map: cells are drawn row by
    row from likelihood 5, impact 1 to 5 in each."""
    fills = re.findall(
        r'<rect x="[^"]+" y="[^"]+" width="56" height="56" fill="([^"]+)"', svg
    )
    return fills[(5 - likelihood) * 5 + impact - 1]


@pytest.mark.parametrize(
    ("likelihood", "impact", "key"),
    [(5, 1, "medium"), (1, 4, "low"), (2, 5, "high"), (3, 5, "very-high")],
)
def test_a_score_has_the_same_band_in_register_dashboard_and_report(
    login, world, likelihood: int, impact: int, key: str
) -> None:
    report = finished_period(world)
    risk = RiskFactory(
        relationship=world.relationship,
        title="Banded risk",
        likelihood=likelihood,
        impact=impact,
    )
    # Recorded within the period: a report shows the register as it stood then.
    backdate(risk, IN_Q1)
    band = risk_band(likelihood * impact)
    assert band.key == key
    style = f".heat-{band.key} {{ background: {band.colour} !important; }}"
    client = login(world.alice)
    reference = world.relationship.reference

    register = client.get(
        reverse("relationships:relationship_risks", kwargs={"reference": reference})
    ).content.decode()
    cell = re.search(
        rf'<td class="heat-([a-z-]+)"[^>]*>\s*<a [^>]*aria-label="1 open risk with '
        rf"likelihood {likelihood} and impact {impact},",
        register,
    )
    assert cell.group(1) == band.key
    assert f"({band.label.lower()})" in register
    # The band colours come from a stylesheet (no inline styles: the
    # Content-Security-Policy), made from the same table.
    assert f'href="{reverse("risk_band_styles")}"' in register
    assert style in client.get(reverse("risk_band_styles")).content.decode()

    dashboard = client.get(
        reverse("assessments:relationship_dashboard", kwargs={"reference": reference})
    ).content.decode()
    svg = dashboard.split('id="risks-heading"', 1)[1].split("</svg>", 1)[0]
    assert _heat_map_fill(svg, likelihood, impact) == band.colour

    html = report_build_html(data=report_data(report=report), report=report)
    score = likelihood * impact
    assert (
        f'<span class="tag heat-{band.key}" title="{band.label}">'
        f"{likelihood}×{impact} = {score}</span>"
    ) in html
    assert style in html
