"""Uploaded files: on local disk the scoped routes stream them; there is no public /media/ route in production."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile, FileField
from django.urls import Resolver404, resolve

from wuye.common.files import is_local, serve_upload, signed_redirect


def test_no_media_route_without_debug(settings):
    assert settings.DEBUG is False
    with pytest.raises(Resolver404):
        resolve("/media/leads/2026/01/photo.jpg")


def test_local_disk_streams_the_file_and_makes_no_url():
    name = default_storage.save("tests/hello.txt", ContentFile(b"hello"))
    field = FieldFile(None, FileField(), name)
    assert is_local(field.storage)
    assert signed_redirect(field, filename="hello.txt") is None
    response = serve_upload(field, filename="hello.txt", content_type="text/plain", as_attachment=True)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"hello"
    assert response["Content-Disposition"] == 'attachment; filename="hello.txt"'
