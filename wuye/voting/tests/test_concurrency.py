"""Simultaneous requests: one ballot per person is held by the database, tested on PostgreSQL."""

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse

from wuye.accounts.models import Role
from wuye.common.dates import now
from wuye.common.errors import InvalidTransition
from wuye.registry.models import Owner
from wuye.testing import login, make_estate, make_user, run_concurrently
from wuye.voting import services
from wuye.voting.models import Assembly, AssemblyStatus, Ballot

pytestmark = pytest.mark.postgres


@pytest.mark.django_db(transaction=True)
def test_fifty_owners_voting_at_once_with_ten_duplicates_store_exactly_fifty_ballots() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so requests never truly overlap")
    a, _, users = _open_assembly(units=50, title="并发测试")
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


def _open_assembly_with_two_voters() -> tuple[Any, Any, list[Any]]:
    return _open_assembly(units=2, title="截止与投票并发")


def _open_assembly(*, units: int, title: str) -> tuple[Any, Any, list[Any]]:
    """An open assembly of a new estate of `units` owners with one motion: (assembly, committee member, owners)."""
    with transaction.atomic():  # the registry factories audit, and audit entries need a transaction
        estate = make_estate(units=units, area="88.88")
    committee = make_user(Role.COMMITTEE_MEMBER, estate_id=estate.pk)
    a = services.assembly_create(
        actor=committee,
        estate=estate,
        title=title,
        notice="公告",
        vote_start=now() - dt.timedelta(hours=1),
        vote_end=now() + dt.timedelta(days=1),
    )
    services.motion_add(actor=committee, assembly=a, item=4, title="选聘物业")
    services.assembly_open(actor=committee, assembly=a)
    owners = list(Owner.objects.filter(ownerships__unit__estate=estate).order_by("id"))
    return a, committee, [make_user(Role.OWNER, owner=o) for o in owners]


def _in_thread(fn: Callable[[], Any], out: list[Any]) -> threading.Thread:
    def run() -> None:
        try:
            out.append(fn())
        except Exception as exc:  # noqa: BLE001 - the error is the result under test
            out.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_closing_waits_for_a_ballot_in_flight_and_counts_it() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers")
    a, committee, (alice, _bob) = _open_assembly_with_two_voters()
    cast, release, closed = threading.Event(), threading.Event(), []

    def vote_and_hold() -> object:
        with transaction.atomic():
            ballot = services.ballot_cast(actor=alice, assembly=a, choices={"M1": "agree"})
            cast.set()
            release.wait(10)
        return ballot

    held: list[Any] = []
    voter = _in_thread(vote_and_hold, held)
    assert cast.wait(10)
    Assembly.objects.filter(pk=a.pk).update(vote_end=now() - dt.timedelta(seconds=1))  # the row is not locked
    closer = _in_thread(lambda: services.assembly_close(actor=committee, assembly=a), closed)
    closer.join(0.5)
    assert closer.is_alive(), "closing must wait for the ballot in flight"
    release.set()
    voter.join(10)
    closer.join(10)
    assert not isinstance(held[0], Exception) and not isinstance(closed[0], Exception), (held, closed)
    a.refresh_from_db()
    assert a.status == AssemblyStatus.CLOSED
    assert a.result["motions"][0]["agree_persons"] == 1


@pytest.mark.django_db(transaction=True)
def test_a_ballot_arriving_while_closing_waits_and_then_sees_the_assembly_closed() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers")
    a, committee, (alice, _bob) = _open_assembly_with_two_voters()
    Assembly.objects.filter(pk=a.pk).update(vote_end=now() - dt.timedelta(seconds=1))
    moved, release = threading.Event(), threading.Event()

    def close_and_hold() -> object:
        with transaction.atomic():
            result = services.assembly_close(actor=committee, assembly=a)
            moved.set()
            release.wait(10)
        return result

    closed: list[Any] = []
    cast: list[Any] = []
    closer = _in_thread(close_and_hold, closed)
    assert moved.wait(10)
    voter = _in_thread(lambda: services.ballot_cast(actor=alice, assembly=a, choices={"M1": "agree"}), cast)
    voter.join(0.5)
    assert voter.is_alive(), "a ballot must wait for the move in flight"
    release.set()
    closer.join(10)
    voter.join(10)
    # it read the assembly after the close committed: refused as closed, not merely as past its deadline
    assert isinstance(cast[0], InvalidTransition), cast
    assert "已截止计票" in str(cast[0]) or AssemblyStatus.CLOSED.label in str(cast[0])
    assert Ballot.objects.filter(assembly=a).count() == 0
