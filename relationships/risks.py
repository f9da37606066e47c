"""Risk scores and their bands: the one table by which the register, the
dashboard's heat map and the PDF report name and colour a risk.

A risk's score is likelihood x impact on the 5 x 5 matrix, 1 to 25. The four
bands are the usual ones of such a matrix, and the ones the register has always
explained in its legend and counts by ("high or very high", score 10 and more).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class RiskBand:
    """A range of scores with its name and colour; `key` names its CSS class
    (`heat-<key>`, relationships/partials/risk_band_styles.html)."""

    key: str
    label: str
    lowest: int
    highest: int
    colour: str


RISK_BANDS: tuple[RiskBand, ...] = (
    RiskBand("low", "Low", 1, 4, "#d1e7dd"),
    RiskBand("medium", "Medium", 5, 9, "#fff3cd"),
    RiskBand("high", "High", 10, 14, "#ffd8a8"),
    RiskBand("very-high", "Very high", 15, 25, "#f1aeb5"),
)

# The lowest score counted as a high risk (the register's summary and filter).
HIGH_RISK_SCORE = RISK_BANDS[2].lowest


def risk_band(score: int) -> RiskBand:
    """The band of a likelihood x impact score."""
    for band in RISK_BANDS:
        if score <= band.highest:
            return band
    return RISK_BANDS[-1]


@dataclass(frozen=True)
class HeatMapCell:
    """One cell of the 5 x 5 heat map: how many risks have this likelihood and
    impact."""

    likelihood: int
    impact: int
    count: int

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def band(self) -> str:
        return risk_band(self.score).key

    @property
    def band_label(self) -> str:
        return risk_band(self.score).label

    @property
    def colour(self) -> str:
        return risk_band(self.score).colour


def heat_map_cells(counts: dict[tuple[int, int], int]) -> list[list[HeatMapCell]]:
    """Rows from likelihood 5 (top) to 1, columns impact 1 to 5, from counts per
    (likelihood, impact)."""
    return [
        [
            HeatMapCell(likelihood, impact, counts.get((likelihood, impact), 0))
            for impact in range(1, 6)
        ]
        for likelihood in range(5, 0, -1)
    ]
