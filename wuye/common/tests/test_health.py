"""/healthz/: the probe nginx, a load balancer and deploy/smoke.py ask; no login, no personal data, not cached."""

from unittest import mock

import pytest

pytestmark = pytest.mark.django_db


def test_health_answers_200_when_the_database_and_the_cache_answer(client):
    resp = client.get("/healthz/")
    assert resp.status_code == 200
    body = resp.json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["cache"] == "ok"
    assert "no-cache" in resp["Cache-Control"] or "max-age=0" in resp["Cache-Control"]


def test_health_answers_503_naming_what_failed(client):
    with mock.patch("wuye.common.health.cache.get", side_effect=ConnectionError("redis down")):
        resp = client.get("/healthz/")
    assert resp.status_code == 503
    assert resp.json()["cache"] == "ConnectionError" and resp.json()["database"] == "ok"


def test_health_takes_only_get(client):
    assert client.post("/healthz/").status_code == 405
