"""A lost database connection (a PostgreSQL restart) is a Chinese 503 with Retry-After, not a raw 500, and the QR
form gives the resident their text back; their retry with the same key stores it once."""

from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory
from django.urls import reverse

from wuye.common.middleware import server_error
from wuye.intake import services
from wuye.intake.models import Lead

pytestmark = pytest.mark.django_db
LOST = OperationalError("server closed the connection unexpectedly")


def test_a_page_whose_database_connection_is_lost_answers_503_in_chinese(client, estate):
    with mock.patch("wuye.intake.selectors.estate_for_qr", side_effect=LOST):
        r = client.get(reverse("intake:qr_form", args=[estate.code]))
    assert r.status_code == 503
    assert "系统繁忙，请稍后再试" in r.content.decode()
    assert int(r["Retry-After"]) > 0
    assert r["X-Request-ID"] in r.content.decode()


def test_the_api_answers_503_as_json(client, db):
    with mock.patch("wuye.intake.open311._query", side_effect=InterfaceError("connection already closed")):
        r = client.get("/open311/v2/requests.json")
    assert r.status_code == 503 and r["Retry-After"]
    assert r.json() == {"detail": "系统繁忙，请稍后再试"}


def test_a_connection_lost_outside_a_view_still_gets_the_503_page(db):
    request = RequestFactory().get("/")
    try:
        raise OperationalError("terminating connection due to administrator command")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503 and "系统繁忙" in response.content.decode()
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        assert server_error(request).status_code == 500


def _submit(client, estate):
    return client.post(
        reverse("intake:qr_form", args=[estate.code]),
        {"text": "5栋楼道灯坏了一个月", "idem": "e" * 32, "name": "李先生", "phone": "13912345678"},
    )


def test_qr_form_keeps_the_text_when_the_database_drops_before_the_commit(client, estate):
    with mock.patch.object(services, "qr_submit", side_effect=LOST):
        r = _submit(client, estate)
    html = r.content.decode()
    assert r.status_code == 503 and r["Retry-After"]
    assert "系统繁忙，请稍后再试" in html and "5栋楼道灯坏了一个月" in html and "e" * 32 in html
    assert not Lead.objects.exists()
    assert _submit(client, estate).status_code == 302
    assert Lead.objects.count() == 1


def test_qr_retry_after_a_connection_lost_once_committed_stores_the_report_once(client, estate):
    real = services.qr_submit

    def committed_then_lost(**kwargs):
        real(**kwargs)
        raise LOST

    with mock.patch.object(services, "qr_submit", side_effect=committed_then_lost):
        r = _submit(client, estate)
    assert r.status_code == 503 and "5栋楼道灯坏了一个月" in r.content.decode()
    retry = _submit(client, estate)
    assert retry.status_code == 302
    assert Lead.objects.count() == 1
