"""Concurrent second requests: the account row lock serialises outgoing entries and reversals."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from wuye.common.errors import DomainError
from wuye.revenue import selectors, services
from wuye.revenue.models import Entry, EntryKind, EntryUse
from wuye.testing import run_concurrently

from .factories import World

D = dt.date(2025, 2, 10)
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (select_for_update) are only meaningful on PostgreSQL",
    ),
]


def test_two_concurrent_expenses_cannot_overdraw_the_account():
    w = World(units=0)  # registry.unit_upsert audits outside a transaction (foundation), so no units here
    w.income("100.00", D)

    def spend():
        return services.entry_create(
            actor=w.staff,
            estate=w.estate,
            kind=EntryKind.EXPENSE,
            use=EntryUse.OPERATING_COST,
            occurred_on=D,
            amount="70.00",
            description="维修",
        )

    results = run_concurrently(spend, spend)
    ok = [r for r in results if isinstance(r, Entry)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(ok) == 1 and len(refused) == 1 and "不足" in refused[0].message
    assert selectors.account_balance(w.account) == Decimal("30.00")
    assert sorted(Entry.objects.filter(account=w.account).values_list("number", flat=True)) == [1, 2]


def test_two_concurrent_reversals_of_one_entry_make_one_reversal():
    w = World(units=0)  # registry.unit_upsert audits outside a transaction (foundation), so no units here
    e = w.income("100.00", D)
    results = run_concurrently(
        lambda: services.entry_reverse(actor=w.staff, entry=e, reason="录错"),
        lambda: services.entry_reverse(actor=w.task_force, entry=e, reason="撤销", annul=True),
    )
    assert sum(isinstance(r, Entry) for r in results) == 1
    assert sum(isinstance(r, DomainError) for r in results) == 1
    assert Entry.objects.filter(reverses=e).count() == 1
    assert selectors.account_balance(w.account) == Decimal("0.00")


def test_two_concurrent_submits_of_one_contract_record_it_once():
    from wuye.revenue.models import UsageContract

    w = World(units=0)

    def record():
        return services.usage_contract_record(
            actor=w.committee,
            estate=w.estate,
            source="elevator_ad",
            counterparty="某某传媒有限公司",
            monthly_amount="1200",
            start=dt.date(2025, 1, 1),
            end=dt.date(2025, 12, 31),
        )

    results = run_concurrently(record, record)
    assert all(isinstance(r, UsageContract) for r in results), results
    assert results[0].pk == results[1].pk
    assert UsageContract.objects.filter(estate=w.estate).count() == 1


def test_two_concurrent_submits_of_one_objection_record_it_once():
    from wuye.revenue.models import Objection

    w = World(units=1)
    e = w.income("100.00", D)
    d = w.publish("2025Q1")
    owner = w.owner_user()

    def raise_it():
        return services.objection_raise(actor=owner, disclosure=d, entry=e, text="这笔广告费对不上")

    results = run_concurrently(raise_it, raise_it)
    assert all(isinstance(r, Objection) for r in results), results
    assert Objection.objects.filter(disclosure=d).count() == 1
