"""Report PDFs are tagged (PDF/UA-1) and archival (PDF/A-2a): read back with pypdf."""

import io
import re

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject

from assessments.choices import ReportStatus
from assessments.services.reports import RenderOutcome, report_render
from tests.assessments.factories_reports import finished_period

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def report_pdf(world) -> PdfReader:
    report = finished_period(world)
    assert report_render(report_id=report.pk) == RenderOutcome.DONE
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    with report.file.open("rb") as handle:
        return PdfReader(io.BytesIO(handle.read()))


def _resolved(value):
    return value.get_object() if isinstance(value, IndirectObject) else value


def _structure_elements(element) -> list[DictionaryObject]:
    """Every structure element under `element`, depth first."""
    found = []
    kids = _resolved(element.get("/K"))
    if kids is None:
        return found
    for kid in kids if isinstance(kids, list) else [kids]:
        kid = _resolved(kid)
        if isinstance(kid, DictionaryObject) and "/S" in kid:
            found.append(kid)
            found.extend(_structure_elements(kid))
    return found


def test_the_report_is_tagged_with_language_and_title(report_pdf, world) -> None:
    catalog = report_pdf.trailer["/Root"]
    # What pdfinfo reads as "Tagged: yes".
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert catalog["/Lang"] == "en"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert world.relationship.title in report_pdf.metadata.title
    elements = _structure_elements(catalog["/StructTreeRoot"])
    roles = {str(element["/S"]) for element in elements}
    assert {"/H1", "/H2", "/P", "/Table", "/TH", "/TD", "/Figure", "/Link"} <= roles


def test_every_chart_keeps_its_alternative_text(report_pdf) -> None:
    catalog = report_pdf.trailer["/Root"]
    figures = [
        element
        for element in _structure_elements(catalog["/StructTreeRoot"])
        if element["/S"] == "/Figure"
    ]
    alternatives = sorted(str(figure["/Alt"]) for figure in figures)
    assert alternatives == [
        "Heat map of the open risks by likelihood and impact",
        "Radar chart of the joint levels and each partner's self-assessed levels",
    ]


def test_the_metadata_declares_pdf_a_2a_and_pdf_ua_1(report_pdf, world) -> None:
    catalog = report_pdf.trailer["/Root"]
    metadata = catalog["/Metadata"].get_object()
    assert "/Filter" not in metadata  # PDF/A validators read it uncompressed
    xmp = metadata.get_data().decode()
    assert re.search(r'pdfaid:part="2"|<pdfaid:part>2<', xmp)
    assert re.search(r'pdfaid:conformance="A"|<pdfaid:conformance>A<', xmp)
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp
    # PDF/A-2 accepts the PDF/UA property only with its extension schema.
    assert (
        "<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/"
        "</pdfaSchema:namespaceURI>" in xmp
    )
    assert world.relationship.title in xmp  # dc:title
    assert report_pdf.pdf_header == "%PDF-1.7"
    assert "/ID" in report_pdf.trailer
    (intent,) = catalog["/OutputIntents"]
    assert intent["/S"] == "/GTS_PDFA1"
    assert "/DestOutputProfile" in intent


def test_every_font_is_embedded(report_pdf) -> None:
    fonts = {}
    for page in report_pdf.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descendant = descendant.get_object()
                fonts[str(descendant["/BaseFont"])] = descendant["/FontDescriptor"]
    assert any("DejaVu-Sans" in name for name in fonts)
    for name, descriptor in fonts.items():
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), name
