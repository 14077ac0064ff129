"""Residents' photos on an S3-compatible private bucket (several web servers): the scoped route checks the viewer,
then redirects to a short-lived signed URL; the object itself is never public.

The bucket is moto's in-process server. Moto keeps objects private (an unsigned GET of a private object is 403)
but does not check a presigned URL's signature or expiry, so a small front in this module does what S3 does for
a presigned GET: recompute the SigV4 query signature with the secret key and refuse an expired URL.
"""

import datetime as dt
import time
import urllib.error
import urllib.request
from unittest import mock
from urllib.parse import parse_qs, unquote, urlsplit

import boto3
import botocore.auth
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.server import ThreadedMotoServer
from werkzeug.serving import make_server

from wuye.accounts.models import Role
from wuye.cases.services import case_create_from_lead
from wuye.intake.models import Lead, LeadAttachment
from wuye.testing import login, make_company, make_estate, make_user

from .conftest import jpeg_bytes

pytestmark = pytest.mark.django_db

BUCKET, REGION, KEY_ID, SECRET = "wuye-test", "cn-north-1", "AKIAWUYETEST", "wuye-test-secret"
_RESPONSE_PARAMS = {
    "response-content-disposition": "ResponseContentDisposition",
    "response-content-type": "ResponseContentType",
}


def _signature_is_valid(endpoint: str, path: str, query: dict[str, str]) -> bool:
    """Recompute the presigned GET's signature as S3 would: same key, parameters, time and lifetime."""
    bucket, _, key = unquote(path).lstrip("/").partition("/")
    params = {"Bucket": bucket, "Key": key}
    params.update({arg: query[q] for q, arg in _RESPONSE_PARAMS.items() if q in query})
    signed_at = dt.datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
        config=boto3.session.Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=signed_at):
        again = client.generate_presigned_url(
            "get_object", Params=params, ExpiresIn=int(query["X-Amz-Expires"])
        )
    return parse_qs(urlsplit(again).query)["X-Amz-Signature"][0] == query["X-Amz-Signature"]


class _PresignChecking:
    """WSGI front for moto: a presigned request must carry a valid signature and must not have expired."""

    def __init__(self, app, endpoint: list[str]):
        self.app, self.endpoint = app, endpoint

    def __call__(self, environ, start_response):
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        if "X-Amz-Signature" in query:
            signed_at = dt.datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
            expired = dt.datetime.now(dt.UTC) > signed_at + dt.timedelta(seconds=int(query["X-Amz-Expires"]))
            valid = _signature_is_valid(self.endpoint[0], environ["PATH_INFO"], query)
            if expired or not valid:
                start_response("403 Forbidden", [("Content-Type", "application/xml")])
                reason = "Request has expired" if expired else "SignatureDoesNotMatch"
                return [f"<Error><Code>AccessDenied</Code><Message>{reason}</Message></Error>".encode()]
        return self.app(environ, start_response)


class _CheckingMotoServer(ThreadedMotoServer):
    def __init__(self):
        super().__init__(ip_address="127.0.0.1", port=0, verbose=False)
        self.endpoint: list[str] = [""]

    def _server_entry(self) -> None:
        app = _PresignChecking(DomainDispatcherApplication(create_backend_app), self.endpoint)
        self._server = make_server(
            self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
        )
        self.endpoint[0] = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._server_ready_event.set()
        self._server.serve_forever()


@pytest.fixture(scope="module")
def s3_endpoint():
    server = _CheckingMotoServer()
    server.start()
    endpoint = server.endpoint[0]
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
    ).create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    yield endpoint
    server.stop()


@pytest.fixture
def s3(settings, s3_endpoint):
    """The settings `WUYE_STORAGE=s3` produces (wuye/settings/base.py), pointed at the moto server."""
    settings.WUYE_FILE_URL_SECONDS = 300
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "access_key": KEY_ID,
                "secret_key": SECRET,
                "region_name": REGION,
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 300,
                "file_overwrite": False,
                "signature_version": "s3v4",
                "addressing_style": "path",
            },
        },
    }
    return s3_endpoint


def _get(url: str) -> tuple[int, bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.fixture
def filed(client, estate, s3, task_force):
    """A photo uploaded through the public QR form, stored in the bucket; the lead made a case of the company."""
    photo = SimpleUploadedFile("IMG_1.jpg", jpeg_bytes(size=(800, 600)), content_type="image/jpeg")
    r = client.post(
        reverse("intake:qr_form", args=[estate.code]),
        {"text": "3栋楼道堆满杂物，消防通道堵了", "category": "1.3", "idem": "s" * 32, "photos": [photo]},
    )
    assert r.status_code == 302
    lead = Lead.objects.get()
    case_create_from_lead(actor=task_force, lead=lead, category="1.3")
    return LeadAttachment.objects.get(lead=lead)


def _url(att, thumb=False):
    return reverse("intake:lead_photo", args=[att.pk]) + ("?thumb=1" if thumb else "")


def test_the_photo_is_in_the_bucket_and_the_route_redirects_to_a_signed_short_lived_url(
    client, filed, s3, company_staff
):
    att = filed
    stored = (
        boto3.client(
            "s3", endpoint_url=s3, region_name=REGION, aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET
        )
        .get_object(Bucket=BUCKET, Key=att.file.name)["Body"]
        .read()
    )
    assert stored[:2] == b"\xff\xd8"  # the JPEG the form stored, in the bucket (not on this server's disk)
    login(client, company_staff)
    r = client.get(_url(att))
    assert r.status_code == 302 and r["Cache-Control"] == "private, no-store"
    location = r["Location"]
    query = parse_qs(urlsplit(location).query)
    assert location.startswith(f"{s3}/{BUCKET}/leads/")
    assert query["X-Amz-Expires"] == ["300"] and query["X-Amz-Signature"] and query["X-Amz-Credential"]
    assert query["response-content-type"] == ["image/jpeg"]
    status, body = _get(location)
    assert status == 200 and body == stored
    # the thumbnail of the card is made by the app from the bucket's object
    thumb = client.get(_url(att, thumb=True))
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"


def test_the_object_without_a_signature_or_with_a_forged_one_is_refused(client, filed, s3, company_staff):
    att = filed
    assert _get(f"{s3}/{BUCKET}/{att.file.name}")[0] == 403  # private ACL: no public URL
    login(client, company_staff)
    location = client.get(_url(att))["Location"]
    forged = location.replace("response-content-type=image%2Fjpeg", "response-content-type=text%2Fhtml")
    assert forged != location and _get(forged)[0] == 403


def test_another_company_gets_404_before_any_url_is_made(client, filed):
    other = make_company()
    make_estate(company=other)
    login(client, make_user(Role.COMPANY_STAFF, company_id=other.pk))
    with mock.patch("wuye.common.files.signed_url", side_effect=AssertionError("a URL was made")) as made:
        assert client.get(_url(filed)).status_code == 404
    made.assert_not_called()


def test_an_expired_url_is_refused(client, filed, settings, company_staff):
    settings.WUYE_FILE_URL_SECONDS = 1
    login(client, company_staff)
    location = client.get(_url(filed))["Location"]
    assert parse_qs(urlsplit(location).query)["X-Amz-Expires"] == ["1"]
    time.sleep(2.2)
    status, body = _get(location)
    assert status == 403 and b"expired" in body
