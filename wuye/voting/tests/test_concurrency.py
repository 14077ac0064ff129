"""Simultaneous requests: one ballot per person is held by the database, tested on PostgreSQL."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from wuye.accounts.models import Role
from wuye.common.dates import now
from wuye.registry.models import Owner
from wuye.testing import login, make_estate, make_user, run_concurrently
from wuye.voting import services
from wuye.voting.models import Ballot

pytestmark = pytest.mark.postgres


@pytest.mark.django_db(transaction=True)
def test_fifty_owners_voting_at_once_with_ten_duplicates_store_exactly_fifty_ballots() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so requests never truly overlap")
    with transaction.atomic():  # the registry factories audit, and audit entries need a transaction
        estate = make_estate(units=50, area="88.88")
    committee = make_user(Role.COMMITTEE_MEMBER, estate_id=estate.pk)
    a = services.assembly_create(
        actor=committee,
        estate=estate,
        title="并发测试",
        notice="公告",
        vote_start=now() - dt.timedelta(hours=1),
        vote_end=now() + dt.timedelta(days=1),
    )
    services.motion_add(actor=committee, assembly=a, item=4, title="选聘物业")
    services.assembly_open(actor=committee, assembly=a)
    owners = list(Owner.objects.filter(ownerships__unit__estate=estate).order_by("id"))
    users = [make_user(Role.OWNER, owner=o) for o in owners]
    # Each of the first ten owners sends the same ballot twice, at the same moment as everyone else.
    attempts = users + users[:10]
    clients = [login(Client(), user) for user in attempts]
    responses = run_concurrently(
        *[lambda c=c: c.post(reverse("voting:vote", args=[a.pk]), {"m_M1": "agree"}) for c in clients]
    )
    results = [
        (i, r.status_code, r.content.decode() if r.status_code != 302 else r["Location"])
        for i, r in enumerate(responses)
        if not isinstance(r, Exception)
    ]
    assert len(results) == 60
    assert Ballot.objects.filter(assembly=a).count() == 50
    assert Ballot.objects.filter(assembly=a).values("person").distinct().count() == 50
    ok = [r for r in results if r[1] == 302]
    refused = [r for r in results if r[1] != 302]
    assert len(ok) == 50 and len(refused) == 10
    for _, status, body in refused:
        assert status == 400 and "已投过票" in body and "不能重复投票" in body
    # Every owner among the duplicates got exactly one ballot.
    assert {r[0] % 50 for r in ok} == set(range(50))
