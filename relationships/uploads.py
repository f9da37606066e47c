"""Uploads stop at the size limit while they arrive.

Django writes an upload to memory or a temporary file before any form sees it, so a
size check in the form alone let a 2 GB "document" fill the worker's disk first.
SizeLimitUploadHandler, first of FILE_UPLOAD_HANDLERS, counts each file's bytes as
they come and drops the file the moment it passes DOCUMENT_MAX_BYTES: the handlers
after it never store more, and what they stored is deleted. The rest of the request
is still read (the other fields, so the form keeps what the user typed) but
discarded. A proxy in front should cap request bodies as well (README).

The dropped file's name is kept on the request; views build their form's files with
`files_with_refusals(request)`, which puts a RefusedUpload in its place, so that the
form's usual size check says "the limit is 10 MB" instead of "this field is
required" (or, for an optional field, nothing at all).
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict

from relationships.services.lifecycle import DOCUMENT_MAX_BYTES


class SizeLimitUploadHandler(FileUploadHandler):
    limit = DOCUMENT_MAX_BYTES

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            refused = getattr(self.request, "refused_uploads", None)
            if refused is None:
                refused = self.request.refused_uploads = {}
            refused[self.field_name] = self.file_name
            raise SkipFile  # the parser closes (deletes) what was stored so far
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file


class RefusedUpload(SimpleUploadedFile):
    """Stands in for a file dropped at the limit: its name, no content, and the
    request's length as its size (the file was at most that, and over the limit)."""

    def __init__(self, name: str, size: int) -> None:
        super().__init__(name, b"", content_type="application/octet-stream")
        self.size = size


def files_with_refusals(request: HttpRequest) -> MultiValueDict:
    """request.FILES, with a RefusedUpload for each file dropped at the limit."""
    refused = getattr(request, "refused_uploads", None)
    files = request.FILES
    if not refused:
        return files
    files = files.copy()
    try:
        size = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        size = 0
    for field_name, file_name in refused.items():
        if field_name not in files:
            files[field_name] = RefusedUpload(
                file_name or "upload", max(size, DOCUMENT_MAX_BYTES + 1)
            )
    return files
