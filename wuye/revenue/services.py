"""Writes of the revenue app. One transaction per operation, the rows locked, an audit entry in the same transaction.

Entries are append-only: there is no update or delete service. A correction (by the company) or an annulment (by
the task force) is a reversing entry that points at the entry it reverses; the balance is always a SUM.
"""

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max

from wuye.accounts.models import BUREAU_ROLES, Role, User
from wuye.accounts.permissions import person_acting
from wuye.audit.services import audit_record, snapshot
from wuye.common.dates import now, today
from wuye.common.errors import DomainError, InvalidTransition, NotAllowed
from wuye.common.money import parse_yuan, to_yuan
from wuye.common.uploads import check_upload
from wuye.kernel.actors import Actor
from wuye.kernel.conf import county_setting
from wuye.registry.models import Estate

from . import selectors
from .models import (
    ACCOUNT_TRANSITIONS,
    ALLOCATION_USES,
    EXPENSE_USES,
    RESOLUTION_REQUIRED,
    AccountStatus,
    Art278Item,
    Collector,
    CommonPartBusiness,
    Direction,
    Disclosure,
    DueBasis,
    Entry,
    EntryKind,
    EntryVoucher,
    FundDue,
    HolderKind,
    IncomeSource,
    Objection,
    ObjectionStatus,
    Resolution,
    RevenueAccount,
    ReviewComment,
    UsageContract,
)
from .periods import period_from_key

ACCOUNT_FIELDS = ("estate", "bank", "number", "holder", "holder_kind", "opened_on", "status")
ENTRY_FIELDS = (
    "account",
    "number",
    "occurred_on",
    "kind",
    "direction",
    "amount",
    "source",
    "use",
    "description",
    "counterparty",
    "usage_contract",
    "resolution",
    "needs_resolution",
    "reverses",
    "reason",
    "is_annulment",
)
MAX_VOUCHERS = 10
# Who may annul an entry (撤销): the task force; the office head leads the task force.
ANNUL_ROLES = frozenset({Role.TASK_FORCE, Role.BUREAU_ADMIN})


def _text(value: str | None, *, field: str, label: str, max_len: int, required: bool = True) -> str:
    """Trimmed text of form field `field` (called `label` in the messages)."""
    value = (value or "").strip()
    if required and not value:
        raise DomainError(f"{label}：不能为空", field=field)
    if len(value) > max_len:
        raise DomainError(f"{label}：不能超过 {max_len} 个字", field=field)
    return value


def _yuan(value: Any, *, field: str, label: str) -> Decimal:
    """An amount of form field `field`; the message names it by `label`."""
    try:
        return parse_yuan(value, field=field)
    except DomainError as exc:
        message = exc.message if exc.message.startswith(label) else f"{label}：{exc.message}"
        raise DomainError(message, field=field) from None


def _is_company_of(actor: User, estate: Estate) -> bool:
    return selectors.user_company_runs(actor, estate)


def _is_committee_of(actor: User, estate: Estate) -> bool:
    return actor.role == Role.COMMITTEE_MEMBER and actor.estate_id == estate.pk


def _is_bureau(actor: User) -> bool:
    return actor.role in BUREAU_ROLES


def _require_company(actor: User, estate: Estate) -> None:
    if not _is_company_of(actor, estate):
        raise NotAllowed("只有该小区现行合同的物业服务企业可以录入和公示公共收益")


def _check_date(
    value: dt.date | None, *, field: str, label: str, not_after: dt.date | None = None
) -> dt.date:
    if value is None:
        raise DomainError(f"{label}：不能为空", field=field)
    if not isinstance(value, dt.date):
        raise DomainError(f"{label}：日期格式不正确", field=field)
    if not_after is not None and value > not_after:
        raise DomainError(f"{label}：不能晚于今天", field=field)
    return value


# --- accounts ----------------------------------------------------------------------------------------------


@transaction.atomic
def account_open(
    *, actor: Actor, estate: Estate, bank: str, number: str, holder: str, holder_kind: str, opened_on: dt.date
) -> RevenueAccount:
    """Register the estate's supervised account; it stays 待纳入监管 until the bureau confirms it."""
    user = person_acting(actor, what="办理公共收益和维修资金业务")
    if not (_is_company_of(user, estate) or _is_committee_of(user, estate) or _is_bureau(user)):
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


@transaction.atomic
def account_set_status(
    *, actor: Actor, account: RevenueAccount, status: str, reason: str = ""
) -> RevenueAccount:
    """Bureau confirms supervision (待纳入监管 → 已纳入监管), or suspends or closes it, with a reason."""
    user = person_acting(actor, what="办理公共收益和维修资金业务")
    if not _is_bureau(user):
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
    if not (_is_committee_of(user, estate) or _is_bureau(user)):
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


def _same_record(model: Any, estate: Estate, fields: dict[str, Any]) -> Any:
    """A resubmitted form (double click, browser retry) returns the record it already made instead of a copy.
    The estate row is locked so two simultaneous submits are serialised."""
    Estate.objects.select_for_update().get(pk=estate.pk)
    return model.objects.filter(**fields).order_by("pk").first()


def _check_resolution(resolution: Resolution | None, estate: Estate, *, on: dt.date | None = None) -> None:
    if resolution is None:
        return
    if resolution.estate_id != estate.pk:
        raise DomainError("业主大会决议：所引用的决议不属于本小区", field="resolution")
    if on is not None and resolution.decided_on > on:
        raise DomainError("业主大会决议：决议通过日期晚于本笔业务发生日期", field="resolution")


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
    if not (_is_company_of(user, estate) or _is_committee_of(user, estate) or _is_bureau(user)):
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
    if not (_is_bureau(user) or _is_committee_of(user, estate)):
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
    if not (_is_bureau(user) or _is_committee_of(user, biz.estate)):
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


# --- disclosures, objections, comments ----------------------------------------------------------------------


@transaction.atomic
def disclosure_publish(*, actor: Actor, estate: Estate, period_key: str, note: str = "") -> Disclosure:
    """Publish the statement of an ended period. Publishing twice returns the first publication."""
    user = person_acting(actor, what="办理公共收益和维修资金业务")
    _require_company(user, estate)
    period = period_from_key(period_key)
    account = _lock_account(estate)
    existing = Disclosure.objects.filter(account=account, period_key=period.key).first()
    if existing is not None:
        return existing
    if period.end >= today():
        raise DomainError(f"公示期间：{period.label}尚未结束，期满后才能公示", field="period_key")
    if period.end < account.opened_on:
        raise DomainError("公示期间：该期间早于账户开户日期", field="period_key")
    st = selectors.statement(account, period, with_vouchers=False)
    disclosure = Disclosure.objects.create(
        account=account,
        period_key=period.key,
        period_start=period.start,
        period_end=period.end,
        opening_balance=st.opening,
        income_total=st.income_total,
        outgo_total=st.outgo_total,
        closing_balance=st.closing,
        line_count=len(st.lines),
        digest=st.digest,
        note=_text(note, field="note", label="公示说明", max_len=500, required=False),
        published_at=now(),
        published_by=user,
        objection_until=today() + dt.timedelta(days=county_setting("DISCLOSURE_OBJECTION_DAYS")),
    )
    audit_record(
        actor=user,
        action="revenue.disclosure_publish",
        obj=disclosure,
        after=snapshot(
            disclosure,
            (
                "account",
                "period_key",
                "opening_balance",
                "income_total",
                "outgo_total",
                "closing_balance",
                "line_count",
                "digest",
                "objection_until",
            ),
        ),
    )
    return disclosure


@transaction.atomic
def objection_raise(*, actor: Actor, disclosure: Disclosure, entry: Entry, text: str) -> Objection:
    """An owner of the estate questions one line within the objection period."""
    user = person_acting(actor, what="办理公共收益和维修资金业务")
    estate = disclosure.account.estate
    if not selectors.owner_units_in(user, estate):
        raise NotAllowed("只有本小区业主可以对公示提出异议")
    if today() > disclosure.objection_until:
        raise DomainError(f"异议期已于 {disclosure.objection_until:%Y-%m-%d} 结束", field="objection")
    if entry.account_id != disclosure.account_id or not (
        disclosure.period_start <= entry.occurred_on <= disclosure.period_end
    ):
        raise DomainError("该明细不在本期公示中", field="entry")
    text = _text(text, field="text", label="异议内容", max_len=2000)
    Disclosure.objects.select_for_update().get(
        pk=disclosure.pk
    )  # a double submit waits, then finds the first
    existing = Objection.objects.filter(disclosure=disclosure, entry=entry, raised_by=user, text=text).first()
    if existing is not None:
        return existing
    objection = Objection.objects.create(
        disclosure=disclosure,
        entry=entry,
        raised_by=user,
        text=text,
        raised_at=now(),
        answer_due=today() + dt.timedelta(days=county_setting("OBJECTION_ANSWER_DAYS")),
    )
    audit_record(
        actor=user,
        action="revenue.objection_raise",
        obj=objection,
        after=snapshot(objection, ("disclosure", "entry", "text", "answer_due")),
    )
    return objection


@transaction.atomic
def objection_answer(*, actor: Actor, objection: Objection, answer: str) -> Objection:
    user = person_acting(actor, what="办理公共收益和维修资金业务")
    objection = (
        Objection.objects.select_for_update().select_related("disclosure__account").get(pk=objection.pk)
    )
    estate = Estate.objects.get(pk=objection.disclosure.account.estate_id)
    _require_company(user, estate)
    answer = _text(answer, field="answer", label="答复", max_len=2000)
    if objection.status == ObjectionStatus.ANSWERED:
        if objection.answer == answer:
            return objection
        raise InvalidTransition("该异议已答复，答复不能修改", field="answer")
    before = snapshot(objection, ("status", "answer"))
    objection.status, objection.answer = ObjectionStatus.ANSWERED, answer
    objection.answered_by, objection.answered_at = user, now()
    objection.save(update_fields=["status", "answer", "answered_by", "answered_at"])
    audit_record(
        actor=user,
        action="revenue.objection_answer",
        obj=objection,
        before=before,
        after={**snapshot(objection, ("status", "answer")), "late": today() > objection.answer_due},
    )
    return objection


@transaction.atomic
def comment_add(*, actor: Actor, disclosure: Disclosure, text: str) -> ReviewComment:
    user = person_acting(actor, what="办理公共收益和维修资金业务")
    estate = disclosure.account.estate
    if not (_is_committee_of(user, estate) or _is_bureau(user)):
        raise NotAllowed("只有该小区业委会/物管会或专班可以填写审阅意见")
    comment = ReviewComment.objects.create(
        disclosure=disclosure,
        author=user,
        text=_text(text, field="text", label="审阅意见", max_len=2000),
        created_at=now(),
    )
    audit_record(
        actor=user,
        action="revenue.disclosure_comment",
        obj=comment,
        after=snapshot(comment, ("disclosure", "text")),
    )
    return comment


# --- special maintenance fund ------------------------------------------------------------------------------


def _collector_ok(collector: str, collector_name: str) -> str:
    if collector not in Collector.values:
        raise DomainError("请选择代收方", field="collector")
    return _text(collector_name, field="collector_name", label="代收单位", max_len=120)


@transaction.atomic
def fund_dues_generate(
    *, actor: Actor, estate: Estate, due_date: dt.date, collector: str, collector_name: str
) -> int:
    """One first-deposit due per unit that has none: registered area × the county rate (read now)."""
    user = person_acting(actor, what="办理公共收益和维修资金业务")
    if not _is_bureau(user):
        raise NotAllowed("只有专班可以核定维修资金应缴额")
    collector_name = _collector_ok(collector, collector_name)
    _check_date(due_date, field="due_date", label="上缴期限")
    rate = to_yuan(county_setting("FUND_RATE_YUAN_PER_M2"))
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
    if not _is_bureau(user):
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


@transaction.atomic
def fund_collection_record(
    *, actor: Actor, estate: Estate, due_ids: Iterable[int], collected_on: dt.date
) -> int:
    """The collector (developer or company) has taken the owners' money: from now it must reach the special account."""
    user = person_acting(actor, what="办理公共收益和维修资金业务")
    if not (_is_bureau(user) or _is_company_of(user, estate)):
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


@transaction.atomic
def fund_deposit_record(
    *, actor: Actor, estate: Estate, due_ids: Iterable[int], deposited_on: dt.date, reference: str
) -> int:
    """The bureau confirms the money reached the county special account (专户入账)."""
    user = person_acting(actor, what="办理公共收益和维修资金业务")
    if not _is_bureau(user):
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
