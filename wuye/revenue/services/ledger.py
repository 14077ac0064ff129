"""Entries: append-only, corrected or annulled by a reversing entry; vouchers."""

import datetime as dt
import os
from collections.abc import Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max

from wuye.accounts.permissions import person_acting
from wuye.audit.services import audit_record, snapshot
from wuye.common.dates import now, today
from wuye.common.errors import DomainError, InvalidTransition, NotAllowed
from wuye.common.uploads import check_upload
from wuye.kernel.actors import Actor, requires_actor
from wuye.registry.models import Estate

from .. import selectors
from ..models import (
    ALLOCATION_USES,
    EXPENSE_USES,
    RESOLUTION_REQUIRED,
    AccountStatus,
    Direction,
    Disclosure,
    Entry,
    EntryKind,
    EntryVoucher,
    IncomeSource,
    Resolution,
    RevenueAccount,
    UsageContract,
)
from ..periods import period_from_key
from .accounts import _check_resolution
from .base import ANNUL_ROLES, ENTRY_FIELDS, MAX_VOUCHERS, _check_date, _require_company, _text, _yuan

# --- entries -----------------------------------------------------------------------------------------------


def _lock_account(estate: Estate) -> RevenueAccount:
    account = RevenueAccount.objects.select_for_update().filter(estate=estate).first()
    if account is None:
        raise DomainError("该小区尚未登记公共收益专门账户，请先登记账户", field="account")
    if account.status == AccountStatus.CLOSED:
        raise DomainError("该账户已销户，不能再记账", field="account")
    return account


def _next_number(account: RevenueAccount) -> int:
    return (Entry.objects.filter(account=account).aggregate(n=Max("number"))["n"] or 0) + 1


def _published_period_covering(account: RevenueAccount, day: dt.date) -> Disclosure | None:
    return Disclosure.objects.filter(account=account, period_start__lte=day, period_end__gte=day).first()


def _save_vouchers(entry: Entry, files: Sequence[Any]) -> list[EntryVoucher]:
    saved = []
    for upload in files:
        checked = check_upload(upload, field="vouchers")
        voucher = EntryVoucher(
            entry=entry,
            original_name=os.path.basename(checked.name)[:200],
            content_type=checked.content_type,
            size=len(checked.data),
            created_at=now(),
        )
        ext = (
            ".pdf"
            if checked.kind == "pdf"
            else "." + checked.content_type.split("/")[-1].replace("jpeg", "jpg")
        )
        voucher.file.save(f"e{entry.pk}{ext}", ContentFile(checked.data), save=False)
        voucher.save()
        saved.append(voucher)
    return saved


@requires_actor
@transaction.atomic
def entry_create(
    *,
    actor: Actor,
    estate: Estate,
    kind: str,
    occurred_on: dt.date,
    amount: Any,
    description: str,
    source: str = "",
    use: str = "",
    counterparty: str = "",
    usage_contract: UsageContract | None = None,
    resolution: Resolution | None = None,
    vouchers: Sequence[Any] = (),
) -> Entry:
    """Append one income, expense or allocation line. Outgoing lines may not take the balance below zero."""
    user = person_acting(actor, what="办理公共收益和维修资金业务")
    _require_company(user, estate)
    account = _lock_account(estate)
    if kind not in (EntryKind.INCOME, EntryKind.EXPENSE, EntryKind.ALLOCATION):
        raise DomainError("类型：请选择收入、支出或分配", field="kind")
    _check_date(occurred_on, field="occurred_on", label="发生日期", not_after=today())
    if occurred_on < account.opened_on:
        raise DomainError("发生日期：不能早于账户开户日期", field="occurred_on")
    # Nothing may be dated on or before the end of the latest published period: it would change a published
    # statement (its lines, or the opening balance of every later one).
    published = (
        Disclosure.objects.filter(account=account, period_end__gte=occurred_on)
        .order_by("-period_end")
        .first()
    )
    if published is not None:
        raise DomainError(
            f"发生日期：已公示至{period_from_key(published.period_key).label}，不能补记到已公示期间及以前；"
            "请按本期日期录入并在摘要中说明",
            field="occurred_on",
        )
    value = _yuan(amount, field="amount", label="金额")
    description = _text(description, field="description", label="摘要", max_len=200)
    counterparty = _text(counterparty, field="counterparty", label="对方单位", max_len=120, required=False)
    if len(vouchers) > MAX_VOUCHERS:
        raise DomainError(f"最多上传 {MAX_VOUCHERS} 个凭证", field="vouchers")
    _check_resolution(resolution, estate, on=occurred_on)
    if kind == EntryKind.INCOME:
        if source not in IncomeSource.values:
            raise DomainError("请选择收益来源", field="source")
        use, direction = "", Direction.IN
        if usage_contract is not None:
            if usage_contract.estate_id != estate.pk:
                raise DomainError("经营合同：所引用的合同不属于本小区", field="usage_contract")
            if usage_contract.source != source:
                raise DomainError("收益来源与经营合同不一致", field="source")
    else:
        allowed = EXPENSE_USES if kind == EntryKind.EXPENSE else ALLOCATION_USES
        if use not in allowed:
            raise DomainError(
                "请选择支出/分配用途" if not use else "该支出/分配用途不适用于此类型", field="use"
            )
        if usage_contract is not None:
            raise DomainError("只有收入可以关联经营合同", field="usage_contract")
        source, direction = "", Direction.OUT
        balance = selectors.account_balance(account)
        if value > balance:
            raise DomainError(f"金额：账户余额 {balance} 元不足以支出 {value} 元", field="amount")
    entry = Entry.objects.create(
        account=account,
        number=_next_number(account),
        occurred_on=occurred_on,
        kind=kind,
        direction=direction,
        amount=value,
        source=source,
        use=use,
        description=description,
        counterparty=counterparty,
        usage_contract=usage_contract,
        resolution=resolution,
        needs_resolution=use in RESOLUTION_REQUIRED,
        created_by=user,
        created_at=now(),
    )
    saved = _save_vouchers(entry, vouchers)
    audit_record(
        actor=user,
        action="revenue.entry_create",
        obj=entry,
        after={**snapshot(entry, ENTRY_FIELDS), "vouchers": [v.original_name for v in saved]},
    )
    return entry


@requires_actor
@transaction.atomic
def entry_add_vouchers(*, actor: Actor, entry: Entry, vouchers: Sequence[Any]) -> list[EntryVoucher]:
    """A voucher that arrives later is added, never replaced."""
    user = person_acting(actor, what="办理公共收益和维修资金业务")
    entry = Entry.objects.select_related("account__estate").get(pk=entry.pk)
    _require_company(user, entry.account.estate)
    if not vouchers:
        raise DomainError("凭证：请选择文件", field="vouchers")
    if entry.vouchers.count() + len(vouchers) > MAX_VOUCHERS:
        raise DomainError(f"每笔最多 {MAX_VOUCHERS} 个凭证", field="vouchers")
    saved = _save_vouchers(entry, vouchers)
    audit_record(
        actor=user,
        action="revenue.entry_vouchers",
        obj=entry,
        after={"vouchers": [v.original_name for v in saved]},
    )
    return saved


@requires_actor
@transaction.atomic
def entry_reverse(*, actor: Actor, entry: Entry, reason: str, annul: bool = False) -> Entry:
    """A correction (the company) or an annulment (the task force): a new entry of the opposite direction."""
    user = person_acting(actor, what="办理公共收益和维修资金业务")
    estate = Estate.objects.get(pk=entry.account.estate_id)
    if annul:
        if user.role not in ANNUL_ROLES:
            raise NotAllowed("只有专班可以撤销分录")
    else:
        _require_company(user, estate)
    reason = _text(reason, field="reason", label="冲正原因", max_len=300)
    account = RevenueAccount.objects.select_for_update().get(pk=entry.account_id)
    original = Entry.objects.select_for_update().get(pk=entry.pk)
    if original.kind == EntryKind.REVERSAL:
        raise InvalidTransition("冲正分录不能再冲正；如有错误请重新录入", field="entry")
    if Entry.objects.filter(reverses=original).exists():
        raise InvalidTransition(f"第 {original.number} 号分录已冲正，不能重复冲正", field="entry")
    day = today()
    if _published_period_covering(account, day) is not None:
        raise DomainError("发生日期：本期已公示，无法记账", field="occurred_on")
    try:
        with transaction.atomic():
            reversal = Entry.objects.create(
                account=account,
                number=_next_number(account),
                occurred_on=day,
                kind=EntryKind.REVERSAL,
                direction=Direction.OUT if original.direction == Direction.IN else Direction.IN,
                amount=original.amount,
                source=original.source,
                use=original.use,
                description=f"冲正第 {original.number} 号：{original.description}"[:200],
                counterparty=original.counterparty,
                usage_contract=original.usage_contract,
                resolution=original.resolution,
                needs_resolution=False,
                reverses=original,
                reason=reason,
                is_annulment=annul,
                created_by=user,
                created_at=now(),
            )
    except IntegrityError:
        raise InvalidTransition(f"第 {original.number} 号分录已冲正，不能重复冲正", field="entry") from None
    audit_record(
        actor=user,
        action="revenue.entry_annul" if annul else "revenue.entry_reverse",
        obj=reversal,
        before=snapshot(original, ENTRY_FIELDS),
        after=snapshot(reversal, ENTRY_FIELDS),
        reason=reason,
    )
    return reversal
