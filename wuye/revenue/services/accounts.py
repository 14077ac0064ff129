"""Accounts, owners' resolutions, usage contracts and businesses on common parts."""

import datetime as dt
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction

from wuye.accounts.permissions import person_acting
from wuye.audit.services import audit_record, snapshot
from wuye.common.dates import now, today
from wuye.common.errors import DomainError, InvalidTransition, NotAllowed
from wuye.kernel.actors import Actor, requires_actor
from wuye.registry.models import Estate

from ..models import (
    ACCOUNT_TRANSITIONS,
    AccountStatus,
    Art278Item,
    CommonPartBusiness,
    HolderKind,
    IncomeSource,
    Resolution,
    RevenueAccount,
    UsageContract,
)
from .base import ACCOUNT_FIELDS, _check_date, _is_bureau, _is_committee_of, _is_company_of, _text, _yuan

# --- accounts ----------------------------------------------------------------------------------------------


@requires_actor
@transaction.atomic
def account_open(
    *, actor: Actor, estate: Estate, bank: str, number: str, holder: str, holder_kind: str, opened_on: dt.date
) -> RevenueAccount:
    """Register the estate's supervised account; it stays 待纳入监管 until the bureau confirms it."""
    user = person_acting(actor, what="办理公共收益和维修资金业务")
    if not (_is_company_of(user, estate) or _is_committee_of(user, estate) or _is_bureau(user, estate)):
        raise NotAllowed("您无权为该小区登记公共收益账户")
    Estate.objects.select_for_update().get(pk=estate.pk)
    if RevenueAccount.objects.filter(estate=estate).exists():
        raise DomainError("账号：该小区已登记公共收益专门账户，一个小区只能有一个", field="number")
    bank = _text(bank, field="bank", label="开户银行", max_len=100)
    holder = _text(holder, field="holder", label="户名", max_len=120)
    number = "".join((number or "").split()).replace("-", "")
    if not number:
        raise DomainError("账号：不能为空", field="number")
    if not number.isdigit() or not 8 <= len(number) <= 30:
        raise DomainError("账号：应为 8 至 30 位数字", field="number")
    if holder_kind not in HolderKind.values:
        raise DomainError("请选择账户持有方", field="holder_kind")
    _check_date(opened_on, field="opened_on", label="开户日期", not_after=today())
    try:
        with transaction.atomic():
            account = RevenueAccount.objects.create(
                estate=estate,
                bank=bank,
                number=number,
                holder=holder,
                holder_kind=holder_kind,
                opened_on=opened_on,
                status=AccountStatus.SUPERVISED if _is_bureau(user) else AccountStatus.PENDING,
                created_by=user,
                created_at=now(),
            )
    except IntegrityError:
        raise DomainError("该银行账号已登记在其他小区名下", field="number") from None
    audit_record(
        actor=user, action="revenue.account_open", obj=account, after=snapshot(account, ACCOUNT_FIELDS)
    )
    return account


@requires_actor
@transaction.atomic
def account_set_status(
    *, actor: Actor, account: RevenueAccount, status: str, reason: str = ""
) -> RevenueAccount:
    """Bureau confirms supervision (待纳入监管 → 已纳入监管), or suspends or closes it, with a reason."""
    user = person_acting(actor, what="办理公共收益和维修资金业务")
    if not _is_bureau(user, account.estate):
        raise NotAllowed("只有专班可以变更账户监管状态")
    account = RevenueAccount.objects.select_for_update().get(pk=account.pk)
    if status == account.status:
        return account
    if status not in ACCOUNT_TRANSITIONS.get(account.status, frozenset()):
        raise InvalidTransition(
            f"监管状态：账户不能从“{account.get_status_display()}”变为“{AccountStatus(status).label if status in AccountStatus.values else status}”",
            field="status",
        )
    if status != AccountStatus.SUPERVISED:
        reason = _text(reason, field="reason", label="原因", max_len=300)
    before = snapshot(account, ACCOUNT_FIELDS)
    account.status = status
    account.save(update_fields=["status"])
    audit_record(
        actor=user,
        action="revenue.account_status",
        obj=account,
        before=before,
        after=snapshot(account, ACCOUNT_FIELDS),
        reason=reason,
    )
    return account


# --- resolutions, contracts, business on common parts -------------------------------------------------------


@requires_actor
@transaction.atomic
def resolution_record(
    *,
    actor: Actor,
    estate: Estate,
    title: str,
    decided_on: dt.date,
    item: int,
    document_no: str = "",
    assembly_ref: str = "",
) -> Resolution:
    """The committee (or the bureau) records an owners' decision; the company cannot authorise itself."""
    user = person_acting(actor, what="办理公共收益和维修资金业务")
    if not (_is_committee_of(user, estate) or _is_bureau(user, estate)):
        raise NotAllowed("只有该小区业委会/物管会或专班可以登记业主大会决议")
    title = _text(title, field="title", label="决议名称", max_len=200)
    _check_date(decided_on, field="decided_on", label="表决通过日期", not_after=today())
    try:
        item = int(item)
    except (TypeError, ValueError):
        raise DomainError("《民法典》第278条事项：请选择第278条事项", field="item") from None
    if item not in Art278Item.values:
        raise DomainError("《民法典》第278条事项：请选择第278条事项", field="item")
    fields = {
        "estate": estate,
        "title": title,
        "decided_on": decided_on,
        "item": item,
        "document_no": _text(document_no, field="document_no", label="文号", max_len=60, required=False),
        "assembly_ref": _text(
            assembly_ref, field="assembly_ref", label="电子表决编号/链接", max_len=200, required=False
        ),
    }
    existing = _same_record(Resolution, estate, fields)
    if existing is not None:
        return existing
    res = Resolution.objects.create(**fields, created_by=user, created_at=now())
    audit_record(
        actor=user,
        action="revenue.resolution_record",
        obj=res,
        after=snapshot(res, ("estate", "title", "decided_on", "item", "document_no", "assembly_ref")),
    )
    return res


_M = TypeVar("_M", bound=models.Model)


def _same_record(model: type[_M], estate: Estate, fields: dict[str, Any]) -> _M | None:
    """A resubmitted form (double click, browser retry) returns the record it already made instead of a copy.
    The estate row is locked so two simultaneous submits are serialised."""
    Estate.objects.select_for_update().get(pk=estate.pk)
    return model._default_manager.filter(**fields).order_by("pk").first()


def _check_resolution(resolution: Resolution | None, estate: Estate, *, on: dt.date | None = None) -> None:
    if resolution is None:
        return
    if resolution.estate_id != estate.pk:
        raise DomainError("业主大会决议：所引用的决议不属于本小区", field="resolution")
    if on is not None and resolution.decided_on > on:
        raise DomainError("业主大会决议：决议通过日期晚于本笔业务发生日期", field="resolution")


@requires_actor
@transaction.atomic
def usage_contract_record(
    *,
    actor: Actor,
    estate: Estate,
    source: str,
    counterparty: str,
    monthly_amount: Any,
    start: dt.date,
    end: dt.date,
    location: str = "",
    document_no: str = "",
    resolution: Resolution | None = None,
) -> UsageContract:
    user = person_acting(actor, what="办理公共收益和维修资金业务")
    if not (_is_company_of(user, estate) or _is_committee_of(user, estate) or _is_bureau(user, estate)):
        raise NotAllowed("您无权为该小区登记经营合同")
    if source not in IncomeSource.values:
        raise DomainError("请选择收益来源", field="source")
    counterparty = _text(counterparty, field="counterparty", label="合同相对方", max_len=120)
    amount = _yuan(monthly_amount, field="monthly_amount", label="月收益（元）")
    _check_date(start, field="start", label="开始日期")
    _check_date(end, field="end", label="结束日期")
    if end < start:
        raise DomainError("结束日期不能早于开始日期", field="end")
    _check_resolution(resolution, estate)
    fields = {
        "estate": estate,
        "source": source,
        "counterparty": counterparty,
        "monthly_amount": amount,
        "start": start,
        "end": end,
        "location": _text(location, field="location", label="使用部位", max_len=200, required=False),
        "document_no": _text(document_no, field="document_no", label="合同编号", max_len=60, required=False),
        "resolution": resolution,
    }
    existing = _same_record(UsageContract, estate, fields)
    if existing is not None:
        return existing
    contract = UsageContract.objects.create(**fields, created_by=user, created_at=now())
    audit_record(
        actor=user,
        action="revenue.contract_record",
        obj=contract,
        after=snapshot(
            contract, ("estate", "source", "counterparty", "monthly_amount", "start", "end", "resolution")
        ),
    )
    return contract


@requires_actor
@transaction.atomic
def business_record(
    *,
    actor: Actor,
    estate: Estate,
    source: str,
    location: str,
    description: str,
    found_on: dt.date,
    usage_contract: UsageContract | None = None,
    resolution: Resolution | None = None,
) -> CommonPartBusiness:
    """Business found on common parts at an inspection; the check asks for its contract and owners' vote."""
    user = person_acting(actor, what="办理公共收益和维修资金业务")
    if not (_is_bureau(user, estate) or _is_committee_of(user, estate)):
        raise NotAllowed("只有专班或该小区业委会可以登记共有部位经营情况")
    if source not in IncomeSource.values:
        raise DomainError("请选择经营类型", field="source")
    _check_date(found_on, field="found_on", label="发现日期", not_after=today())
    if usage_contract is not None and usage_contract.estate_id != estate.pk:
        raise DomainError("经营合同：所引用的合同不属于本小区", field="usage_contract")
    _check_resolution(resolution, estate)
    fields = {
        "estate": estate,
        "source": source,
        "location": _text(location, field="location", label="位置", max_len=200),
        "description": _text(description, field="description", label="情况描述", max_len=500),
        "found_on": found_on,
        "usage_contract": usage_contract,
        "resolution": resolution,
    }
    existing = _same_record(CommonPartBusiness, estate, fields)
    if existing is not None:
        return existing
    biz = CommonPartBusiness.objects.create(**fields, created_by=user, created_at=now())
    audit_record(
        actor=user,
        action="revenue.business_record",
        obj=biz,
        after=snapshot(
            biz, ("estate", "source", "location", "description", "found_on", "usage_contract", "resolution")
        ),
    )
    return biz


@requires_actor
@transaction.atomic
def business_link(
    *,
    actor: Actor,
    business: CommonPartBusiness,
    usage_contract: UsageContract | None = None,
    resolution: Resolution | None = None,
) -> CommonPartBusiness:
    """Attach the contract and/or resolution that make a found business lawful."""
    user = person_acting(actor, what="办理公共收益和维修资金业务")
    biz = CommonPartBusiness.objects.select_for_update().select_related("estate").get(pk=business.pk)
    if not (_is_bureau(user, biz.estate) or _is_committee_of(user, biz.estate)):
        raise NotAllowed("您无权修改该经营情况")
    if usage_contract is not None and usage_contract.estate_id != biz.estate_id:
        raise DomainError("经营合同：所引用的合同不属于本小区", field="usage_contract")
    _check_resolution(resolution, biz.estate)
    before = snapshot(biz, ("usage_contract", "resolution"))
    biz.usage_contract = usage_contract or biz.usage_contract
    biz.resolution = resolution or biz.resolution
    biz.save(update_fields=["usage_contract", "resolution"])
    audit_record(
        actor=user,
        action="revenue.business_link",
        obj=biz,
        before=before,
        after=snapshot(biz, ("usage_contract", "resolution")),
    )
    return biz
