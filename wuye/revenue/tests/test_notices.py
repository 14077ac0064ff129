"""Committee members hear when a revenue disclosure is due, once per account and period (issue #13, item 4)."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from wuye.accounts.models import Role
from wuye.notify.models import Channel, Notification
from wuye.revenue import notices
from wuye.testing import make_user

from .factories import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def settings_for_notices(settings):
    settings.WUYE = {
        **settings.WUYE,
        "DISCLOSURE_PERIOD": "quarter",
        "DISCLOSURE_GRACE_DAYS": 15,
        "NOTIFY_QUIET_START": "00:00",
        "NOTIFY_QUIET_END": "00:00",
    }


def _tick():
    call_command("tick", "--only", "disclosure_due", stdout=io.StringIO())


def test_the_committee_is_told_while_the_statement_is_due_and_not_published(monkeypatch):
    late, done = World(), World()
    done.publish("2025Q1")
    second_member = make_user(Role.COMMITTEE_MEMBER, estate_id=late.estate.pk)
    monkeypatch.setattr(notices, "today", lambda: dt.date(2025, 4, 5))  # Q1 ended 3/31, due by 4/15
    _tick()
    _tick()
    told = Notification.objects.filter(event="disclosure_due", channel=Channel.INAPP)
    assert set(told.values_list("user_id", flat=True)) == {late.committee.pk, second_member.pk}
    text = told.get(user=late.committee).text
    assert late.estate.name in text and "2025年第1季度" in text and "2025年4月15日" in text
    assert told.filter(user=late.committee).count() == 1
    assert not told.filter(user=done.committee).exists()  # published: nothing to remind
    assert not told.filter(user=late.staff).exists()  # the committee is told, not the company


def test_outside_the_window_nobody_is_told(monkeypatch):
    World()
    monkeypatch.setattr(notices, "today", lambda: dt.date(2025, 4, 20))  # past the due date: the check's lead
    _tick()
    monkeypatch.setattr(notices, "today", lambda: dt.date(2025, 3, 20))  # Q4 2024 was due by 1/15
    _tick()
    assert not Notification.objects.filter(event="disclosure_due").exists()
