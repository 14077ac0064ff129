"""Demo public revenue: a year of realistic entries per estate under a current contract, published statements,
maintenance-fund dues and deposits, and a few estates with each violation so that `revenue_checks` finds them.

Deterministic for a seed (relative to today's disclosure period); idempotent: skipped when accounts exist.
"""

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction

from wuye.accounts.models import Role, User
from wuye.audit.services import audit_record
from wuye.common.dates import now, today
from wuye.common.money import to_yuan
from wuye.kernel.actors import SystemActor
from wuye.kernel.conf import county_setting
from wuye.registry.models import Unit
from wuye.registry.selectors import contracts_in_force

from .checks import run_checks
from .models import (
    AccountStatus,
    Art278Item,
    Collector,
    CommonPartBusiness,
    Direction,
    Disclosure,
    DueBasis,
    Entry,
    EntryKind,
    EntryUse,
    FundDue,
    HolderKind,
    Resolution,
    RevenueAccount,
    ReviewComment,
    UsageContract,
)
from .periods import Period, period_of
from .selectors import statement

BANKS = [
    "中国农业银行钟山支行",
    "中国工商银行钟山支行",
    "中国建设银行钟山支行",
    "桂林银行钟山支行",
    "广西农村信用社钟山联社",
]
AD_COMPANIES = ["钟山县分众传媒广告有限公司", "贺州市新潮传媒有限公司", "钟山县梯媒广告有限公司"]
LOCKERS = ["丰巢网络技术有限公司", "钟山县速递驿站服务部"]
TOWERS = ["中国铁塔股份有限公司贺州市分公司", "中国移动通信集团广西有限公司贺州分公司"]
VIOLATIONS = [
    "no_account",
    "no_account",
    "no_disclosure",
    "no_disclosure",
    "contract_income",
    "no_resolution",
    "cost_share",
    "business",
    "contract_no_resolution",
    "negative",
    "fund_held",
    "fund_held",
]


class _Ledger:
    """Builds one account's entries in memory with numbers, refusing to overdraw (as the service does)."""

    def __init__(self, account: RevenueAccount, creator: User | None) -> None:
        self.account, self.creator = account, creator
        self.rows: list[Entry] = []
        self.balance = Decimal("0.00")

    def add(
        self,
        day: dt.date,
        kind: str,
        amount: Decimal,
        description: str,
        *,
        source: str = "",
        use: str = "",
        counterparty: str = "",
        contract: UsageContract | None = None,
        resolution: Resolution | None = None,
    ) -> Entry | None:
        amount = to_yuan(amount)
        direction = Direction.IN if kind == EntryKind.INCOME else Direction.OUT
        if amount <= 0 or (direction == Direction.OUT and amount > self.balance):
            return None
        self.balance += amount if direction == Direction.IN else -amount
        e = Entry(
            account=self.account,
            occurred_on=day,
            kind=kind,
            direction=direction,
            amount=amount,
            source=source,
            use=use,
            description=description,
            counterparty=counterparty,
            usage_contract=contract,
            resolution=resolution,
            needs_resolution=use
            in {EntryUse.REPAIR, EntryUse.WELFARE, EntryUse.OTHER_EXPENSE, EntryUse.OWNERS},
            created_by=self.creator,
            created_at=now(),
        )
        self.rows.append(e)
        return e

    def finish(self) -> list[Entry]:
        self.rows.sort(key=lambda e: e.occurred_on)
        for n, e in enumerate(self.rows, start=1):
            e.number = n
        return self.rows


def _periods(on: dt.date) -> tuple[list[Period], Period]:
    current = period_of(on)
    out: list[Period] = []
    p = current
    for _ in range(4):
        p = period_of(p.start - dt.timedelta(days=1))
        out.insert(0, p)
    return out, current


def _months(start: dt.date, on: dt.date) -> list[dt.date]:
    months, d = [], start.replace(day=1)
    while d <= on:
        months.append(d)
        d = (d + dt.timedelta(days=32)).replace(day=1)
    return months


@transaction.atomic
def build(*, seed: int, scale: float, out: Any) -> None:
    if RevenueAccount.objects.exists() or FundDue.objects.exists():
        out.write("  公共收益：已存在，跳过")
        return
    rng = random.Random(seed * 7919 + 5)
    on = today()
    periods, current = _periods(on)
    start = periods[0].start
    grace = dt.timedelta(days=county_setting("DISCLOSURE_GRACE_DAYS"))
    # The latest period whose disclosure is already overdue if missing: planted omissions go there.
    p_due = [p for p in periods if p.end + grace < on][-1]
    contracts = list(contracts_in_force().select_related("estate", "company").order_by("estate__code"))
    if not contracts:
        out.write("  公共收益：没有现行合同的小区，跳过")
        return
    # Violations go to estates after the first few, so the demo logins' estates stay clean and readable.
    plan: dict[int, str] = {}
    for i, v in enumerate(VIOLATIONS):
        idx = 3 + i * max(1, (len(contracts) - 3) // len(VIOLATIONS))
        if idx < len(contracts):
            plan[contracts[idx].estate_id] = v
    staff_of = {u.company_id: u for u in User.objects.filter(role=Role.COMPANY_STAFF).order_by("id")}
    committee_of = {u.estate_id: u for u in User.objects.filter(role=Role.COMMITTEE_MEMBER).order_by("id")}
    stamp = now()

    accounts: list[RevenueAccount] = []
    for n, c in enumerate(contracts):
        if plan.get(c.estate_id) == "no_account":
            continue
        accounts.append(
            RevenueAccount(
                estate=c.estate,
                bank=rng.choice(BANKS),
                number=f"6228{seed % 10}{n:04d}{rng.randint(10**9, 10**10 - 1)}",
                holder=f"{c.estate.name}业主委员会"
                if n % 3
                else f"{county_setting('BUREAU_NAME')}（{c.estate.name}公共收益监管）",
                holder_kind=HolderKind.COMMITTEE if n % 3 else HolderKind.BUREAU,
                opened_on=start,
                status=AccountStatus.PENDING if n % 11 == 5 else AccountStatus.SUPERVISED,
                created_at=stamp,
            )
        )
    RevenueAccount.objects.bulk_create(accounts)
    accounts = list(RevenueAccount.objects.select_related("estate").order_by("estate__code"))
    company_of = {c.estate_id: c.company for c in contracts}

    all_entries: list[Entry] = []
    reversals: list[tuple[Entry, str]] = []
    extra: list[Any] = []
    for account in accounts:
        estate = account.estate
        v = plan.get(estate.pk, "")
        creator = staff_of.get(company_of[estate.pk].pk)
        res_ad = Resolution.objects.create(
            estate=estate,
            title="同意利用电梯轿厢发布广告并将收益纳入公共收益账户",
            decided_on=start - dt.timedelta(days=45),
            item=Art278Item.COMMON_BUSINESS,
            document_no=f"{estate.code}业决〔{start.year - 1}〕1号",
            created_at=stamp,
        )
        res_use = Resolution.objects.create(
            estate=estate,
            title="公共收益使用管理办法（维修养护及公共活动支出）",
            decided_on=start - dt.timedelta(days=45),
            item=Art278Item.OTHER,
            document_no=f"{estate.code}业决〔{start.year - 1}〕2号",
            created_at=stamp,
        )
        monthly = Decimal(rng.choice(["600", "800", "1200", "1500", "1800"]))
        contract = UsageContract.objects.create(
            estate=estate,
            source="elevator_ad",
            counterparty=rng.choice(AD_COMPANIES),
            location="各栋电梯轿厢",
            monthly_amount=monthly,
            start=start,
            end=start.replace(year=start.year + 3) - dt.timedelta(days=1),
            document_no=f"GG-{estate.code}",
            resolution=None if v == "contract_no_resolution" else res_ad,
            created_at=stamp,
        )
        ledger = _Ledger(account, creator)
        skip_ad = set()
        if v == "contract_income":
            skip_ad = {p_due.start, (p_due.start + dt.timedelta(days=32)).replace(day=1)}
        quarter_income: dict[str, Decimal] = {}
        for m in _months(start, on):
            p = period_of(m)
            day5 = m.replace(day=5)
            if day5 <= on and m not in skip_ad:
                ledger.add(
                    day5,
                    EntryKind.INCOME,
                    monthly,
                    f"{m.month}月电梯广告费",
                    source="elevator_ad",
                    counterparty=contract.counterparty,
                    contract=contract,
                )
                quarter_income[p.key] = quarter_income.get(p.key, Decimal(0)) + monthly
            day10 = m.replace(day=10)
            if day10 <= on:
                park = Decimal(rng.randint(800, 3200))
                ledger.add(
                    day10,
                    EntryKind.INCOME,
                    park,
                    f"{m.month}月道闸临时停车费",
                    source="parking",
                    counterparty="道闸收费系统",
                )
                quarter_income[p.key] = quarter_income.get(p.key, Decimal(0)) + park
                ledger.add(
                    m.replace(day=20),
                    EntryKind.EXPENSE,
                    (park * Decimal("0.08")).quantize(Decimal("1")),
                    f"{m.month}月道闸及广告屏电费",
                    use=EntryUse.OPERATING_COST,
                    counterparty="广西电网钟山供电局",
                )
            if m.month % 3 == 1 and m.replace(day=15) <= on:
                locker = Decimal(rng.randint(300, 600))
                ledger.add(
                    m.replace(day=15),
                    EntryKind.INCOME,
                    locker,
                    "快递柜场地使用费",
                    source="locker",
                    counterparty=rng.choice(LOCKERS),
                )
                quarter_income[p.key] = quarter_income.get(p.key, Decimal(0)) + locker
            if m == start.replace(day=1) and rng.random() < 0.4:
                ledger.add(
                    m.replace(day=18),
                    EntryKind.INCOME,
                    Decimal(rng.choice([3600, 6000])),
                    "通信基站年度场地费",
                    source="base_station",
                    counterparty=rng.choice(TOWERS),
                )
        for p in periods:
            income = quarter_income.get(p.key, Decimal(0))
            alloc_day = p.end - dt.timedelta(days=2)
            if p is periods[-2] and rng.random() < 0.5:
                ledger.add(
                    alloc_day - dt.timedelta(days=10),
                    EntryKind.EXPENSE,
                    Decimal(rng.randint(800, 2500)),
                    "单元门禁及路灯维修",
                    use=EntryUse.REPAIR,
                    counterparty="钟山县安居维修服务部",
                    resolution=res_use,
                )
            if v == "no_resolution" and p is p_due:
                ledger.add(
                    alloc_day - dt.timedelta(days=5),
                    EntryKind.EXPENSE,
                    Decimal("1680.00"),
                    "购置中秋慰问品",
                    use=EntryUse.WELFARE,
                    counterparty="钟山县百货商场",
                )
            cost_share = Decimal("0.45") if (v == "cost_share" and p is p_due) else Decimal("0.20")
            ledger.add(
                alloc_day,
                EntryKind.ALLOCATION,
                (income * cost_share).quantize(Decimal("0.01")),
                f"{p.label}物业管理成本分成（{cost_share * 100:.0f}%）",
                use=EntryUse.COMPANY_COST,
                counterparty=company_of[estate.pk].name,
            )
            ledger.add(
                alloc_day,
                EntryKind.ALLOCATION,
                (income * Decimal("0.40")).quantize(Decimal("0.01")),
                f"{p.label}补充住宅专项维修资金",
                use=EntryUse.FUND,
                counterparty="县住宅专项维修资金专户",
            )
        if v == "negative":
            spend_day = max(current.start, on - dt.timedelta(days=3))
            ledger.add(
                spend_day,
                EntryKind.EXPENSE,
                ledger.balance - Decimal("300.00"),
                "消防管网维修",
                use=EntryUse.REPAIR,
                counterparty="钟山县消防工程有限公司",
                resolution=res_use,
            )
        rows = ledger.finish()
        all_entries.extend(rows)
        if v == "negative":
            biggest = max((e for e in rows if e.kind == EntryKind.INCOME), key=lambda e: e.amount)
            reversals.append((biggest, "该笔收入经银行流水核对未实际到账"))
        if v == "business":
            extra.append(
                CommonPartBusiness(
                    estate=estate,
                    source="venue",
                    location="2栋架空层",
                    description="检查发现架空层出租作仓库，未见合同及业主大会决议",
                    found_on=on - dt.timedelta(days=20),
                    created_at=stamp,
                )
            )
    Entry.objects.bulk_create(all_entries, batch_size=2000)
    for original, reason in reversals:
        account = original.account
        n = Entry.objects.filter(account=account).count() + 1
        Entry.objects.create(
            account=account,
            number=n,
            occurred_on=on,
            kind=EntryKind.REVERSAL,
            direction=Direction.OUT,
            amount=original.amount,
            source=original.source,
            description=f"冲正第 {original.number} 号：{original.description}",
            counterparty=original.counterparty,
            usage_contract=original.usage_contract,
            reverses=original,
            reason=reason,
            created_by=original.created_by,
            created_at=stamp,
        )
    CommonPartBusiness.objects.bulk_create(extra)

    # Published statements: every ended period past its grace days, except the planted omissions.
    disclosures = []
    for account in accounts:
        v = plan.get(account.estate_id, "")
        creator = staff_of.get(company_of[account.estate_id].pk)
        for p in periods:
            if v == "no_disclosure" and p is p_due:
                continue
            st = statement(account, p, with_vouchers=False)
            published = min(on, p.end + dt.timedelta(days=rng.randint(3, 12)))
            disclosures.append(
                Disclosure(
                    account=account,
                    period_key=p.key,
                    period_start=p.start,
                    period_end=p.end,
                    opening_balance=st.opening,
                    income_total=st.income_total,
                    outgo_total=st.outgo_total,
                    closing_balance=st.closing,
                    line_count=len(st.lines),
                    digest=st.digest,
                    published_by=creator,
                    published_at=dt.datetime.combine(published, dt.time(10, 0), tzinfo=dt.UTC),
                    objection_until=published
                    + dt.timedelta(days=county_setting("DISCLOSURE_OBJECTION_DAYS")),
                )
            )
    Disclosure.objects.bulk_create(disclosures)
    comments = []
    for d in Disclosure.objects.filter(account__estate_id__in=list(committee_of)).order_by("id"):
        comments.append(
            ReviewComment(
                disclosure=d,
                author=committee_of[d.account.estate_id],
                text="已核对银行流水与凭证，收支相符。",
                created_at=d.published_at + dt.timedelta(days=2),
            )
        )
    ReviewComment.objects.bulk_create(comments)

    # Maintenance fund: first deposits per unit; most deposited, a few held by the collector past the deadline.
    rate = to_yuan(county_setting("FUND_RATE_YUAN_PER_M2"))
    dues = []
    estates = {c.estate_id: c for c in contracts}
    units = (
        Unit.objects.filter(estate_id__in=list(estates))
        .select_related("building")
        .order_by("estate_id", "id")
    )
    for u in units:
        c = estates[u.estate_id]
        v = plan.get(u.estate_id, "")
        estate = c.estate
        if v == "fund_held":
            collector, name = Collector.COMPANY, c.company.name
            due_date, collected, deposited = on - dt.timedelta(days=75), on - dt.timedelta(days=120), None
        else:
            collector = Collector.DEVELOPER
            name = estate.developer or "开发建设单位"
            year = min(estate.built_year or 2015, on.year - 1)
            due_date = dt.date(year, 6, 30)
            collected = due_date - dt.timedelta(days=30)
            deposited = due_date - dt.timedelta(days=rng.randint(0, 20)) if rng.random() < 0.97 else None
            if deposited is None:
                collected = None  # the owner has not paid yet: nothing is held by the collector
        dues.append(
            FundDue(
                estate_id=u.estate_id,
                unit=u,
                label=u.label,
                basis=DueBasis.AREA,
                area=u.area,
                rate=rate,
                amount=to_yuan(u.area * rate),
                due_date=due_date,
                collector=collector,
                collector_name=name,
                collected_on=collected,
                deposited_on=deposited,
                deposit_ref=f"ZH{due_date.year}-{u.pk:06d}" if deposited else "",
                created_at=stamp,
            )
        )
    FundDue.objects.bulk_create(dues, batch_size=2000)
    audit_record(
        actor=SystemActor("demo"),
        action="demo.revenue_load",
        object_type="revenue.demo",
        object_id=seed,
        after={
            "accounts": len(accounts),
            "entries": len(all_entries) + len(reversals),
            "disclosures": len(disclosures),
            "fund_dues": len(dues),
            "violations": sorted(plan.values()),
        },
    )
    counts = run_checks()
    out.write(
        f"  公共收益：{len(accounts)} 个账户，{len(all_entries) + len(reversals)} 笔分录，{len(disclosures)} 期公示，"
        f"{len(dues)} 笔维修资金应缴；核查发现 {counts['found']} 项"
    )
