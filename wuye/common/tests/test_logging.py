"""Failures are visible: each request error is logged with its traceback and the request id; JSON lines in
production; phone numbers never reach a log line."""

import io
import json
import logging
import logging.config
from unittest import mock

import pytest
from django.urls import reverse

from wuye.common.logs import mask_phones
from wuye.testing import make_estate

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_output(request):
    """The LOGGING of base settings, with its stderr handler writing to a buffer instead."""
    from wuye.settings import base

    fmt = request.param if hasattr(request, "param") else "text"
    conf = json.loads(json.dumps(base.LOGGING))
    buf = io.StringIO()
    conf["handlers"]["stderr"]["stream"] = buf
    conf["handlers"]["stderr"]["formatter"] = fmt
    conf["disable_existing_loggers"] = False
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    logging.config.dictConfig(conf)
    yield buf
    for h in root.handlers[:]:
        if h not in saved[0]:
            root.removeHandler(h)
    for h in saved[0]:
        if h not in root.handlers:
            root.addHandler(h)
    root.setLevel(saved[1])


def test_every_response_carries_a_request_id_and_a_trusted_proxy_may_set_it(client, settings):
    r1, r2 = client.get("/"), client.get("/")
    assert len(r1["X-Request-ID"]) == 32 and r1["X-Request-ID"] != r2["X-Request-ID"]
    assert (
        client.get("/", HTTP_X_REQUEST_ID="nginx-0123456789abcdef")["X-Request-ID"]
        != "nginx-0123456789abcdef"
    )
    settings.WUYE = {**settings.WUYE, "TRUSTED_PROXIES": ["127.0.0.1"]}
    r = client.get("/", HTTP_X_REQUEST_ID="nginx-0123456789abcdef", REMOTE_ADDR="127.0.0.1")
    assert r["X-Request-ID"] == "nginx-0123456789abcdef"
    r = client.get("/", HTTP_X_REQUEST_ID="bad id\nInjected: 1", REMOTE_ADDR="127.0.0.1")
    assert len(r["X-Request-ID"]) == 32


def _crash(client):
    estate = make_estate(code="CRASH")
    client.raise_request_exception = False
    with mock.patch("wuye.intake.selectors.estate_for_qr", side_effect=RuntimeError("boom in a view")):
        return client.get(reverse("intake:qr_form", args=[estate.code]))


def test_a_500_is_logged_with_its_traceback_and_request_id(client, log_output):
    r = _crash(client)
    assert r.status_code == 500
    out = log_output.getvalue()
    assert "Traceback (most recent call last)" in out and "RuntimeError: boom in a view" in out
    assert f"[{r['X-Request-ID']}]" in out and "django.request" in out


@pytest.mark.parametrize("log_output", ["json"], indirect=True)
def test_production_logs_are_json_lines_with_the_traceback_and_request_id(client, log_output):
    r = _crash(client)
    records = [json.loads(line) for line in log_output.getvalue().splitlines() if line.strip()]
    errors = [rec for rec in records if rec["level"] == "ERROR"]
    assert errors, records
    err = errors[0]
    assert err["logger"] == "django.request" and err["request_id"] == r["X-Request-ID"]
    assert "RuntimeError: boom in a view" in err["exc_info"] and "Traceback" in err["exc_info"]
    assert err["status_code"] == 500


def test_production_settings_write_json_to_stderr():
    import subprocess
    import sys

    code = (
        "import django, logging; django.setup(); from django.conf import settings; "
        "h = settings.LOGGING['handlers']['stderr']; print(h['formatter'], h['stream'])"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "wuye.settings.production",
        "SECRET_KEY": "x" * 60,
        "DATABASE_URL": "sqlite:///:memory:",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "WUYE_AUDIT_KEY": "audit-key-for-tests-xxxxxxxxxxxxxxxx",
        "WUYE_JOBS": "procrastinate",
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["json", "ext://sys.stderr"]


def test_phone_numbers_are_masked_in_messages_tracebacks_and_json():
    assert mask_phones("回访 13812345678，备用 +86 15912345678") == "回访 138****5678，备用 +86 159****5678"
    assert mask_phones("工单 20241381234567890") == "工单 20241381234567890"  # inside a longer number: kept
    logger = logging.getLogger("wuye.tests.masking")
    logger.propagate = False  # a phone number on purpose: must not reach the suite's log scan
    for fmt in ("text", "json"):
        buf = io.StringIO()
        handler = logging.StreamHandler(buf)
        from wuye.settings import base

        conf = base.LOGGING["formatters"][fmt]
        factory = conf["()"]
        kwargs = {k: v for k, v in conf.items() if k != "()"}
        module, _, name = factory.rpartition(".")
        formatter_cls = getattr(__import__(module, fromlist=[name]), name)
        if fmt == "text":
            handler.setFormatter(formatter_cls(kwargs["format"]))
        else:
            handler.setFormatter(formatter_cls(**kwargs))
        handler.addFilter(logging.Filter())
        from wuye.common.logs import RequestIdFilter

        handler.addFilter(RequestIdFilter())
        logger.addHandler(handler)
        try:
            try:
                raise ValueError("duplicate key (phone)=(13812345678)")
            except ValueError:
                logger.exception("owner %s failed", "13912345678")
        finally:
            logger.removeHandler(handler)
        out = buf.getvalue()
        assert "13812345678" not in out and "13912345678" not in out, out
        assert "138****5678" in out and "139****5678" in out
