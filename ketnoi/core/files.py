"""Checking uploaded attachments: a size limit and the real type read from the first bytes."""

from __future__ import annotations

import os
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
# Accepted types by their first bytes, not by the name or type the browser sends.
ATTACHMENT_SIGNATURES = {
    b"%PDF-": ("application/pdf", {".pdf"}),
    b"PK\x03\x04": ("application/zip", {".docx", ".xlsx", ".pptx", ".odt", ".ods"}),
    b"\x89PNG\r\n\x1a\n": ("image/png", {".png"}),
    b"\xff\xd8\xff": ("image/jpeg", {".jpg", ".jpeg"}),
}


def check_upload(upload, *, max_bytes: int | None = None) -> tuple[str, str]:
    """(file name, content type) of an acceptable upload; a ValidationError naming the file otherwise."""
    max_bytes = ATTACHMENT_MAX_BYTES if max_bytes is None else max_bytes
    name = os.path.basename(upload.name or "file")[:255]
    if not upload.size:
        raise ValidationError({"file": _("%(name)s is empty.") % {"name": name}})
    if upload.size > max_bytes:
        raise ValidationError(
            {
                "file": _("%(name)s is %(size)s bytes; the limit is %(limit)s bytes.")
                % {"name": name, "size": upload.size, "limit": max_bytes}
            }
        )
    head = upload.read(16)
    upload.seek(0)
    extension = os.path.splitext(name)[1].lower()
    for signature, (kind, extensions) in ATTACHMENT_SIGNATURES.items():
        if head.startswith(signature) and extension in extensions:
            return name, kind
    raise ValidationError(
        {"file": _("%(name)s is not an accepted type (PDF, DOCX, XLSX, PPTX, ODT, ODS, PNG, JPEG).") % {"name": name}}
    )


def check_uploads(uploads, *, max_files: int) -> list[tuple[object, str, str]]:
    """Check several uploads at once; every bad file is named in one ValidationError."""
    uploads = [u for u in uploads or () if u]
    if len(uploads) > max_files:
        raise ValidationError({"file": _("At most %(n)s files at a time.") % {"n": max_files}})
    checked, errors = [], []
    for upload in uploads:
        try:
            checked.append((upload, *check_upload(upload)))
        except ValidationError as exc:
            errors.extend(exc.message_dict["file"])
    if errors:
        raise ValidationError({"file": errors})
    return checked


def download_response(name: str, *, filename: str, content_type: str) -> HttpResponse:
    """A stored file sent as a download under its original name; a file gone from the disk is a 404.
    The caller has already checked that the reader may see the object the file belongs to.

    Behind nginx (DOWNLOAD_ACCEL_PREFIX set, deploy/nginx/ketnoi.conf) the app only answers with
    an X-Accel-Redirect to an internal location and nginx sends the bytes, so a large download does
    not hold an app process; uploads are never reachable by their path without this answer."""
    prefix = settings.DOWNLOAD_ACCEL_PREFIX
    if prefix:
        if not default_storage.exists(name):
            raise Http404
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix + quote(name)
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
