"""The PDF itself: what it says (read back with pypdf) and what it may fetch."""

import datetime
import http.server
import io
import threading
from collections.abc import Iterator

import pytest
from pypdf import PdfReader

from assessments import pdf as report_pdf
from assessments.choices import AssessmentKind, ConfirmationDecision
from assessments.models import Assessment, AssessmentConfirmation, Report
from assessments.pdf import (
    REPORT_BASE_URL,
    StaticOnlyURLFetcher,
    URLRefused,
    pdf_from_html,
    svg_data_uri,
)
from assessments.selectors.confirmations import assessment_fingerprint
from assessments.selectors.reports import report_data
from assessments.services.reports import (
    RenderOutcome,
    report_build_html,
    report_render,
)
from tests.assessments.factories_reports import (
    finished_period,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(
        " ".join((page.extract_text() or "").split()) for page in reader.pages
    )


def _rendered(report: Report) -> tuple[Report, bytes]:
    assert report_render(report_id=report.pk) == RenderOutcome.DONE
    report.refresh_from_db()
    with report.file.open("rb") as handle:
        return report, handle.read()


# --- what the renderer may fetch ------------------------------------------------


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { background: red; }")

    def log_message(self, format: str, *args) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[tuple[str, list[str]]]:
    """A tiny HTTP server on a random port that counts the requests it gets."""
    requests: list[str] = []
    handler = type("Handler", (_CountingHandler,), {"requests": requests})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def fetched_urls(monkeypatch) -> list[str]:
    """Every URL any report fetcher is asked for during the test."""
    urls: list[str] = []

    class RecordingFetcher(StaticOnlyURLFetcher):
        def fetch(self, url: str, headers: dict | None = None):
            urls.append(url)
            return super().fetch(url, headers)

    monkeypatch.setattr(report_pdf, "StaticOnlyURLFetcher", RecordingFetcher)
    return urls


def _hostile_markup(server_url: str) -> str:
    return (
        '<img src="file:///etc/passwd">'
        f'<link href="{server_url}/x.css">'
        f'<img src="{server_url}/a.png">'
        "<style>@import url(file:///etc/passwd)</style>"
    )


def test_user_text_cannot_make_the_report_fetch_files_or_the_network(
    world, local_server, fetched_urls
) -> None:
    server_url, server_requests = local_server
    hostile = _hostile_markup(server_url)
    # It fits the longest title it goes into (200 characters, enforced by
    # PostgreSQL).
    assert len(f"Agree a publication review {hostile}") <= 200

    _report, content = _rendered(finished_period(world, text=hostile))

    assert fetched_urls, "the renderer fetched nothing at all: test is not wired"
    for url in fetched_urls:
        assert url.startswith("data:") or url.startswith(REPORT_BASE_URL + "static/"), (
            url
        )
    assert not [url for url in fetched_urls if "file:" in url or "127.0.0.1" in url]
    assert server_requests == []
    # The markup is shown as text, escaped, in every field that reaches the PDF.
    compact = "".join(_pdf_text(content).split())
    visible = "".join(hostile.split())
    assert visible in compact
    assert compact.count(visible) >= 8
    assert "root:x:0:0" not in compact


def test_fetcher_refuses_even_markup_that_bypassed_escaping(
    local_server, fetched_urls
) -> None:
    server_url, server_requests = local_server
    html = (
        "<html><body><p>Before</p>"
        + _hostile_markup(server_url)
        + f'<link rel="stylesheet" href="{server_url}/y.css">'
        + f'<p style="background: url({server_url}/b.png)">After</p>'
        + '<svg><image href="file:///etc/passwd" width="10" height="10"/></svg>'
        + "</body></html>"
    )

    rendered = pdf_from_html(html=html)

    assert any(url.startswith("file:") for url in fetched_urls)
    asked = {url.removeprefix(server_url) for url in fetched_urls}
    assert {"/a.png", "/y.css", "/b.png"} <= asked
    assert server_requests == []
    text = _pdf_text(rendered.content)
    assert "Before" in text and "After" in text
    assert "root:" not in text


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.css",
        "https://example.com/logo.png",
        "ftp://127.0.0.1/x",
        REPORT_BASE_URL + "media/reports/other.pdf",
        REPORT_BASE_URL + "static/../../etc/passwd",
        REPORT_BASE_URL + "static/%2e%2e/%2e%2e/etc/passwd",
        REPORT_BASE_URL + "static/css/no-such-file.css",
        "https://partnerplan.invalid.evil.example/static/css/report.css",
    ],
)
def test_fetcher_refuses_anything_but_own_static_files(url: str) -> None:
    with pytest.raises(URLRefused):
        StaticOnlyURLFetcher().fetch(url)


def test_fetcher_serves_static_files_and_data_uris() -> None:
    fetcher = StaticOnlyURLFetcher()

    stylesheet = fetcher.fetch(REPORT_BASE_URL + "static/css/report.css")
    chart = fetcher.fetch(svg_data_uri("<svg xmlns='http://www.w3.org/2000/svg'/>"))

    assert b"@page" in stylesheet.read()
    assert stylesheet.content_type == "text/css"
    assert chart.read().startswith(b"<svg")
    assert chart.content_type == "image/svg+xml"
    assert fetcher.requested_urls[0].endswith("report.css")


def test_warm_up_renders_a_page_without_touching_the_database(
    django_assert_num_queries,
) -> None:
    from assessments.pdf import pdf_warm_up

    with django_assert_num_queries(0):
        seconds = pdf_warm_up()
    assert seconds > 0


def test_a_celery_worker_warms_report_rendering_up_before_forking() -> None:
    from celery.signals import worker_init

    from config.celery import warm_up_report_rendering

    receivers = [receiver() for _, receiver in worker_init.receivers]
    assert warm_up_report_rendering in receivers


# --- the garbage collector while a report renders -----------------------------------


def test_a_render_raises_the_collection_threshold_and_restores_it_after() -> None:
    import gc

    before = gc.get_threshold()
    seen = []

    def fetch(url: str, headers: dict | None = None):
        seen.append(gc.get_threshold())
        return StaticOnlyURLFetcher().fetch(url, headers)

    fetcher = StaticOnlyURLFetcher()
    fetcher.fetch = fetch
    pdf_from_html(
        html='<p>One</p><img src="' + svg_data_uri("<svg/>") + '">', url_fetcher=fetcher
    )

    assert seen and seen[0][0] == report_pdf.RENDER_GC_THRESHOLD
    assert seen[0][1:] == before[1:]
    assert gc.get_threshold() == before


def test_a_render_leaves_no_cyclic_garbage_behind(world) -> None:
    import gc

    report = finished_period(world)
    html = report_build_html(data=report_data(report=report), report=report)
    pdf_from_html(html=html)
    gc.collect()

    pdf_from_html(html=html)

    # Laying a report out leaves some 25,000 objects in reference cycles. The
    # render collects them itself; promoted to an older generation instead, they
    # would stay in memory until a rare full collection.
    assert gc.collect() < 500


def test_overlapping_renders_restore_the_threshold_when_the_last_one_ends() -> None:
    import gc

    before = gc.get_threshold()
    with report_pdf.collections_deferred():
        with report_pdf.collections_deferred():
            assert gc.get_threshold()[0] == report_pdf.RENDER_GC_THRESHOLD
        assert gc.get_threshold()[0] == report_pdf.RENDER_GC_THRESHOLD
    assert gc.get_threshold() == before

    with pytest.raises(RuntimeError), report_pdf.collections_deferred():
        raise RuntimeError("the layout failed")
    assert gc.get_threshold() == before


def test_renders_in_two_threads_at_once_restore_the_threshold() -> None:
    import gc

    before = gc.get_threshold()
    errors = []

    def render() -> None:
        try:
            for _ in range(3):
                pdf_from_html(html="<p>" + "words " * 200 + "</p>")
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=render) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert gc.get_threshold() == before


def test_the_worker_freezes_what_it_loaded_before_forking(monkeypatch) -> None:
    import gc

    from config import celery as celery_config

    monkeypatch.setattr(report_pdf, "pdf_warm_up", lambda: 0.01)
    gc.unfreeze()
    try:
        celery_config.warm_up_report_rendering()
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()


_WARM_UP_PROBE = """
import sys
import django
django.setup()
from django.template import engines
from config.celery import warm_up_report_rendering
print("before", "config.urls" in sys.modules, "openpyxl" in sys.modules)
warm_up_report_rendering()
loader = engines["django"].engine.template_loaders[0]
print("after", "config.urls" in sys.modules, "openpyxl" in sys.modules)
print("cached", "assessments/pdf/report.html" in loader.get_template_cache)
"""


def test_the_worker_loads_the_urlconf_and_task_templates_before_forking() -> None:
    import os
    import subprocess
    import sys

    from django.conf import settings

    # A fresh interpreter: this one imported the URLconf long ago. DEBUG off, as in
    # a worker, so that templates go through the cached loader.
    base = {key: os.environ[key] for key in ("PATH", "HOME") if key in os.environ}
    result = subprocess.run(
        [sys.executable, "-c", _WARM_UP_PROBE],
        cwd=settings.BASE_DIR,
        env={
            **base,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "false",
            "SECRET_KEY": "warm-up-test-only",
            "STATIC_MANIFEST": "false",
            "DATABASE_URL": "sqlite:///:memory:",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    # The first reverse() of a pool process would otherwise import every view
    # module (and openpyxl with them) while that process renders its first report.
    assert result.stdout.splitlines() == [
        "before False False",
        "after True True",
        "cached True",
    ]


def test_the_average_joint_level_rounds_half_up_as_the_dashboard_does(world) -> None:
    from assessments.models import PrincipleRating
    from tests.assessments.factories_reports import Q1

    report = finished_period(world)
    # 37 of 48 in the factory's levels; one 1 made a 3 gives 39 / 12 = 3.25.
    PrincipleRating.objects.filter(
        assessment__period_start=Q1[0], assessment__partnership=None, level=1
    ).update(level=3)

    data = report_data(report=report)
    html = report_build_html(data=data, report=report)

    assert data.joint_average == 3.25
    assert '<span class="figure-value">3.3</span>' in html


def test_report_names_who_confirmed_the_joint_assessment_for_each_partner(
    world,
) -> None:
    report = finished_period(world)
    joint = Assessment.objects.get(
        relationship=world.relationship,
        kind=AssessmentKind.JOINT,
        period_start=report.period_start,
    )
    AssessmentConfirmation.objects.create(
        assessment=joint,
        partnership=world.lead,
        decision=ConfirmationDecision.CONFIRM,
        content_sha256=assessment_fingerprint(assessment=joint),
        decided_by=world.alice,
        decided_at=datetime.datetime(2026, 4, 9, 10, tzinfo=datetime.UTC),
    )
    # Given on other ratings: it does not count, so the report does not name it.
    AssessmentConfirmation.objects.create(
        assessment=joint,
        partnership=world.partner,
        decision=ConfirmationDecision.CONFIRM,
        content_sha256="0" * 64,
        decided_by=world.bob,
    )

    _, content = _rendered(report)

    text = _pdf_text(content)
    assert (
        f"Joint assessment confirmed for Lead Org by {world.alice.get_full_name()}, "
        "9 Apr 2026; for Partner Org not yet."
    ) in text
