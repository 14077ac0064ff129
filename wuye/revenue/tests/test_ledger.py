import datetime as dt
from decimal import Decimal

import pytest

from wuye.accounts.models import Role
from wuye.audit.models import AuditEntry
from wuye.common.errors import DomainError, InvalidTransition, NotAllowed
from wuye.revenue import selectors, services
from wuye.revenue.models import Entry, EntryKind, EntryUse
from wuye.revenue.periods import period_from_key, period_of
from wuye.testing import make_company, make_user

from .factories import World

pytestmark = pytest.mark.django_db
D = dt.date(2025, 2, 10)


def test_balance_is_the_sum_of_entries():
    w = World()
    amounts = []
    for i, amount in enumerate(["1200.00", "350.50", "80.25"]):
        w.income(amount, D + dt.timedelta(days=i))
        amounts.append(Decimal(amount))
    w.outgo(EntryKind.EXPENSE, EntryUse.OPERATING_COST, "100.10", D, description="广告屏电费")
    w.outgo(EntryKind.ALLOCATION, EntryUse.FUND, "500.00", D, description="补充维修资金")
    expected = sum(amounts) - Decimal("100.10") - Decimal("500.00")
    signed = sum(e.signed_amount for e in Entry.objects.filter(account=w.account))
    assert selectors.account_balance(w.account) == expected == signed
    assert Entry.objects.filter(account=w.account).count() == 5


def test_reversing_entry_corrects_without_deleting():
    w = World()
    wrong = w.income("1000.00", D)
    w.income("200.00", D)
    before = selectors.account_balance(w.account)
    reversal = services.entry_reverse(actor=w.staff, entry=wrong, reason="金额录错，应为 100 元")
    assert Entry.objects.filter(pk=wrong.pk).exists()
    assert reversal.reverses_id == wrong.pk and reversal.kind == EntryKind.REVERSAL
    assert reversal.direction == "out" and reversal.amount == wrong.amount
    assert selectors.account_balance(w.account) == before - Decimal("1000.00")
    assert AuditEntry.objects.filter(action="revenue.entry_reverse", object_id=str(reversal.pk)).exists()
    with pytest.raises(InvalidTransition, match="已冲正"):
        services.entry_reverse(actor=w.staff, entry=wrong, reason="再来一次")
    with pytest.raises(InvalidTransition, match="冲正分录不能再冲正"):
        services.entry_reverse(actor=w.staff, entry=reversal, reason="撤回冲正")
    assert Entry.objects.filter(account=w.account).count() == 3


def test_reversal_needs_a_reason():
    w = World()
    e = w.income("10.00", D)
    with pytest.raises(DomainError) as exc:
        services.entry_reverse(actor=w.staff, entry=e, reason="  ")
    assert exc.value.field == "reason" and "冲正原因" in exc.value.message
    assert not Entry.objects.filter(reverses=e).exists()


def test_outgoing_entry_may_not_overdraw_the_account():
    w = World()
    w.income("100.00", D)
    with pytest.raises(DomainError, match="余额.*不足"):
        w.outgo(EntryKind.EXPENSE, EntryUse.OPERATING_COST, "100.01", D)
    assert Entry.objects.filter(account=w.account).count() == 1


def test_only_the_estates_current_company_may_enter():
    w = World()
    other_staff = make_user(Role.COMPANY_STAFF, company_id=make_company().pk)
    for actor in (other_staff, w.committee, w.task_force):
        with pytest.raises(NotAllowed):
            services.entry_create(
                actor=actor,
                estate=w.estate,
                kind=EntryKind.INCOME,
                occurred_on=D,
                amount="10",
                source="parking",
                description="停车费",
            )
    assert not Entry.objects.exists()


def test_only_the_task_force_may_annul():
    w = World()
    e = w.income("300.00", D)
    for actor in (w.staff, w.committee):
        with pytest.raises(NotAllowed, match="只有专班"):
            services.entry_reverse(actor=actor, entry=e, reason="撤销", annul=True)
    annul = services.entry_reverse(actor=w.task_force, entry=e, reason="收入属于虚构，专班撤销", annul=True)
    assert annul.is_annulment and selectors.account_balance(w.account) == Decimal("0.00")
    assert AuditEntry.objects.filter(action="revenue.entry_annul", object_id=str(annul.pk)).exists()


def test_entry_rejects_bad_input_with_a_chinese_message_and_writes_nothing():
    w = World()
    cases = [
        ({"amount": "abc"}, "金额"),
        ({"amount": "-5"}, "金额"),
        ({"amount": "1.234"}, "金额"),
        ({"occurred_on": dt.date(2024, 12, 31)}, "发生日期"),  # before the account opened
        ({"occurred_on": dt.date.today() + dt.timedelta(days=3)}, "发生日期"),
        ({"source": ""}, "收益来源"),
        ({"description": ""}, "摘要"),
    ]
    for override, field in cases:
        kw = {
            "kind": EntryKind.INCOME,
            "occurred_on": D,
            "amount": "10",
            "source": "parking",
            "description": "停车费",
            **override,
        }
        with pytest.raises(DomainError) as exc:
            services.entry_create(actor=w.staff, estate=w.estate, **kw)
        # the form field it belongs to, and a message that names it in words
        assert exc.value.field == next(iter(override)), (override, exc.value)
        assert field in exc.value.message, (override, exc.value)
    assert not Entry.objects.exists()


def test_a_published_period_cannot_be_backfilled():
    w = World()
    w.income("100.00", D)
    w.publish("2025Q1")
    with pytest.raises(DomainError, match="已公示") as exc:
        w.income("50.00", dt.date(2025, 3, 1))
    assert exc.value.field == "occurred_on" and "发生日期" in exc.value.message
    w.income("50.00", dt.date(2025, 4, 2))  # the next period is open


def test_publishing_snapshots_the_statement_and_is_idempotent():
    w = World()
    w.income("900.00", dt.date(2025, 1, 5))
    w.income("100.00", dt.date(2025, 4, 5))
    w.outgo(EntryKind.ALLOCATION, EntryUse.FUND, "400.00", dt.date(2025, 4, 20))
    q1 = w.publish("2025Q1")
    q2 = w.publish("2025Q2")
    assert (q1.opening_balance, q1.closing_balance, q1.line_count) == (Decimal("0"), Decimal("900.00"), 1)
    assert (q2.opening_balance, q2.income_total, q2.outgo_total, q2.closing_balance) == (
        Decimal("900.00"),
        Decimal("100.00"),
        Decimal("400.00"),
        Decimal("600.00"),
    )
    assert w.publish("2025Q2").pk == q2.pk
    st = selectors.statement(w.account, period_from_key("2025Q2"))
    assert st.digest == q2.digest and st.closing == q2.closing_balance


def test_a_period_that_has_not_ended_cannot_be_published():
    w = World()
    with pytest.raises(DomainError, match="尚未结束"):
        w.publish(period_of(dt.date.today()).key)


def test_allocation_must_cite_a_resolution_of_the_same_estate():
    w = World()
    other = World()
    res = other.resolution()
    w.income("100.00", D)
    with pytest.raises(DomainError, match="不属于本小区"):
        w.outgo(EntryKind.ALLOCATION, EntryUse.OWNERS, "10.00", D, resolution=res)
    own = w.resolution()
    e = w.outgo(EntryKind.ALLOCATION, EntryUse.OWNERS, "10.00", D, resolution=own)
    assert e.needs_resolution and e.resolution_id == own.pk


def test_company_cannot_record_a_resolution_for_itself():
    w = World()
    with pytest.raises(NotAllowed):
        services.resolution_record(actor=w.staff, estate=w.estate, title="自批", decided_on=D, item=8)


def test_one_account_per_estate():
    w = World()
    with pytest.raises(DomainError, match="只能有一个"):
        services.account_open(
            actor=w.staff,
            estate=w.estate,
            bank="工行",
            number="6222000011112222",
            holder="x",
            holder_kind="committee",
            opened_on=D,
        )


def test_an_unpublished_earlier_period_cannot_be_backfilled_after_a_later_one_was_published():
    w = World()
    w.income("100.00", dt.date(2025, 4, 10))
    q2 = w.publish("2025Q2")
    with pytest.raises(DomainError, match="已公示至2025年第2季度"):
        w.income("50.00", dt.date(2025, 2, 1))
    assert selectors.statement(w.account, period_from_key("2025Q2")).opening == q2.opening_balance


def test_opening_balance_from_the_last_statement_equals_the_full_sum():
    w = World()
    for month in (1, 2, 4, 5, 7):
        w.income(f"{month}00.00", dt.date(2025, month, 3))
    w.outgo(EntryKind.EXPENSE, EntryUse.OPERATING_COST, "50.00", dt.date(2025, 5, 9))
    w.publish("2025Q1")  # Q2 left unpublished: the opening of Q3 adds Q2's entries to Q1's closing
    p = period_from_key("2025Q3")
    assert (
        selectors.opening_balance(w.account, p.start)
        == selectors.account_balance(w.account, before=p.start)
        == Decimal("1150.00")
    )
    assert selectors.statement(w.account, p).opening == Decimal("1150.00")
