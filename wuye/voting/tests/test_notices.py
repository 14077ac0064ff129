"""Owners hear when an assembly opens and 3 days before voting closes, once each (issue #13, item 4)."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from wuye.accounts.sms import MemorySmsBackend
from wuye.common.dates import now
from wuye.notify.models import Channel, Notification
from wuye.voting.models import Assembly, ElectorVoter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_quiet_hours(settings):
    settings.WUYE = {**settings.WUYE, "NOTIFY_QUIET_START": "00:00", "NOTIFY_QUIET_END": "00:00"}
    MemorySmsBackend.outbox.clear()
    yield
    MemorySmsBackend.outbox.clear()


def _tick():
    call_command("tick", "--only", "assembly_notices", stdout=io.StringIO())


def test_every_owner_who_may_vote_hears_that_voting_opened_once(world):
    a = world.assembly()
    _tick()  # the next tick tells the owners (not the request that opened the vote)
    voters = set(ElectorVoter.objects.filter(assembly=a, may_vote=True).values_list("owner_id", flat=True))
    opened = Notification.objects.filter(event="assembly_open")
    keys = set(opened.values_list("key", flat=True))
    assert keys == {f"assembly:{a.pk}:open:owner:{o}" for o in voters}
    user = world.owner_users[2]
    mine = opened.get(user=user, channel=Channel.INAPP)
    assert world.estate.name in mine.text and mine.link == f"/voting/{a.pk}/"
    assert not Notification.objects.filter(user=world.outsider).exists()  # another estate's owner
    count = opened.count()
    Assembly.objects.filter(pk=a.pk).update(vote_end=now() + dt.timedelta(days=10))
    _tick()
    _tick()
    assert opened.count() == count  # the tick finds them all recorded


def test_owners_who_have_not_voted_are_reminded_3_days_before_the_close_once(world):
    a = world.assembly()  # the commit hook is not run here: the tick sends the open notices too
    Assembly.objects.filter(pk=a.pk).update(vote_end=now() + dt.timedelta(days=10))
    _tick()
    assert not Notification.objects.filter(event="assembly_closing").exists()  # 10 days to go
    assert Notification.objects.filter(event="assembly_open").exists()
    from wuye.voting import services

    services.ballot_cast(actor=world.owner_users[2], assembly=a, choices={"M1": "agree", "M2": "agree"})
    Assembly.objects.filter(pk=a.pk).update(vote_end=now() + dt.timedelta(days=2, hours=23))
    _tick()
    _tick()
    closing = Notification.objects.filter(event="assembly_closing", channel=Channel.INAPP)
    reminded = set(closing.values_list("user_id", flat=True))
    assert world.owner_users[3].pk in reminded
    assert world.owner_users[2].pk not in reminded  # voted already
    assert closing.filter(user=world.owner_users[3]).count() == 1
