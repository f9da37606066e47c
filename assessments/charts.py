"""Server-rendered SVG charts, shared by the dashboards and the PDF reports.

pygal draws the radar, trend and bar charts; the 5x5 risk heat map is a plain SVG
grid (no charting library draws one). Every chart comes back as SVG markup with a
<title> and <desc>, and needs no JavaScript; pages show a data table beside it.
"""

import re
from collections.abc import Sequence
from functools import cache
from html import escape, unescape

import pygal
from pygal.style import Style

from relationships.risks import RISK_BANDS, RiskBand, heat_map_cells, risk_band

# Series are told apart by their line pattern as well as their colour, so that
# colour is never the only cue (WCAG 1.4.1), and every colour stands 3:1 or more
# against the white background (WCAG 1.4.11; tests/assessments/test_chart_colours.py).
CHART_BACKGROUND = "#ffffff"
SERIES_COLOURS = ("#0b5394", "#b45309", "#2e7d32", "#a64d79", "#00796b", "#c62828")
SERIES_DASHES = ("none", "9,4", "2,3", "10,3,2,3", "5,5", "1,5")
SERIES_LINE_WIDTH = 2.5
LEGEND_SWATCH = 24
FONT_FAMILY = "DejaVu Sans, Arial, sans-serif"

CHART_STYLE = Style(
    background=CHART_BACKGROUND,
    plot_background=CHART_BACKGROUND,
    foreground="#333333",
    foreground_strong="#111111",
    foreground_subtle="#dddddd",
    colors=SERIES_COLOURS,
    # Solid, light guides, so that only the series lines carry patterns; full
    # opacity, so that the series keep the contrast of their colours.
    guide_stroke_dasharray="none",
    major_guide_stroke_dasharray="none",
    guide_stroke_color="#d0d4d9",
    major_guide_stroke_color="#8c959f",
    stroke_width=str(SERIES_LINE_WIDTH),
    stroke_opacity="1",
    opacity="1",
    font_family=FONT_FAMILY,
    label_font_size=11,
    major_label_font_size=11,
    legend_font_size=12,
    title_font_size=14,
)

type Series = Sequence[tuple[str, Sequence[float | None]]]

# pygal always embeds a config <script> for its optional tooltips; the charts
# must work without JavaScript (and in PDFs), so it is removed.
SCRIPT_ELEMENT = re.compile(r"<script\b.*?</script>", re.DOTALL)
# pygal also embeds its stylesheet, scoped to the chart's random id. A PDF keeps
# it; a web page may not run inline styles (Content-Security-Policy), so pages
# get the SVG without it and link chart_stylesheet() (assessments/views/
# stylesheets.py) instead.
STYLE_ELEMENT = re.compile(r"<style\b.*?</style>", re.DOTALL)
CHART_ID = re.compile(r'id="(chart-[0-9a-f-]+)"')
# The hidden tooltip group's style="opacity: 0" becomes the equivalent SVG
# presentation attribute, which no Content-Security-Policy governs.
TOOLTIP_STYLE = 'style="opacity: 0" class="tooltip"'
TOOLTIP_ATTRIBUTE = 'opacity="0" class="tooltip"'


# pygal's legend key is a square of the series' colour; it becomes a sample of
# the series' line, pattern included.
LEGEND_KEY = re.compile(
    r'<rect x="(?P<x>[-\d.]+)" y="(?P<y>[-\d.]+)" width="(?P<width>[\d.]+)" '
    r'height="(?P<height>[\d.]+)" class="color-(?P<index>\d+) reactive" />'
)


def series_dash(index: int) -> str:
    return SERIES_DASHES[index % len(SERIES_DASHES)]


def _legend_line(match: re.Match) -> str:
    x, y = float(match["x"]), float(match["y"])
    width, height = float(match["width"]), float(match["height"])
    index = int(match["index"])
    return (
        f'<line x1="{x}" y1="{y + height / 2}" x2="{x + width}" '
        f'y2="{y + height / 2}" class="color-{index}" '
        f'stroke-width="{SERIES_LINE_WIDTH + 0.5}" '
        f'stroke-dasharray="{series_dash(index)}" />'
    )


def _render(
    chart: pygal.graph.graph.Graph,
    *,
    inline_css: bool = True,
    line_legend: bool = True,
) -> str:
    svg = SCRIPT_ELEMENT.sub("", chart.render(is_unicode=True))
    svg = svg.replace(TOOLTIP_STYLE, TOOLTIP_ATTRIBUTE)
    if line_legend:
        svg = LEGEND_KEY.sub(_legend_line, svg)
    return svg if inline_css else STYLE_ELEMENT.sub("", svg)


def _add_series(chart: pygal.graph.graph.Graph, series: Series) -> None:
    for index, (name, values) in enumerate(series):
        chart.add(
            name,
            list(values),
            stroke_style={"dasharray": series_dash(index)},
        )


@cache
def chart_stylesheet(series_count: int = 3 * len(SERIES_COLOURS)) -> str:
    """The CSS pygal embeds in every chart, for any chart of up to `series_count`
    series: scoped to .pygal-chart (each chart's root) instead of one chart's id."""
    chart = pygal.Bar(**_config())
    chart.x_labels = ["a"]
    # Each series' line pattern too (_add_series): colour is not its only cue.
    _add_series(chart, [(f"series {index}", [1]) for index in range(series_count)])
    svg = chart.render(is_unicode=True)
    chart_id = CHART_ID.search(svg)[1]
    css = "\n".join(STYLE_ELEMENT.findall(svg))
    css = unescape(re.sub(r"</?style\b[^>]*>", "", css))  # XML text to CSS
    return css.replace(f"#{chart_id}", ".pygal-chart")


def _config(**options) -> dict:
    return {
        "style": CHART_STYLE,
        "js": [],  # no scripts: the chart must render in a PDF and without JS
        "disable_xml_declaration": True,
        "explicit_size": True,
        "show_legend": True,
        "legend_at_bottom": True,
        "print_values": False,
        "legend_box_size": LEGEND_SWATCH,
        **options,
    }


def radar_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Series,
    width: int = 560,
    inline_css: bool = True,
) -> str:
    """Maturity levels per principle, one polygon per series. The scale runs from
    0 at the centre, so that a level of 1 is a visible ring, not a point; only the
    levels 1 to 5 are labelled."""
    chart = pygal.Radar(
        **_config(
            width=width,
            height=int(width * 0.8),
            range=(0, 5),
            y_labels=[1, 2, 3, 4, 5],
            fill=False,
        )
    )
    chart.title = title
    chart.x_labels = list(labels)
    _add_series(chart, series)
    return _render(chart, inline_css=inline_css)


def trend_chart(
    *,
    title: str,
    periods: Sequence[str],
    series: Series,
    width: int = 560,
    inline_css: bool = True,
) -> str:
    """Levels (1-5) over periods, one line per series."""
    chart = pygal.Line(
        **_config(width=width, height=int(width * 0.5), range=(1, 5), dots_size=3)
    )
    chart.title = title
    chart.x_labels = list(periods)
    _add_series(chart, series)
    return _render(chart, inline_css=inline_css)


def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Series,
    width: int = 560,
    inline_css: bool = True,
) -> str:
    chart = pygal.Bar(**_config(width=width, height=int(width * 0.5)))
    chart.title = title
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, list(values))
    return _render(chart, inline_css=inline_css, line_legend=False)


def _band_abbreviation(band: RiskBand) -> str:
    """ "L", "M", "H", "VH": the initials of the band's name."""
    return "".join(word[0].upper() for word in band.label.split())


def risk_heat_map(
    *, counts: dict[tuple[int, int], int], title: str = "Risk heat map", cell: int = 56
) -> str:
    """A 5x5 likelihood x impact grid with the number of risks in each cell,
    coloured by the score's band (relationships/risks.py)."""
    margin_left, margin_top = 70, 40
    width, height = margin_left + 5 * cell + 10, margin_top + 5 * cell + 82
    total = sum(counts.values())
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="{FONT_FAMILY}" font-size="12">',
        f"<title>{escape(title)}</title>",
        f"<desc>{total} risks by likelihood (rows) and impact (columns).</desc>",
        f'<text x="{margin_left}" y="20" font-size="14" fill="#111">'
        f"{escape(title)}</text>",
    ]
    for row_index, row in enumerate(heat_map_cells(counts)):
        y = margin_top + row_index * cell
        parts.append(
            f'<text x="{margin_left - 8}" y="{y + cell / 2 + 4}" text-anchor="end" '
            f'fill="#333">{row[0].likelihood}</text>'
        )
        for column_index, heat_cell in enumerate(row):
            x = margin_left + column_index * cell
            band = risk_band(heat_cell.score)
            risks = f"{heat_cell.count} risk{'' if heat_cell.count == 1 else 's'}"
            # The band is written in the cell too: colour is not its only cue.
            parts.append(
                f"<g><title>Likelihood {heat_cell.likelihood}, impact "
                f"{heat_cell.impact}: score {heat_cell.score}, "
                f"{band.label.lower()}; {risks}</title>"
                f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" '
                f'fill="{heat_cell.colour}" stroke="#fff" stroke-width="2"/>'
                f'<text x="{x + 5}" y="{y + 13}" font-size="9" fill="#333">'
                f"{_band_abbreviation(band)}</text>"
            )
            if heat_cell.count:
                parts.append(
                    f'<text x="{x + cell / 2}" y="{y + cell / 2 + 7}" '
                    f'text-anchor="middle" font-size="16" font-weight="bold" '
                    f'fill="#111">{heat_cell.count}</text>'
                )
            parts.append("</g>")
    bottom = margin_top + 5 * cell
    for impact in range(1, 6):
        x = margin_left + (impact - 0.5) * cell
        parts.append(
            f'<text x="{x}" y="{bottom + 16}" text-anchor="middle" '
            f'fill="#333">{impact}</text>'
        )
    parts.append(
        f'<text x="{margin_left + 2.5 * cell}" y="{bottom + 38}" text-anchor="middle" '
        f'fill="#333">Impact</text>'
    )
    parts.append(
        f'<text x="16" y="{margin_top + 2.5 * cell}" text-anchor="middle" fill="#333" '
        f'transform="rotate(-90 16 {margin_top + 2.5 * cell})">Likelihood</text>'
    )
    keys = [
        f"{_band_abbreviation(band)} {band.label.lower()} {band.lowest}–{band.highest}"
        for band in RISK_BANDS
    ]
    for line, pair in enumerate((keys[:2], keys[2:])):
        parts.append(
            f'<text x="10" y="{bottom + 58 + line * 15}" font-size="11" '
            f'fill="#333">{"Score bands: " if line == 0 else ""}'
            f"{' · '.join(pair)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
