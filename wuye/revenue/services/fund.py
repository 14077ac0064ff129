"""The special maintenance fund (住宅专项维修资金): dues, collection, deposit."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction

from wuye.accounts.permissions import person_acting
from wuye.audit.services import audit_record, snapshot
from wuye.common.dates import now, today
from wuye.common.errors import DomainError, NotAllowed
from wuye.common.money import to_yuan
from wuye.kernel.actors import Actor, requires_actor
from wuye.kernel.conf import county_setting
from wuye.registry.models import Estate
from wuye.registry.selectors import estate_county

from ..models import (
    Collector,
    DueBasis,
    FundDue,
)
from .base import _check_date, _is_bureau, _is_company_of, _text, _yuan

# --- special maintenance fund ------------------------------------------------------------------------------


def _collector_ok(collector: str, collector_name: str) -> str:
    if collector not in Collector.values:
        raise DomainError("请选择代收方", field="collector")
    return _text(collector_name, field="collector_name", label="代收单位", max_len=120)


@requires_actor
@transaction.atomic
def fund_dues_generate(
    *, actor: Actor, estate: Estate, due_date: dt.date, collector: str, collector_name: str
) -> int:
    """One first-deposit due per unit that has none: registered area × the county rate (read now)."""
    user = person_acting(actor, what="办理公共收益和维修资金业务")
    if not _is_bureau(user, estate):
        raise NotAllowed("只有专班可以核定维修资金应缴额")
    collector_name = _collector_ok(collector, collector_name)
    _check_date(due_date, field="due_date", label="上缴期限")
    rate = to_yuan(county_setting("FUND_RATE_YUAN_PER_M2", estate_county(estate)))
    Estate.objects.select_for_update().get(pk=estate.pk)
    units = list(estate.units.filter(fund_due__isnull=True).select_related("building").order_by("pk"))
    stamp = now()
    dues = [
        FundDue(
            estate=estate,
            unit=u,
            label=u.label,
            basis=DueBasis.AREA,
            area=u.area,
            rate=rate,
            amount=to_yuan(u.area * rate),
            due_date=due_date,
            collector=collector,
            collector_name=collector_name,
            created_at=stamp,
        )
        for u in units
    ]
    FundDue.objects.bulk_create(dues, batch_size=1000)
    audit_record(
        actor=user,
        action="revenue.fund_dues_generate",
        obj=estate,
        after={
            "count": len(dues),
            "rate": rate,
            "due_date": due_date,
            "collector": collector,
            "collector_name": collector_name,
            "total": sum((d.amount for d in dues), Decimal(0)),
        },
    )
    return len(dues)


@requires_actor
@transaction.atomic
def fund_due_bill(
    *,
    actor: Actor,
    estate: Estate,
    label: str,
    amount: Any,
    due_date: dt.date,
    collector: str,
    collector_name: str,
) -> FundDue:
    """A due billed as a sum (e.g. a developer's unsold units, or a connected non-residential unit)."""
    user = person_acting(actor, what="办理公共收益和维修资金业务")
    if not _is_bureau(user, estate):
        raise NotAllowed("只有专班可以核定维修资金应缴额")
    collector_name = _collector_ok(collector, collector_name)
    _check_date(due_date, field="due_date", label="上缴期限")
    due = FundDue.objects.create(
        estate=estate,
        label=_text(label, field="label", label="缴存对象", max_len=100),
        basis=DueBasis.BILLED,
        amount=_yuan(amount, field="amount", label="应缴金额"),
        due_date=due_date,
        collector=collector,
        collector_name=collector_name,
        created_at=now(),
    )
    audit_record(
        actor=user,
        action="revenue.fund_due_bill",
        obj=due,
        after=snapshot(due, ("estate", "label", "amount", "due_date", "collector", "collector_name")),
    )
    return due


def _lock_dues(estate: Estate, due_ids: Iterable[int]) -> list[FundDue]:
    ids = sorted({int(i) for i in due_ids})
    if not ids:
        raise DomainError("应缴记录：请至少选择一笔", field="dues")
    dues = list(FundDue.objects.select_for_update().filter(estate=estate, pk__in=ids).order_by("pk"))
    if len(dues) != len(ids):
        raise DomainError("应缴记录：所选记录不属于本小区", field="dues")
    return dues


@requires_actor
@transaction.atomic
def fund_collection_record(
    *, actor: Actor, estate: Estate, due_ids: Iterable[int], collected_on: dt.date
) -> int:
    """The collector (developer or company) has taken the owners' money: from now it must reach the special account."""
    user = person_acting(actor, what="办理公共收益和维修资金业务")
    if not (_is_bureau(user, estate) or _is_company_of(user, estate)):
        raise NotAllowed("您无权登记该小区维修资金代收")
    _check_date(collected_on, field="day", label="代收日期", not_after=today())
    changed = 0
    for due in _lock_dues(estate, due_ids):
        if due.collected_on is not None:
            continue
        due.collected_on = collected_on
        due.save(update_fields=["collected_on"])
        audit_record(actor=user, action="revenue.fund_collect", obj=due, after={"collected_on": collected_on})
        changed += 1
    return changed


@requires_actor
@transaction.atomic
def fund_deposit_record(
    *, actor: Actor, estate: Estate, due_ids: Iterable[int], deposited_on: dt.date, reference: str
) -> int:
    """The bureau confirms the money reached the county special account (专户入账)."""
    user = person_acting(actor, what="办理公共收益和维修资金业务")
    if not _is_bureau(user, estate):
        raise NotAllowed("只有专班可以确认维修资金存入专户")
    _check_date(deposited_on, field="day", label="存入专户日期", not_after=today())
    reference = _text(reference, field="reference", label="专户入账凭证号", max_len=60)
    changed = 0
    for due in _lock_dues(estate, due_ids):
        if due.deposited_on is not None:
            continue
        if due.collected_on is None:
            if due.collector != Collector.DIRECT:
                raise DomainError(f"应缴记录：“{due.label}”尚未登记代收，不能确认入账", field="dues")
            due.collected_on = deposited_on
        if deposited_on < due.collected_on:
            raise DomainError(f"存入专户日期：“{due.label}”的入账日期早于代收日期", field="day")
        due.deposited_on, due.deposit_ref = deposited_on, reference
        due.save(update_fields=["collected_on", "deposited_on", "deposit_ref"])
        audit_record(
            actor=user,
            action="revenue.fund_deposit",
            obj=due,
            after={"deposited_on": deposited_on, "deposit_ref": reference},
        )
        changed += 1
    return changed
