"""Uploads are checked by content and extension together, stored with the checked
type, always served as attachments of that type; oversized bodies are refused from
their Content-Length before anything reads them."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.urls import reverse

from relationships.filetypes import ACCEPTED_TYPES
from relationships.models import RelationshipDocument
from relationships.services.lifecycle import document_upload
from tests.relationships.factories_lifecycle import RelationshipDocumentFactory
from tests.relationships.sample_files import (
    HTML_WITH_SCRIPT,
    MINIMAL_PDF,
    SVG_WITH_SCRIPT,
    image_bytes,
    office_open_xml_bytes,
    opendocument_bytes,
    valid_content,
)

pytestmark = pytest.mark.django_db

MARKUP_REFUSED = "web markup (HTML, SVG or a script)"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def _upload(world, name: str, content: bytes) -> RelationshipDocument:
    return document_upload(
        relationship=world.relationship,
        user=world.alice,
        file=SimpleUploadedFile(name, content),
    )


@pytest.mark.parametrize("extension", sorted(ACCEPTED_TYPES))
def test_each_accepted_type_is_stored_with_its_checked_content_type(
    world, media_root, extension: str
) -> None:
    document = _upload(world, f"file.{extension}", valid_content(extension))
    assert document.content_type == ACCEPTED_TYPES[extension].content_type
    document.refresh_from_db()
    assert document.content_type == ACCEPTED_TYPES[extension].content_type
    assert len(_stored_files(media_root)) == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        # Markup that a browser would run, whatever the name says.
        ("avatar.png", SVG_WITH_SCRIPT, MARKUP_REFUSED),
        ("avatar.png", HTML_WITH_SCRIPT, MARKUP_REFUSED),
        ("scan.jpg", b"\n  <HTML><script>alert(1)</script>", MARKUP_REFUSED),
        ("minutes.pdf", HTML_WITH_SCRIPT, MARKUP_REFUSED),
        ("notes.txt", HTML_WITH_SCRIPT, MARKUP_REFUSED),
        ("notes.md", b"# Notes\n\n" + SVG_WITH_SCRIPT, MARKUP_REFUSED),
        ("scores.csv", b'<?xml version="1.0"?><svg/>', MARKUP_REFUSED),
        ("notes.txt", b"Click [here](javascript:alert(1))", MARKUP_REFUSED),
        # One real type under another's name.
        ("scan.pdf", image_bytes("PNG"), "is not a PDF document"),
        ("photo.png", image_bytes("JPEG"), "is not a PNG image"),
        ("photo.jpg", MINIMAL_PDF, "is not a JPEG image"),
        ("review.xlsx", office_open_xml_bytes("docx"), "is not an Excel workbook"),
        ("review.docx", opendocument_bytes("odt"), "is not a Word document"),
        ("policy.odt", opendocument_bytes("ods"), "is not an OpenDocument text"),
        ("policy.odt", office_open_xml_bytes("docx"), "is not an OpenDocument"),
        ("scores.csv", image_bytes("PNG"), "is not CSV text"),
        # Broken or bare containers.
        ("review.docx", b"PK\x03\x04 not really a zip", "is not a Word document"),
        ("review.pptx", b"PK\x05\x06" + b"\0" * 18, "PowerPoint"),
        # Macros and scripts inside documents.
        ("budget.docx", office_open_xml_bytes("docx", macros=True), "macros"),
        ("budget.ods", opendocument_bytes("ods", macros=True), "macros"),
        (
            "form.pdf",
            MINIMAL_PDF.replace(b"/Type /Catalog", b"/OpenAction <</S /JavaScript>>"),
            "script",
        ),
        (
            "form.pdf",
            MINIMAL_PDF.replace(b"/Type /Catalog", b"/AA <</S /J#61vaScript>>"),
            "script",
        ),
        # Text that is not text.
        ("notes.txt", b"Minutes\x00\x01\x02", "is not plain text"),
        ("notes.txt", "Café".encode("latin-1"), "not UTF-8"),
    ],
)
def test_content_that_is_not_what_the_name_says_is_refused(
    world, media_root, name: str, content: bytes, message: str
) -> None:
    with pytest.raises(ValidationError, match="This file cannot be accepted") as error:
        _upload(world, name, content)
    assert message in str(error.value)
    assert not RelationshipDocument.objects.exists()
    assert not _stored_files(media_root)


def test_the_form_says_why_an_svg_named_png_is_refused(login, world, media_root):
    response = login(world.alice).post(
        reverse(
            "relationships:relationship_documents",
            kwargs={"reference": world.relationship.reference},
        ),
        {"file": SimpleUploadedFile("logo.png", SVG_WITH_SCRIPT), "title": "Logo"},
    )
    assert response.status_code == 200
    errors = str(response.context["form"].errors["file"])
    assert "This file cannot be accepted." in errors
    assert MARKUP_REFUSED in errors
    assert response.context["form"]["title"].value() == "Logo"
    assert not RelationshipDocument.objects.exists()


def _download(login, world, document: RelationshipDocument):
    return login(world.alice).get(
        reverse(
            "relationships:document_download",
            kwargs={"reference": world.relationship.reference, "pk": document.pk},
        )
    )


def test_download_is_an_attachment_of_the_checked_type_never_sniffed(
    login, world
) -> None:
    document = _upload(world, "scan.png", image_bytes("PNG"))
    response = _download(login, world, document)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == image_bytes("PNG")
    response.close()


def test_a_file_stored_before_types_were_checked_is_served_as_octet_stream(
    login, world
) -> None:
    # Rows from before the check have no type: never guess one from the name.
    document = RelationshipDocumentFactory(
        relationship=world.relationship, content_type=""
    )
    response = _download(login, world, document)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    response.close()


# --- the request body cap --------------------------------------------------------


class UnreadableInput(io.RawIOBase):
    """A wsgi.input that fails the test if anything reads it."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        raise AssertionError("the request body was read")


def _wsgi_post(path: str, content_length: int, stream) -> tuple[str, bytes]:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "CONTENT_TYPE": "multipart/form-data; boundary=xyz",
        "CONTENT_LENGTH": str(content_length),
        "wsgi.input": stream,
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    statuses = []
    body = b"".join(
        WSGIHandler()(environ, lambda status, headers, *_: statuses.append(status))
    )
    return statuses[0], body


def test_a_body_over_the_cap_is_refused_before_it_is_read(world, settings) -> None:
    path = reverse(
        "relationships:relationship_documents",
        kwargs={"reference": world.relationship.reference},
    )
    status, body = _wsgi_post(
        path, settings.REQUEST_BODY_MAX_BYTES + 1, UnreadableInput()
    )
    assert status.startswith("413")
    page = body.decode()
    assert "<title>Upload too large" in page
    assert "A document may be up to 10 MB." in page


def test_a_body_at_the_cap_goes_on_to_the_next_middleware(world, settings) -> None:
    # Anonymous and without a CSRF cookie: the CSRF middleware's 403 shows that
    # the request went past the cap.
    path = reverse(
        "relationships:relationship_documents",
        kwargs={"reference": world.relationship.reference},
    )
    status, _ = _wsgi_post(path, settings.REQUEST_BODY_MAX_BYTES, io.BytesIO(b""))
    assert status.startswith("403")


def test_the_cap_follows_the_upload_limit_setting(world, settings) -> None:
    settings.UPLOAD_MAX_BYTES = 1000
    settings.REQUEST_BODY_MAX_BYTES = 2000
    path = reverse(
        "relationships:relationship_documents",
        kwargs={"reference": world.relationship.reference},
    )
    status, body = _wsgi_post(path, 2001, UnreadableInput())
    assert status.startswith("413")
    assert "A document may be up to 1 KB." in body.decode()
    with pytest.raises(ValidationError, match="the limit is"):
        _upload(world, "notes.txt", b"x" * 1001)
