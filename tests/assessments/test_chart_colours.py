"""The charts' series colours stand out from the background (WCAG 1.4.11, 3:1)
and are never the only cue: each series has its own line pattern, shown in the
legend too (WCAG 1.4.1)."""

import re

from assessments.charts import (
    CHART_BACKGROUND,
    SERIES_COLOURS,
    SERIES_DASHES,
    radar_chart,
    trend_chart,
)


def relative_luminance(colour: str) -> float:
    """WCAG 2.2's relative luminance of an sRGB colour such as "#0b5394"."""

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(colour[index : index + 2], 16) for index in (1, 3, 5))
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted(
        (relative_luminance(first), relative_luminance(second)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_ratio_matches_the_wcag_reference_values() -> None:
    assert round(contrast_ratio("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast_ratio("#777777", "#ffffff"), 2) == 4.48
    # The figures for the old orange and green series.
    assert round(contrast_ratio("#e69138", "#ffffff"), 1) == 2.5
    assert round(contrast_ratio("#6aa84f", "#ffffff"), 1) == 2.9


def test_every_series_colour_is_3_to_1_against_the_chart_background() -> None:
    ratios = {
        colour: round(contrast_ratio(colour, CHART_BACKGROUND), 2)
        for colour in SERIES_COLOURS
    }
    assert all(ratio >= 3 for ratio in ratios.values()), ratios


def test_every_series_has_its_own_line_pattern() -> None:
    assert len(set(SERIES_DASHES)) == len(SERIES_DASHES) == len(SERIES_COLOURS)


def test_the_legend_shows_each_series_line_pattern() -> None:
    series = [("Lead", [3, 4, 2]), ("Partner", [2, 2, 5]), ("Joint", [3, 3, 3])]
    for svg in (
        radar_chart(title="Levels", labels=["a", "b", "c"], series=series),
        trend_chart(title="Trend", periods=["Q1", "Q2", "Q3"], series=series),
    ):
        keys = re.findall(
            r'<line [^>]*class="color-(\d)" [^>]*stroke-dasharray="([^"]+)"', svg
        )
        assert keys == [(str(index), SERIES_DASHES[index]) for index in range(3)]
        for index in range(3):
            assert f".serie-{index}{{stroke-dasharray:{SERIES_DASHES[index]}}}" in svg
        # No legend key is a plain colour square any more.
        assert 'class="color-0 reactive"' not in svg
