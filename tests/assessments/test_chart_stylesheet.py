"""Charts on web pages carry no inline style (Content-Security-Policy); their
styles come from /css/charts.css, made from the same pygal style as the PDFs'."""

from django.urls import reverse

from assessments.charts import SERIES_COLOURS, radar_chart, trend_chart

SERIES = [("Lead", [1, 2, 3]), ("Partner", [2, 3, 4])]


def test_page_charts_have_no_style_element_or_attribute() -> None:
    for svg in (
        radar_chart(
            title="Levels", labels=["a", "b", "c"], series=SERIES, inline_css=False
        ),
        trend_chart(
            title="Trend", periods=["a", "b", "c"], series=SERIES, inline_css=False
        ),
    ):
        assert "<style" not in svg and "style=" not in svg
        assert 'class="pygal-chart"' in svg
        assert 'opacity="0" class="tooltip"' in svg


def test_pdf_charts_keep_their_own_styles() -> None:
    svg = radar_chart(title="Levels", labels=["a", "b", "c"], series=SERIES)
    assert "<style" in svg and "style=" not in svg


def test_chart_stylesheet_colours_every_series(client, db) -> None:
    response = client.get(reverse("chart_styles"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    css = response.content.decode()
    assert "#chart-" not in css
    # CSS, not the SVG's XML-escaped text: the plot's background is white.
    assert "&gt;" not in css
    assert ".pygal-chart .plot > .background{fill:#ffffff}" in css
    for index, colour in enumerate(SERIES_COLOURS):
        assert f".pygal-chart .color-{index}," in css
        assert colour in css


def test_chart_stylesheet_gives_each_series_its_line_pattern() -> None:
    """Pages link this stylesheet instead of each chart's own <style>, so the
    series' dash patterns (colour is not their only cue) must be in it."""
    from assessments.charts import SERIES_DASHES, chart_stylesheet, series_dash

    css = chart_stylesheet()
    for index in range(1, len(SERIES_DASHES)):
        rule = (
            f".pygal-chart .series.serie-{index}{{stroke-dasharray:{series_dash(index)}"
        )
        assert rule in css, index
