"""Small real files of each accepted type, made here (no binary fixtures), and the
disguised ones an upload must refuse."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n"
    b"3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 200 200]>> endobj\n"
    b"trailer <</Root 1 0 R>>\n%%EOF\n"
)

OOXML_MAIN = {
    "docx": (
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml."
        "document.main+xml",
    ),
    "xlsx": (
        "xl/workbook.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    ),
    "pptx": (
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml."
        "presentation.main+xml",
    ),
}

ODF_MIMETYPES = {
    "odt": b"application/vnd.oasis.opendocument.text",
    "ods": b"application/vnd.oasis.opendocument.spreadsheet",
}

SVG_WITH_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script></svg>"
)
HTML_WITH_SCRIPT = (
    b"<!doctype html><html><body><script>fetch('/steal?'+document.cookie)"
    b"</script></body></html>"
)


def image_bytes(format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "#0b5394").save(buffer, format=format)
    return buffer.getvalue()


def office_open_xml_bytes(extension: str, *, macros: bool = False) -> bytes:
    part, content_type = OOXML_MAIN[extension]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
            'openxmlformats.org/package/2006/content-types"><Default Extension="xml"'
            ' ContentType="application/xml"/><Override PartName="/'
            f'{part}" ContentType="{content_type}"/></Types>',
        )
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(part, "<document/>")
        if macros:
            archive.writestr(part.split("/")[0] + "/vbaProject.bin", b"\xd0\xcf")
    return buffer.getvalue()


def opendocument_bytes(extension: str, *, macros: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), ODF_MIMETYPES[extension], zipfile.ZIP_STORED
        )
        archive.writestr("content.xml", "<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
        if macros:
            archive.writestr("Basic/Standard/Module1.xml", "<script:module/>")
    return buffer.getvalue()


def valid_content(extension: str) -> bytes:
    """Content that really is what a file named *.extension should hold."""
    if extension == "pdf":
        return MINIMAL_PDF
    if extension == "png":
        return image_bytes("PNG")
    if extension in ("jpg", "jpeg"):
        return image_bytes("JPEG")
    if extension in OOXML_MAIN:
        return office_open_xml_bytes(extension)
    if extension in ODF_MIMETYPES:
        return opendocument_bytes(extension)
    if extension == "csv":
        return "partner,score\nNorthbridge,3\nLumen – Ltd,4\n".encode()
    return "# Minutes\n\nAgreed: the joint review moves to May. Café ✓\n".encode()


def valid_upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, valid_content(name.rsplit(".", 1)[-1].lower()))


def pdf_of_size(size: int) -> bytes:
    """A file of exactly `size` bytes that passes as a PDF (a header, padding)."""
    return (MINIMAL_PDF + b"%" + b"0" * size)[:size]
