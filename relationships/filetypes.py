"""What an uploaded file is, judged by its content and its name together.

A name is only a claim: a web page named `scan.png` is still a web page, and a
browser that sniffs it may run its scripts. Each accepted extension names the one
kind of content it may hold, and the file is accepted only when its bytes are that
kind (`upload_content_type`), whose media type is then stored with the file and
sent with it on download.

- Images and PDF: their signature (magic bytes), read by `filetype` (pure Python,
  no system library; libmagic's answers change between its versions).
- Office Open XML (docx, xlsx, pptx): a zip whose `[Content_Types].xml` declares
  the main part of that kind; macro-enabled documents (a VBA project) are refused.
- OpenDocument (odt, ods): a zip whose first entry, `mimetype`, names that kind;
  documents carrying Basic macros or scripts are refused.
- Text (txt, csv, md): valid UTF-8 without NUL bytes, and no markup that a
  browser would run (HTML, SVG, XML documents, script tags).
"""

import codecs
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from xml.etree import ElementTree

import filetype
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

# Enough for every signature `filetype` knows and for the markup sniff.
HEAD_BYTES = 8192
# [Content_Types].xml of a real document is a few kilobytes.
CONTENT_TYPES_MAX_BYTES = 1024 * 1024
TEXT_CHUNK_BYTES = 64 * 1024

MARKUP = re.compile(
    rb"<\s*(?:script|svg|html|body|iframe|object|embed|!doctype\s+html)\b"
    rb"|^\s*<\?xml\b"
    rb"|javascript:",
    re.IGNORECASE,
)
# A JavaScript or Launch action, also with its name written in #xx escapes.
PDF_ACTIVE_CONTENT = re.compile(rb"/(?:JavaScript|JS|Launch)\b")
PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")

OOXML_MAIN_PARTS = {
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml."
        "document.main+xml"
    ),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    ),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml."
        "presentation.main+xml"
    ),
}
CONTENT_TYPES_NAMESPACE = (
    "{http://schemas.openxmlformats.org/package/2006/content-types}"
)


class ContentRefused(ValueError):
    """The file's content is not what its extension says, or is not allowed."""


@dataclass(frozen=True)
class AcceptedType:
    description: str
    content_type: str
    check: Callable[[UploadedFile, bytes, str], None]


def _signature(expected: str) -> Callable[[UploadedFile, bytes, str], None]:
    def check(file: UploadedFile, head: bytes, extension: str) -> None:
        if filetype.guess_mime(head) != expected:
            raise ContentRefused
        if expected == "application/pdf":
            _pdf_has_no_active_content(file)

    return check


def _pdf_has_no_active_content(file: UploadedFile) -> None:
    """Refuse PDFs that name a JavaScript or Launch action where it can be read.

    Names inside compressed object streams are not inflated: the download is an
    attachment, so this is a second wall, not the only one.
    """
    previous_tail = b""
    for chunk in _chunks(file):
        window = previous_tail + chunk
        unescaped = PDF_NAME_ESCAPE.sub(
            lambda match: bytes.fromhex(match[1].decode()), window
        )
        if PDF_ACTIVE_CONTENT.search(unescaped):
            raise ContentRefused("The PDF holds a script or a launch action.")
        previous_tail = chunk[-64:]


def _zip(file: UploadedFile) -> zipfile.ZipFile:
    file.seek(0)
    try:
        return zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ContentRefused from error


def _office_open_xml(file: UploadedFile, head: bytes, extension: str) -> None:
    with _zip(file) as archive:
        try:
            info = archive.getinfo("[Content_Types].xml")
        except KeyError as error:
            raise ContentRefused from error
        if info.file_size > CONTENT_TYPES_MAX_BYTES:
            raise ContentRefused
        try:
            root = ElementTree.fromstring(archive.read(info))
        except (ElementTree.ParseError, zipfile.BadZipFile, OSError) as error:
            raise ContentRefused from error
        declared = {
            element.get("ContentType", "")
            for element in root.iter(f"{CONTENT_TYPES_NAMESPACE}Override")
        }
        names = archive.namelist()
    if OOXML_MAIN_PARTS[extension] not in declared:
        raise ContentRefused
    if any(PurePath(name).name.lower() == "vbaproject.bin" for name in names):
        raise ContentRefused("The document holds macros.")


OPENDOCUMENT_TYPES = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def _opendocument(file: UploadedFile, head: bytes, extension: str) -> None:
    with _zip(file) as archive:
        entries = archive.infolist()
        if not entries or entries[0].filename != "mimetype":
            raise ContentRefused
        if entries[0].file_size > 100:
            raise ContentRefused
        mimetype = archive.read(entries[0]).strip()
        names = [entry.filename for entry in entries]
    if mimetype != OPENDOCUMENT_TYPES[extension].encode():
        raise ContentRefused
    if any(name.startswith(("Basic/", "Scripts/")) for name in names):
        raise ContentRefused("The document holds macros or scripts.")


def _text(file: UploadedFile, head: bytes, extension: str) -> None:
    if filetype.guess(head) is not None:
        raise ContentRefused  # a binary format with a known signature
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    previous_tail = b""
    try:
        for chunk in _chunks(file):
            if b"\x00" in chunk:
                raise ContentRefused
            decoder.decode(chunk)
            if MARKUP.search(previous_tail + chunk):
                raise ContentRefused(MARKUP_MESSAGE)
            previous_tail = chunk[-32:]
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        raise ContentRefused(
            "The text is not UTF-8: save it as UTF-8 and upload it again."
        ) from error


def _chunks(file: UploadedFile):
    file.seek(0)
    while chunk := file.read(TEXT_CHUNK_BYTES):
        yield chunk


MARKUP_MESSAGE = (
    "The file holds web markup (HTML, SVG or a script), which is not accepted "
    "whatever the file is called."
)

ACCEPTED_TYPES: dict[str, AcceptedType] = {
    "pdf": AcceptedType(
        "a PDF document", "application/pdf", _signature("application/pdf")
    ),
    "docx": AcceptedType(
        "a Word document",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _office_open_xml,
    ),
    "xlsx": AcceptedType(
        "an Excel workbook",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _office_open_xml,
    ),
    "odt": AcceptedType(
        "an OpenDocument text", OPENDOCUMENT_TYPES["odt"], _opendocument
    ),
    "ods": AcceptedType(
        "an OpenDocument spreadsheet", OPENDOCUMENT_TYPES["ods"], _opendocument
    ),
    "pptx": AcceptedType(
        "a PowerPoint presentation",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _office_open_xml,
    ),
    "png": AcceptedType("a PNG image", "image/png", _signature("image/png")),
    "jpg": AcceptedType("a JPEG image", "image/jpeg", _signature("image/jpeg")),
    "jpeg": AcceptedType("a JPEG image", "image/jpeg", _signature("image/jpeg")),
    "txt": AcceptedType("plain text", "text/plain; charset=utf-8", _text),
    "csv": AcceptedType("CSV text", "text/csv; charset=utf-8", _text),
    "md": AcceptedType("Markdown text", "text/markdown; charset=utf-8", _text),
}

# Served for files stored before their type was checked.
UNCHECKED_CONTENT_TYPE = "application/octet-stream"


def megabytes(size: int) -> str:
    """A size limit as people read it: "10 MB", "2.5 MB", "1 KB"."""
    if size < 1024 * 1024:
        return f"{-(-size // 1024)} KB"
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def upload_content_type(file: UploadedFile) -> str:
    """The media type of an upload whose content matches its extension.

    Raises ValidationError (code "content") with a message for the person otherwise.
    """
    extension = PurePath(file.name or "").suffix.lower().lstrip(".")
    accepted = ACCEPTED_TYPES[extension]
    file.seek(0)
    head = file.read(HEAD_BYTES)
    try:
        accepted.check(file, head, extension)
    except ContentRefused as refused:
        if str(refused):
            reason = str(refused)
        elif MARKUP.search(head):
            reason = MARKUP_MESSAGE
        else:
            reason = (
                f"Its content is not {accepted.description}, although its name "
                f"ends in .{extension}."
            )
        raise ValidationError(
            f"This file cannot be accepted. {reason}", code="content"
        ) from refused
    finally:
        file.seek(0)
    return accepted.content_type
