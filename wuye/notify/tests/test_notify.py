import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client

from wuye.accounts.models import Role
from wuye.accounts.sms import MemorySmsBackend
from wuye.common.errors import DomainError
from wuye.kernel.actors import SystemActor
from wuye.notify import services
from wuye.notify.models import Channel, Notification, Status
from wuye.notify.services import notification_send, notifications_send_due, notify, quiet_until
from wuye.testing import login, make_company, make_user, run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)
JOB = SystemActor("notifications")
TZ = ZoneInfo("Asia/Shanghai")
NOON = dt.datetime(2026, 11, 30, 12, 0, tzinfo=TZ)
NIGHT = dt.datetime(2026, 11, 30, 23, 30, tzinfo=TZ)


@pytest.fixture(autouse=True)
def outbox(monkeypatch):
    MemorySmsBackend.outbox.clear()
    monkeypatch.setattr(services, "now", lambda: NOON)
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


def send_verified(**kw):
    return notify(
        actor=JOB,
        key="case:1:verified",
        event="case_verified",
        context={"code": "ABCD1234"},
        link="/track/ABCD1234/",
        **kw,
    )


def test_a_complainant_gets_one_sms_with_the_absolute_tracking_link(outbox):
    rows = send_verified(phone="13800001111")
    assert [r.channel for r in rows] == [Channel.SMS]
    assert len(outbox) == 1
    phone, text = outbox[0]
    assert phone == "13800001111"
    assert "ABCD1234" in text and "http://" in text and text.endswith("/track/ABCD1234/")
    assert Notification.objects.get().status == Status.SENT


def test_the_same_event_twice_records_and_sends_once(outbox):
    send_verified(phone="13800001111")
    assert send_verified(phone="13800001111") == []
    assert len(outbox) == 1
    assert Notification.objects.count() == 1


def test_a_retried_send_job_never_sends_twice(outbox, monkeypatch):
    monkeypatch.setattr(services, "now", lambda: NIGHT)  # quiet hours: recorded, not sent yet
    send_verified(phone="13800001111")
    assert outbox == []
    row = Notification.objects.get()
    monkeypatch.setattr(services, "now", lambda: NIGHT + dt.timedelta(hours=9))
    assert notification_send(notification_id=row.pk) is True
    assert notification_send(notification_id=row.pk) is False  # the job retried
    send_verified(phone="13800001111")  # the event raised again
    assert notifications_send_due() == (0, 0)
    assert len(outbox) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_four_senders_racing_for_one_sms_send_it_once(outbox, monkeypatch):
    monkeypatch.setattr(services, "now", lambda: NIGHT)
    send_verified(phone="13800001111")
    row = Notification.objects.get()
    monkeypatch.setattr(services, "now", lambda: NIGHT + dt.timedelta(hours=9))
    results = run_concurrently(*[lambda: notification_send(notification_id=row.pk)] * 4)
    assert sorted(results) == [False, False, False, True]
    assert notifications_send_due() == (0, 0)
    assert len(outbox) == 1


def test_a_logged_in_user_gets_an_in_app_message_and_an_sms_to_their_phone(outbox):
    user = make_user(Role.COMPANY_STAFF, company_id=make_company().pk)
    user.phone = "13900002222"
    user.save()
    rows = notify(
        actor=JOB,
        key="case:7:new",
        event="company_case_new",
        context={
            "estate": "幸福里",
            "title": "电梯停运",
            "number": "ZS-1",
            "sign_by": "今天",
            "deadline": "明天",
        },
        user=user,
        link="/cases/7/",
    )
    assert sorted(r.channel for r in rows) == [Channel.INAPP, Channel.SMS]
    assert len(outbox) == 1


def test_quiet_hours_hold_the_sms_until_morning_and_tick_sends_it(outbox, monkeypatch):
    monkeypatch.setattr(services, "now", lambda: NIGHT)
    send_verified(phone="13800001111")
    row = Notification.objects.get()
    assert row.status == Status.PENDING
    assert row.send_after == dt.datetime(2026, 12, 1, 8, 0, tzinfo=TZ)
    monkeypatch.setattr(services, "now", lambda: dt.datetime(2026, 12, 1, 7, 59, tzinfo=TZ))
    assert notifications_send_due() == (0, 0)
    monkeypatch.setattr(services, "now", lambda: dt.datetime(2026, 12, 1, 8, 1, tzinfo=TZ))
    assert notifications_send_due() == (1, 0)
    assert len(outbox) == 1


def test_urgent_messages_ignore_the_quiet_hours(outbox, monkeypatch):
    monkeypatch.setattr(services, "now", lambda: NIGHT)
    send_verified(phone="13800001111", urgent=True)
    assert len(outbox) == 1


@pytest.mark.parametrize(
    ("hour", "minute", "held"), [(21, 59, False), (22, 0, True), (3, 0, True), (7, 59, True), (8, 0, False)]
)
def test_quiet_hours_boundaries(hour, minute, held):
    at = dt.datetime(2026, 11, 30, hour, minute, tzinfo=TZ)
    assert (quiet_until(at) != at) is held


class FailingBackend:
    def send(self, phone, text):
        raise ConnectionError("网关超时")


def test_a_failed_send_is_retried_then_recorded_as_failed_with_the_reason(outbox, settings, monkeypatch):
    settings.WUYE = {**settings.WUYE, "SMS_BACKEND": "wuye.notify.tests.test_notify.FailingBackend"}
    send_verified(phone="13800001111")  # attempt 1 fails after the commit, never into the caller
    row = Notification.objects.get()
    assert row.status == Status.PENDING and "网关超时" in row.error
    for minutes in (5, 10):
        monkeypatch.setattr(services, "now", lambda m=minutes: NOON + dt.timedelta(minutes=m))
        notifications_send_due()
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 3)


def test_a_send_whose_result_never_came_back_is_marked_failed_not_resent(outbox, monkeypatch):
    monkeypatch.setattr(services, "now", lambda: NIGHT)
    send_verified(phone="13800001111")
    Notification.objects.update(status=Status.SENDING, sent_at=NIGHT)  # the sender died mid-call
    monkeypatch.setattr(services, "now", lambda: NIGHT + dt.timedelta(minutes=11))
    assert notifications_send_due() == (0, 1)
    assert Notification.objects.get().status == Status.FAILED
    assert outbox == []


def test_an_unknown_event_or_a_missing_placeholder_is_a_clear_error():
    with pytest.raises(DomainError, match="消息模板"):
        notify(actor=JOB, key="k", event="nope", context={}, phone="13800001111")
    with pytest.raises(DomainError, match="code"):
        notify(actor=JOB, key="k", event="case_verified", context={}, phone="13800001111")
    assert Notification.objects.count() == 0


def test_the_inbox_shows_only_the_users_own_messages_and_marks_them_read():
    mine, other = make_user(Role.OWNER), make_user(Role.OWNER)
    for user, title in ((mine, "我的表决"), (other, "别人的表决")):
        notify(
            actor=JOB,
            key=f"assembly:1:open:{user.pk}",
            event="assembly_open",
            context={"estate": "幸福里", "title": title, "closes": "12月10日"},
            user=user,
        )
    client = Client()
    login(client, mine)
    page = client.get("/notifications/").content.decode()
    assert "我的表决" in page and "别人的表决" not in page and "1 条未读" in page
    assert client.post("/notifications/read/").status_code == 302
    assert "未读" not in client.get("/notifications/").content.decode()
    assert Notification.objects.get(user=other, channel=Channel.INAPP).read_at is None


def test_anonymous_visitors_are_sent_to_log_in():
    response = Client().get("/notifications/")
    assert response.status_code == 302 and "login" in response["Location"]
