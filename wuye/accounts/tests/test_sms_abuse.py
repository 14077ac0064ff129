"""Issue #12 finding 4: login codes are limited per client and county-wide, the answer never tells an owner's
phone from a stranger's, and the office head sees how many were requested, per day and outcome."""

import re

import pytest

from wuye.accounts.models import Role, SmsDailyCount, SmsOutcome
from wuye.accounts.sms import MemorySmsBackend
from wuye.common.dates import today
from wuye.registry.models import Owner
from wuye.testing import login, make_estate, make_user

pytestmark = pytest.mark.django_db

UNKNOWN = "13912345678"


def _owner_phone():
    estate = make_estate(units=1)
    return Owner.objects.get(ownerships__unit__estate=estate).phone


def _ask(client, phone, **extra):
    return client.post("/accounts/owner/", {"step": "phone", "phone": phone}, **extra)


def _page_without(resp, phone):
    """The page with what legitimately differs (the phone typed, the CSRF token) blanked out."""
    text = resp.content.decode().replace(phone, "PHONE")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


def test_a_known_and_an_unknown_phone_get_the_same_page(client, django_capture_on_commit_callbacks):
    known = _owner_phone()
    with django_capture_on_commit_callbacks(execute=True):
        a = _ask(client, known)
        b = _ask(client, UNKNOWN)
    assert a.status_code == b.status_code == 200
    assert _page_without(a, known) == _page_without(b, UNKNOWN)
    assert "未登记" not in b.content.decode()
    assert [p for p, _ in MemorySmsBackend.outbox] == [known]
    # a rapid second request says the same for both
    again_a, again_b = _ask(client, known), _ask(client, UNKNOWN)
    assert _page_without(again_a, known) == _page_without(again_b, UNKNOWN)
    assert "秒后再试" in again_b.content.decode()


def test_a_wrong_code_reads_the_same_for_a_known_and_an_unknown_phone(
    client, django_capture_on_commit_callbacks
):
    known = _owner_phone()
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, known)
        _ask(client, UNKNOWN)
    a = client.post("/accounts/owner/", {"step": "code", "phone": known, "code": "000000"})
    b = client.post("/accounts/owner/", {"step": "code", "phone": UNKNOWN, "code": "000000"})
    sent_code = re.search(r"(\d{6})", MemorySmsBackend.outbox[-1][1]).group(1)
    if sent_code != "000000":
        assert _page_without(a, known) == _page_without(b, UNKNOWN)


def test_one_client_cannot_send_codes_to_many_phones(client, settings, django_capture_on_commit_callbacks):
    settings.WUYE = {**settings.WUYE, "SMS_PER_CLIENT": 3, "SMS_GLOBAL": 1000}
    estate = make_estate(units=5)
    phones = list(Owner.objects.filter(ownerships__unit__estate=estate).values_list("phone", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        answers = [_ask(client, p, REMOTE_ADDR="10.1.1.1") for p in phones]
        other = _ask(client, phones[-1], REMOTE_ADDR="10.2.2.2")
    assert ["过于频繁" in r.content.decode() for r in answers] == [False, False, False, True, True]
    assert "过于频繁" not in other.content.decode()
    assert len(MemorySmsBackend.outbox) == 4
    assert SmsDailyCount.objects.get(day=today(), outcome=SmsOutcome.LIMITED_CLIENT).count == 2


def test_a_county_wide_limit_holds_across_clients(client, settings, django_capture_on_commit_callbacks):
    settings.WUYE = {**settings.WUYE, "SMS_PER_CLIENT": 100, "SMS_GLOBAL": 2}
    estate = make_estate(units=3)
    phones = list(Owner.objects.filter(ownerships__unit__estate=estate).values_list("phone", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        answers = [_ask(client, p, REMOTE_ADDR=f"10.0.0.{i}") for i, p in enumerate(phones, start=1)]
    assert ["过于频繁" in r.content.decode() for r in answers] == [False, False, True]
    assert len(MemorySmsBackend.outbox) == 2
    assert SmsDailyCount.objects.get(day=today(), outcome=SmsOutcome.LIMITED_GLOBAL).count == 1


def test_the_office_head_sees_the_counts_per_day_and_outcome(client, django_capture_on_commit_callbacks):
    known = _owner_phone()
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, known)
        _ask(client, known)
        _ask(client, UNKNOWN)
    counts = dict(SmsDailyCount.objects.filter(day=today()).values_list("outcome", "count"))
    assert counts == {SmsOutcome.SENT: 1, SmsOutcome.LIMITED_PHONE: 1, SmsOutcome.UNKNOWN_PHONE: 1}
    login(client, make_user(Role.BUREAU_ADMIN))
    page = client.get("/accounts/sms-stats/").content.decode()
    assert today().strftime("%Y-%m-%d") in page and "未登记号码（未发送）" in page
    row = re.search(r"<tr><td>" + today().strftime("%Y-%m-%d") + r"</td>(.*?)</tr>", page).group(1)
    assert re.findall(r"<td>(\d+)</td>", row) == ["1", "1", "1", "0", "0", "0", "3"]


@pytest.mark.parametrize("role", [Role.TASK_FORCE, Role.CITY_VIEWER, Role.OWNER])
def test_only_the_office_head_sees_the_sms_counts(client, role):
    login(client, make_user(role))
    assert client.get("/accounts/sms-stats/").status_code == 403


def test_a_failing_gateway_is_counted_and_not_a_500(client, settings, django_capture_on_commit_callbacks):
    settings.WUYE = {**settings.WUYE, "SMS_BACKEND": "wuye.accounts.tests.test_sms_abuse.BrokenGateway"}
    known = _owner_phone()
    with django_capture_on_commit_callbacks(execute=True):
        resp = _ask(client, known)
    assert resp.status_code == 200
    assert SmsDailyCount.objects.get(day=today(), outcome=SmsOutcome.GATEWAY_ERROR).count == 1


class BrokenGateway:
    def send(self, phone, text):
        raise ConnectionError("gateway down")
