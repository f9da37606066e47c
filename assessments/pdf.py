"""HTML to PDF with WeasyPrint, fetching nothing but the app's own files.

Reports are tagged and archival: PDF/A-2a (WeasyPrint's "pdf/a-2a" variant: the
structure tree from the HTML, the document language from `<html lang>`, the title
from `<title>`, fonts embedded, an sRGB output intent) that also declares PDF/UA-1.
WeasyPrint takes one variant per document, so `_declare_pdf_ua` adds the PDF/UA
identification to the XMP metadata afterwards, with the extension schema PDF/A-2
asks for any property outside its own schemas; a tagged PDF/A-2a document is what
PDF/UA-1 then checks (Tagged, /Lang, dc:title, DisplayDocTitle, alt text).

Report text comes from users (titles, evidence, comments, organisation names).
Django's autoescaping keeps it text, and this fetcher is the second wall: even if
markup slipped through, WeasyPrint could read neither local files nor the network.
It serves only data: URIs (the charts we generate) and files under STATIC_URL,
found through the staticfiles finders; everything else is refused by raising.
"""

import base64
import gc
import logging
import mimetypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders

if TYPE_CHECKING:
    import pydyf
    from weasyprint.document import Document

# WeasyPrint announces each rendering step at INFO (some while it is imported):
# noise in a worker's log for every report. Refused URLs are still logged, as
# errors, by the "weasyprint" logger.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

from weasyprint import HTML  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402
from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402

# Relative URLs in the report resolve against this base. The host is reserved
# (RFC 2606 .invalid), and the fetcher answers for it itself: nothing is requested.
REPORT_BASE_URL = "https://partnerplan.invalid/"


class URLRefused(ValueError):
    """The report asked for something outside the app's own static files."""


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    page_count: int


class StaticOnlyURLFetcher(URLFetcher):
    """Serves data: URIs and the app's static files; refuses everything else.

    Every URL WeasyPrint asks for is kept in `requested_urls`, so tests can prove
    what was (not) fetched.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data", "https"), allow_redirects=False)
        self.requested_urls: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        self.requested_urls.append(url)
        if url.startswith("data:"):
            return self._data_uri(url)
        return self._static_file(url)

    def _data_uri(self, url: str) -> URLFetcherResponse:
        header, _, payload = url[len("data:") :].partition(",")
        media_type, *parameters = header.split(";")
        if "base64" in parameters:
            body = base64.b64decode(payload, validate=False)
        else:
            body = unquote(payload).encode()
        return URLFetcherResponse(
            url, body, headers={"Content-Type": media_type or "text/plain"}
        )

    def _static_file(self, url: str) -> URLFetcherResponse:
        parts = urlsplit(url)
        base = urlsplit(REPORT_BASE_URL)
        static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
        if (
            parts.scheme != base.scheme
            or parts.netloc != base.netloc
            or not parts.path.startswith(static_prefix)
        ):
            raise URLRefused(f"Reports may not fetch {url!r}.")
        relative = unquote(parts.path[len(static_prefix) :])
        segments = PurePosixPath(relative).parts
        if not relative or ".." in segments or relative.startswith("/"):
            raise URLRefused(f"Reports may not fetch {url!r}.")
        path = finders.find(relative)
        if not path or isinstance(path, list):
            raise URLRefused(f"No static file {relative!r} for the report.")
        media_type = mimetypes.guess_type(relative)[0] or "application/octet-stream"
        with open(path, "rb") as handle:
            body = handle.read()
        return URLFetcherResponse(url, body, headers={"Content-Type": media_type})


def static_url_for_report(relative_path: str) -> str:
    """A static file's URL as the report's fetcher resolves it (no manifest hash)."""
    return "/" + settings.STATIC_URL.strip("/") + "/" + relative_path


def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


# Setting fonts up costs a good part of a small document's time; a worker keeps
# one configuration per thread (fontconfig objects are not for sharing across
# threads) and reuses it for every report.
_fonts = threading.local()


def _font_configuration() -> FontConfiguration:
    if not hasattr(_fonts, "configuration"):
        _fonts.configuration = FontConfiguration()
    return _fonts.configuration


# Laying a report out creates tens of thousands of short-lived objects. With the
# default threshold (700) the cyclic garbage collector ran about 75 times per
# report, each time walking the survivors again, and took 13-14 % of a report's
# time (bench/README.md). While a report renders the threshold is raised, and the
# two younger generations are collected once at the end, when the whole document
# is garbage: a long report still passes the raised threshold a few times, and
# what was alive then sits in the middle generation. Thresholds are process-wide:
# the first render in saves them, the last one out restores them (eager mode can
# render in several threads at once).
RENDER_GC_THRESHOLD = 100_000
_gc_lock = threading.Lock()
_gc_renders = 0
_gc_saved_threshold: tuple[int, ...] = ()


@contextmanager
def collections_deferred() -> Iterator[None]:
    global _gc_renders, _gc_saved_threshold
    with _gc_lock:
        if _gc_renders == 0:
            _gc_saved_threshold = gc.get_threshold()
            first, *older = _gc_saved_threshold
            gc.set_threshold(max(first, RENDER_GC_THRESHOLD), *older)
        _gc_renders += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_renders -= 1
            last_out = _gc_renders == 0
            if last_out:
                gc.set_threshold(*_gc_saved_threshold)
        if last_out:
            gc.collect(1)


# WeasyPrint's options for every report (render and write alike).
PDF_OPTIONS = {"pdf_variant": "pdf/a-2a"}

# PDF/A-2 accepts an XMP property outside its predefined schemas only with an
# extension schema describing it: first that schema for pdfuaid:part, then the
# property itself, as PDF/UA-1 asks.
_PDF_UA_IDENTIFICATION = (
    b'<rdf:Description rdf:about=""'
    b' xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"'
    b' xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"'
    b' xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">'
    b'<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">'
    b"<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>"
    b"<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/"
    b"</pdfaSchema:namespaceURI><pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>"
    b'<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">'
    b"<pdfaProperty:name>part</pdfaProperty:name>"
    b"<pdfaProperty:valueType>Integer</pdfaProperty:valueType>"
    b"<pdfaProperty:category>internal</pdfaProperty:category>"
    b"<pdfaProperty:description>Indicates, which part of ISO 14289 standard is "
    b"followed</pdfaProperty:description></rdf:li></rdf:Seq></pdfaSchema:property>"
    b"</rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>"
    b'<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">'
    b"<pdfuaid:part>1</pdfuaid:part></rdf:Description>"
)


def _declare_pdf_ua(document: "Document", pdf: "pydyf.PDF") -> None:
    """WeasyPrint's finisher: add the PDF/UA-1 identification to the XMP
    metadata the PDF/A variant wrote, uncompressed as PDF/A validators expect."""
    number = int(pdf.catalog["Metadata"].split()[0])
    metadata = pdf.objects[number]
    xmp = b"".join(metadata.stream)
    if b"</rdf:RDF>" not in xmp:
        raise ValueError("WeasyPrint wrote XMP metadata without rdf:RDF.")
    metadata.stream = [
        xmp.replace(b"</rdf:RDF>", _PDF_UA_IDENTIFICATION + b"</rdf:RDF>", 1)
    ]
    metadata.compress = False


def pdf_from_html(
    *, html: str, url_fetcher: StaticOnlyURLFetcher | None = None
) -> RenderedPdf:
    """Lay the HTML out and write the PDF; only `url_fetcher` may load resources."""
    with collections_deferred():
        # The document dies when _render returns, inside the block: the one
        # collection at its end finds all of it garbage, rather than promoting it
        # to an older generation that is walked only rarely.
        return _render(html=html, url_fetcher=url_fetcher)


def _render(*, html: str, url_fetcher: StaticOnlyURLFetcher | None) -> RenderedPdf:
    document = HTML(
        string=html,
        base_url=REPORT_BASE_URL,
        url_fetcher=url_fetcher or StaticOnlyURLFetcher(),
    ).render(font_config=_font_configuration(), **PDF_OPTIONS)
    target = BytesIO()
    document.write_pdf(target, finisher=_declare_pdf_ua, **PDF_OPTIONS)
    return RenderedPdf(content=target.getvalue(), page_count=len(document.pages))


# A page in the style of a report: both font faces, a table, margin boxes and an
# SVG image, so that warming up loads what a real report needs.
_WARM_UP_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60">'
    '<polygon points="10,50 60,10 110,50" fill="#0b5394"/>'
    '<text x="10" y="58" font-size="8">1 2 3</text></svg>'
)
_WARM_UP_HTML = (
    '<html lang="en"><head><title>Warm-up</title>'
    '<link rel="stylesheet" href="{stylesheet}"></head><body>'
    "<h1>Warm-up</h1><h2>Ratings</h2><table><thead><tr><th>Principle</th>"
    "<th>Level</th></tr></thead><tbody><tr><td>1. Awareness</td><td><strong>3"
    "</strong></td></tr></tbody></table><p>Text, <em>emphasis</em>, "
    "<strong>bold</strong>, \u201cquotes\u201d \u2013 \u00fc \u00e9.</p>"
    '<img src="{image}" alt="A triangle"></body></html>'
)


def pdf_warm_up() -> float:
    """Render a small report-like page and return the seconds it took.

    A process's first report costs about half a second more than the next ones
    (fonts, Pango and the style sheet are loaded then). Celery's pool processes are
    forked from the worker's main process, and forked again whenever one is
    recycled: warming the main process up once lets each of them start warm. Only
    static files are read; no database connection is opened.
    """
    import time

    started = time.perf_counter()
    pdf_from_html(
        html=_WARM_UP_HTML.format(
            stylesheet=static_url_for_report("css/report.css"),
            image=svg_data_uri(_WARM_UP_SVG),
        )
    )
    return time.perf_counter() - started
