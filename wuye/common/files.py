"""Serving an uploaded file after the route has checked who may see it.

Uploaded files go through Django's storage API only (`field.save`, `field.open`), so the same code runs on local
disk (one web server; the default) and on an S3-compatible private bucket (`WUYE_STORAGE=s3`, several web
servers). A scoped route (a lead's photo, a revenue voucher, a case or report attachment, …) first checks the
viewer, then calls `serve_upload`: on local disk it streams the file; on the bucket it answers 302 to a URL signed
for `WUYE_FILE_URL_SECONDS` (300 s by default), so the bytes never pass through the app server and nothing is ever
reachable by a permanent public URL (the bucket is private, every object written with the private ACL).
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header


def is_local(storage: Storage) -> bool:
    """Whether files are on this server's disk (streamed by the app) rather than in a bucket (signed URLs)."""
    return isinstance(storage, FileSystemStorage)


def signed_url(
    field: FieldFile, *, filename: str, content_type: str | None = None, as_attachment: bool = False
) -> str:
    """A URL for the object that works for `WUYE_FILE_URL_SECONDS`, with the download name and type the browser
    should use. Only for remote storage (S3): a local file has no URL outside the app."""
    params = {"ResponseContentDisposition": content_disposition_header(as_attachment, filename) or "inline"}
    if content_type:
        params["ResponseContentType"] = content_type
    # django-storages' S3Storage.url(name, parameters, expire): signed (querystring_auth) and short-lived
    return str(field.storage.url(field.name, parameters=params, expire=settings.WUYE_FILE_URL_SECONDS))  # type: ignore[call-arg]


def signed_redirect(
    field: FieldFile, *, filename: str, content_type: str | None = None, as_attachment: bool = False
) -> HttpResponse | None:
    """302 to a short-lived signed URL when the file is in a bucket; None when it is on local disk."""
    if is_local(field.storage):
        return None
    response = HttpResponseRedirect(
        signed_url(field, filename=filename, content_type=content_type, as_attachment=as_attachment)
    )
    # the signed URL must not be kept by a cache or sent on as a referrer
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def serve_upload(
    field: FieldFile, *, filename: str, content_type: str | None = None, as_attachment: bool = False
) -> HttpResponse | FileResponse:
    """The file for a viewer the caller has already checked: streamed from local disk, or 302 to a signed URL."""
    redirect = signed_redirect(
        field, filename=filename, content_type=content_type, as_attachment=as_attachment
    )
    if redirect is not None:
        return redirect
    kwargs = {"content_type": content_type} if content_type else {}
    return FileResponse(field.open("rb"), filename=filename, as_attachment=as_attachment, **kwargs)
