"""Uploads stop at the size limit before or while they arrive.

A request whose Content-Length passes REQUEST_BODY_MAX_BYTES (the upload limit,
UPLOAD_MAX_BYTES, plus room for the other fields) is answered 413 by
RequestBodyLimitMiddleware, near the top of MIDDLEWARE, before anything reads its
body: a 300 MB "document" is refused without the worker reading 300 MB.

Within that cap (or when Content-Length lies), Django writes an upload to memory or
a temporary file before any form sees it, so a size check in the form alone let a
2 GB "document" fill the worker's disk first.
SizeLimitUploadHandler, first of FILE_UPLOAD_HANDLERS, counts each file's bytes as
they come and drops the file the moment it passes UPLOAD_MAX_BYTES: the handlers
after it never store more, and what they stored is deleted. The rest of the request
is still read (the other fields, so the form keeps what the user typed) but
discarded. A proxy in front caps request bodies as well (docker-compose.yml).

The dropped file's name is kept on the request; views build their form's files with
`files_with_refusals(request)`, which puts a RefusedUpload in its place, so that the
form's usual size check says "the limit is 10 MB" instead of "this field is
required" (or, for an optional field, nothing at all).
"""

from collections.abc import Callable

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.datastructures import MultiValueDict

from relationships.filetypes import megabytes


class RequestBodyLimitMiddleware:
    """Answer 413 when the declared body is larger than REQUEST_BODY_MAX_BYTES.

    Decided from the Content-Length header alone: nothing here (or before it in
    MIDDLEWARE) touches request.body, request.POST or wsgi.input. A body without a
    Content-Length is read as empty by Django's WSGI handler, so it cannot slip by.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads such a body as empty
        if length > settings.REQUEST_BODY_MAX_BYTES:
            return render(
                request,
                "413.html",
                {
                    "upload_limit": megabytes(settings.UPLOAD_MAX_BYTES),
                    "request_megabytes": f"{length / (1024 * 1024):.1f}",
                },
                status=413,
            )
        return self.get_response(request)


class SizeLimitUploadHandler(FileUploadHandler):
    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > settings.UPLOAD_MAX_BYTES:
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
                file_name or "upload", max(size, settings.UPLOAD_MAX_BYTES + 1)
            )
    return files
