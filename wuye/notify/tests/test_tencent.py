"""The Tencent Cloud SMS gateway, through the official SDK, against a local fake of the API (issue #13, item 4)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from wuye.kernel.actors import SystemActor
from wuye.notify.models import Notification, Status
from wuye.notify.services import notifications_send_due, notify
from wuye.notify.tencent import SmsSendError, TencentSmsBackend, e164

pytestmark = pytest.mark.django_db


class FakeTencent(BaseHTTPRequestHandler):
    """Answers SendSms like sms.tencentcloudapi.com; `reply` chooses success or one of the API's error shapes."""

    requests: list[dict] = []
    reply = "ok"

    def do_POST(self):  # noqa: N802 — the http.server interface
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeTencent.requests.append({"headers": dict(self.headers), "body": body})
        if FakeTencent.reply == "auth":
            payload = {
                "Response": {
                    "Error": {"Code": "AuthFailure.SecretIdNotFound", "Message": "The SecretId is not found"},
                    "RequestId": "req-err-1",
                }
            }
        else:
            code, message = (
                ("Ok", "send success")
                if FakeTencent.reply == "ok"
                else (
                    "LimitExceeded.PhoneNumberDailyLimit",
                    "the number of SMS messages sent from a single mobile number every day exceeds the upper limit",
                )
            )
            payload = {
                "Response": {
                    "SendStatusSet": [
                        {
                            "SerialNo": "5000:1045710669157053657849499619",
                            "PhoneNumber": body["PhoneNumberSet"][0],
                            "Fee": 1,
                            "SessionContext": "",
                            "Code": code,
                            "Message": message,
                            "IsoCode": "CN",
                        }
                    ],
                    "RequestId": "a0aabda6-cf91-4f3e-a81f-9198114a2279",
                }
            }
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):  # keep the test output (and any phone number) out of stderr
        pass


@pytest.fixture
def gateway(settings, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTencent)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeTencent.requests, FakeTencent.reply = [], "ok"
    settings.WUYE = {
        **settings.WUYE,
        "SMS_BACKEND": "wuye.notify.tencent.TencentSmsBackend",
        "TENCENT_SMS_SECRET_ID": "AKIDtestonly",
        "TENCENT_SMS_SECRET_KEY": "test-only-key",
        "TENCENT_SMS_SDK_APP_ID": "1400000001",
        "TENCENT_SMS_SIGN_NAME": "钟山县住建局",
        "TENCENT_SMS_TEMPLATE_ID": "1234567",
        "TENCENT_SMS_ENDPOINT": f"127.0.0.1:{server.server_address[1]}",
        "TENCENT_SMS_SCHEME": "http",
        "TENCENT_SMS_TIMEOUT_SECONDS": 5,
        "NOTIFY_QUIET_START": "00:00",
        "NOTIFY_QUIET_END": "00:00",  # no quiet hours in these tests
    }
    yield FakeTencent
    server.shutdown()
    server.server_close()


def test_the_sdk_sends_sendsms_with_the_phone_in_e164_and_the_text_as_the_template_parameter(gateway):
    TencentSmsBackend().send("138 0000 1111", "您反映的问题已销号。")
    [req] = gateway.requests
    assert req["headers"]["X-TC-Action"] == "SendSms"
    assert req["headers"]["X-TC-Version"] == "2021-01-11"
    assert req["headers"]["X-TC-Region"] == "ap-guangzhou"
    assert req["headers"]["Authorization"].startswith("TC3-HMAC-SHA256 Credential=AKIDtestonly/")
    body = req["body"]
    assert body["PhoneNumberSet"] == ["+8613800001111"]
    assert body["SmsSdkAppId"] == "1400000001" and body["SignName"] == "钟山县住建局"
    assert body["TemplateId"] == "1234567"
    assert body["TemplateParamSet"] == ["您反映的问题已销号。"]


def test_a_number_already_in_international_form_is_kept():
    assert e164("+8613800001111") == "+8613800001111"
    assert e164("8613800001111") == "+8613800001111"
    assert e164("0086-138-0000-1111") == "+8613800001111"


@pytest.mark.parametrize(
    ("reply", "reason"),
    [("limit", "LimitExceeded.PhoneNumberDailyLimit"), ("auth", "AuthFailure.SecretIdNotFound")],
)
def test_a_refused_send_raises_with_the_gateway_s_reason(gateway, reply, reason):
    gateway.reply = reply
    with pytest.raises(SmsSendError, match=reason):
        TencentSmsBackend().send("13800001111", "测试")


def test_an_unconfigured_gateway_names_the_missing_settings(settings):
    settings.WUYE = {
        **settings.WUYE,
        "TENCENT_SMS_SECRET_ID": "AKIDtestonly",
        "TENCENT_SMS_SECRET_KEY": "k",
        "TENCENT_SMS_SDK_APP_ID": "1400000001",
        "TENCENT_SMS_SIGN_NAME": "",
        "TENCENT_SMS_TEMPLATE_ID": "",
    }
    with pytest.raises(SmsSendError, match="未配置：TENCENT_SMS_SIGN_NAME, TENCENT_SMS_TEMPLATE_ID$"):
        TencentSmsBackend().send("13800001111", "测试")


def _notify_once():
    return notify(
        actor=SystemActor("notifications"),
        key="case_event:1:complainant",
        event="case_accepted",
        context={"code": "ABCD1234"},
        phone="13800001111",
        link="/track/ABCD1234/",
    )


def test_a_notification_goes_out_through_the_gateway_once(gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _notify_once()
    with django_capture_on_commit_callbacks(execute=True):
        assert _notify_once() == []  # the same event again: nothing recorded, nothing sent
    assert notifications_send_due() == (0, 0)  # and the sending job, run again, finds nothing to send
    assert len(gateway.requests) == 1
    row = Notification.objects.get()
    assert row.status == Status.SENT and row.attempts == 1
    assert gateway.requests[0]["body"]["TemplateParamSet"][0].endswith("/track/ABCD1234/")


def test_a_failed_send_is_recorded_with_the_reason_and_never_raises(
    gateway, settings, django_capture_on_commit_callbacks
):
    settings.WUYE = {**settings.WUYE, "NOTIFY_MAX_ATTEMPTS": 1}
    gateway.reply = "limit"
    with django_capture_on_commit_callbacks(execute=True):
        _notify_once()  # no exception reaches the caller
    row = Notification.objects.get()
    assert row.status == Status.FAILED
    assert "LimitExceeded.PhoneNumberDailyLimit" in row.error
    assert "13800001111" not in row.error
