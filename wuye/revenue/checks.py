"""The scheduler's checks (`manage.py revenue_checks`). Each finding opens or refreshes one lead, keyed so that a
second run opens nothing new; the evidence is deterministic (no timestamps), so an unchanged finding is untouched.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from wuye.common.dates import cn_date, today
from wuye.common.money import format_yuan
from wuye.intake.services import finding_open_or_update
from wuye.kernel.actors import SystemActor
from wuye.kernel.taxonomy import Category
from wuye.registry.models import Estate
from wuye.registry.selectors import contracts_in_force, estate_setting

from .models import (
    ACCOUNT_OPEN_STATES,
    CommonPartBusiness,
    Direction,
    Disclosure,
    Entry,
    EntryKind,
    EntryUse,
    Objection,
    ObjectionStatus,
    RevenueAccount,
    UsageContract,
)
from .periods import Period, overlap_months, period_of, periods_between
from .selectors import SIGNED, ZERO, fund_held_overdue


@dataclass(frozen=True)
class Finding:
    key: str
    estate: Estate
    category: str
    text: str
    evidence: dict[str, Any]


def _grace(estate: Estate) -> int:
    """DISCLOSURE_GRACE_DAYS as the estate's county sets it."""
    return int(estate_setting("DISCLOSURE_GRACE_DAYS", estate))


def _ended_periods(start: dt.date, on: dt.date, estate: Estate) -> list[Period]:
    """Periods from `start` whose grace time after the end (the estate's county's) has passed by `on`."""
    grace = dt.timedelta(days=_grace(estate))
    return [p for p in periods_between(start, on) if p.end + grace < on]


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def check_no_account(estates: QuerySet[Estate], on: dt.date) -> Iterator[Finding]:
    """2.1: an estate under a current contract without an open public-revenue account."""
    current = contracts_in_force(on=on).filter(estate=OuterRef("pk"))
    has_account = RevenueAccount.objects.filter(estate=OuterRef("pk"), status__in=ACCOUNT_OPEN_STATES)
    qs = (
        estates.filter(Exists(current))
        .exclude(Exists(has_account))
        .annotate(company=current.values("company__name")[:1])
        .order_by("pk")
    )
    for e in qs:
        yield Finding(
            key=f"revenue:no_account:{e.code}",
            estate=e,
            category=Category.C2_1,
            text=f"{e.name}（物业服务企业：{e.company}）未开设公共收益专门账户。",
            evidence={"check": "no_account", "estate": e.code, "company": e.company},
        )


def check_no_disclosure(accounts: list[RevenueAccount], on: dt.date) -> Iterator[Finding]:
    """2.3: a period that ended more than the grace days ago with no published statement."""
    published = defaultdict(set)
    for account_id, key in Disclosure.objects.filter(account__in=accounts).values_list(
        "account_id", "period_key"
    ):
        published[account_id].add(key)
    for account in accounts:
        grace = _grace(account.estate)
        for p in _ended_periods(account.opened_on, on, account.estate):
            if p.key in published[account.pk]:
                continue
            deadline = p.end + dt.timedelta(days=grace)
            yield Finding(
                key=f"revenue:no_disclosure:{account.estate.code}:{p.key}",
                estate=account.estate,
                category=Category.C2_3,
                text=f"{account.estate.name}{p.label}公共收益收支情况未在期满后 {grace} 日内（{cn_date(deadline)}前）公示。",
                evidence={"check": "no_disclosure", "period": p.key, "deadline": deadline.isoformat()},
            )


def check_contract_income(estates: QuerySet[Estate], on: dt.date) -> Iterator[Finding]:
    """2.4: a common-part contract whose income recorded for an ended period is less than the contract says."""
    contracts = (
        UsageContract.objects.filter(estate__in=estates).select_related("estate__town__county").order_by("pk")
    )
    for c in contracts:
        periods = [p for p in _ended_periods(c.start, on, c.estate) if p.start <= c.end]
        if not periods:
            continue
        received = dict(
            Entry.objects.filter(
                usage_contract=c, occurred_on__gte=periods[0].start, occurred_on__lte=periods[-1].end
            )
            .values_list("occurred_on")
            .annotate(t=Sum(SIGNED))
            .values_list("occurred_on", "t")
        )
        for p in periods:
            expected = c.monthly_amount * overlap_months(c.start, c.end, p)
            got = sum((v for d, v in received.items() if p.start <= d <= p.end), ZERO)
            if got >= expected:
                continue
            yield Finding(
                key=f"revenue:contract_income:{c.pk}:{p.key}",
                estate=c.estate,
                category=Category.C2_4,
                text=(
                    f"{c.estate.name}{c.get_source_display()}合同（{c.counterparty}）{p.label}应有收益 "
                    f"{format_yuan(expected)}，公共收益账户仅入账 {format_yuan(got)}。"
                ),
                evidence={
                    "check": "contract_income",
                    "contract": c.pk,
                    "period": p.key,
                    "expected": _money(expected),
                    "recorded": _money(got),
                },
            )


def check_resolution_missing(accounts: list[RevenueAccount], on: dt.date) -> Iterator[Finding]:
    """2.4: expenses or allocations that need an owners' resolution and cite none; and a company cost share above
    REVENUE_MAX_COST_SHARE (the estate's county's) of the period's income without one. One finding per estate and
    period."""
    by_account = {a.pk: a for a in accounts}
    live = Entry.objects.filter(account__in=accounts, reversed_by__isnull=True).exclude(
        kind=EntryKind.REVERSAL
    )
    problems: dict[tuple[int, str], dict[str, Any]] = {}
    periods_cache: dict[tuple[int, str], Period] = {}

    def slot(account_id: int, day: dt.date) -> dict[str, Any]:
        p = period_of(day)
        periods_cache[(account_id, p.key)] = p
        return problems.setdefault((account_id, p.key), {"entries": [], "cost_share": None})

    for e in live.filter(needs_resolution=True, resolution__isnull=True).order_by("account_id", "number"):
        slot(e.account_id, e.occurred_on)["entries"].append(
            {
                "number": e.number,
                "date": e.occurred_on.isoformat(),
                "amount": _money(e.amount),
                "use": e.get_use_display(),
                "description": e.description,
            }
        )
    # Company cost share per period, net of reversals, compared with the period's net income.
    cost = Entry.objects.filter(account__in=accounts, use=EntryUse.COMPANY_COST)
    unauthorised = cost.filter(Q(resolution__isnull=True))
    cost_rows: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for account_id, day, amount, direction in unauthorised.values_list(
        "account_id", "occurred_on", "amount", "direction"
    ):
        p = period_of(day)
        periods_cache[(account_id, p.key)] = p
        cost_rows[(account_id, p.key)] += amount if direction == Direction.OUT else -amount
    for (account_id, key), total in sorted(cost_rows.items()):
        if total <= 0:
            continue
        p = periods_cache[(account_id, key)]
        income = (
            Entry.objects.filter(
                account_id=account_id, occurred_on__gte=p.start, occurred_on__lte=p.end, source__gt=""
            ).aggregate(t=Sum(SIGNED))["t"]
            or ZERO
        )
        cap = Decimal(estate_setting("REVENUE_MAX_COST_SHARE", by_account[account_id].estate))
        if total > (income * cap).quantize(Decimal("0.01")):
            problems.setdefault((account_id, key), {"entries": [], "cost_share": None})["cost_share"] = {
                "cost": _money(total),
                "income": _money(income),
                "cap": str(cap),
            }
    for (account_id, key), info in sorted(problems.items()):
        if not info["entries"] and not info["cost_share"]:
            continue
        account = by_account[account_id]
        p = periods_cache[(account_id, key)]
        parts = []
        if info["entries"]:
            nums = "、".join(f"第{x['number']}号" for x in info["entries"])
            parts.append(f"{len(info['entries'])} 笔支出/分配须经业主大会决议但未引用决议（{nums}）")
        if info["cost_share"]:
            cs = info["cost_share"]
            parts.append(
                f"物业企业管理成本分成 {cs['cost']} 元超过本期收益 {cs['income']} 元的 "
                f"{Decimal(cs['cap']) * 100:.0f}% 且无业主大会决议"
            )
        yield Finding(
            key=f"revenue:no_resolution:{account.estate.code}:{key}",
            estate=account.estate,
            category=Category.C2_4,
            text=f"{account.estate.name}{p.label}：" + "；".join(parts) + "。",
            evidence={"check": "no_resolution", "period": key, **info},
        )


def check_unauthorised_business(estates: QuerySet[Estate], on: dt.date) -> Iterator[Finding]:
    """2.2: business on common parts (found at inspection, or under a contract) with no owners' resolution, or found
    with neither a contract nor a resolution."""
    for b in (
        CommonPartBusiness.objects.filter(estate__in=estates, resolution__isnull=True)
        .select_related("estate", "usage_contract__resolution")
        .order_by("pk")
    ):
        if b.usage_contract is not None and b.usage_contract.resolution_id:
            continue
        missing = "无经营合同且无业主大会决议" if b.usage_contract is None else "有经营合同但无业主大会决议"
        yield Finding(
            key=f"revenue:business:{b.pk}",
            estate=b.estate,
            category=Category.C2_2,
            text=f"{b.estate.name}{b.location}发现{b.get_source_display()}经营（{b.description}），{missing}。",
            evidence={
                "check": "unauthorised_business",
                "business": b.pk,
                "found_on": b.found_on.isoformat(),
                "contract": b.usage_contract_id,
            },
        )
    for c in (
        UsageContract.objects.filter(estate__in=estates, resolution__isnull=True, start__lte=on)
        .select_related("estate")
        .order_by("pk")
    ):
        yield Finding(
            key=f"revenue:contract_no_resolution:{c.pk}",
            estate=c.estate,
            category=Category.C2_2,
            text=(
                f"{c.estate.name}{c.get_source_display()}经营合同（{c.counterparty}，{c.start:%Y-%m-%d} 起）"
                "利用共有部分经营，未经业主大会决议（《民法典》第278条第8项）。"
            ),
            evidence={"check": "contract_no_resolution", "contract": c.pk},
        )


def check_negative_balance(accounts: list[RevenueAccount], on: dt.date) -> Iterator[Finding]:
    balances = dict(
        Entry.objects.filter(account__in=accounts)
        .values_list("account_id")
        .annotate(b=Sum(SIGNED))
        .values_list("account_id", "b")
    )
    for account in accounts:
        balance = balances.get(account.pk) or ZERO
        if balance < 0:
            yield Finding(
                key=f"revenue:negative:{account.estate.code}",
                estate=account.estate,
                category=Category.C2_4,
                text=f"{account.estate.name}公共收益账户余额为负（{format_yuan(balance)}），支出或分配超过收入。",
                evidence={"check": "negative_balance", "balance": _money(balance)},
            )


def check_fund_held(estates: QuerySet[Estate], on: dt.date) -> Iterator[Finding]:
    """6: maintenance-fund money collected by a developer or company and not deposited by its deadline."""
    by_pk = {e.pk: e for e in estates}
    for row in fund_held_overdue(on):
        estate = by_pk.get(row["estate_id"])
        if estate is None:
            continue
        yield Finding(
            key=f"fund:held:{estate.code}:{row['collector']}:{row['collector_name']}"[:200],
            estate=estate,
            category=Category.C6,
            text=(
                f"{estate.name}：{row['collector_name']}代收的住宅专项维修资金 {format_yuan(row['total'])}"
                f"（{row['dues']} 笔，最早期限 {row['oldest']:%Y-%m-%d}）逾期未上缴县住建局专户。"
            ),
            evidence={
                "check": "fund_held",
                "collector": row["collector_name"],
                "total": _money(row["total"]),
                "dues": row["dues"],
                "oldest_due": row["oldest"].isoformat(),
            },
        )


def check_objection_late(estates: QuerySet[Estate], on: dt.date) -> Iterator[Finding]:
    """1.2: an owner's objection to a disclosed line left unanswered past its deadline."""
    for o in (
        Objection.objects.filter(
            status=ObjectionStatus.OPEN, answer_due__lt=on, disclosure__account__estate__in=estates
        )
        .select_related("disclosure__account__estate", "entry")
        .order_by("pk")
    ):
        estate = o.disclosure.account.estate
        yield Finding(
            key=f"revenue:objection_late:{o.pk}",
            estate=estate,
            category=Category.C1_2,
            text=(
                f"{estate.name}业主对{o.disclosure.period_key}公示第 {o.entry.number} 号（{o.entry.description}）"
                f"提出的异议，物业服务企业未在 {o.answer_due:%Y-%m-%d} 前答复。"
            ),
            evidence={"check": "objection_late", "objection": o.pk, "answer_due": o.answer_due.isoformat()},
        )


CHECKS: dict[str, Callable[..., Iterator[Finding]]] = {
    "no_account": check_no_account,
    "no_disclosure": check_no_disclosure,
    "contract_income": check_contract_income,
    "no_resolution": check_resolution_missing,
    "unauthorised_business": check_unauthorised_business,
    "negative_balance": check_negative_balance,
    "fund_held": check_fund_held,
    "objection_late": check_objection_late,
}
CHECKS_ACTOR = SystemActor("revenue_checks")
ACCOUNT_CHECKS = frozenset({"no_disclosure", "no_resolution", "negative_balance"})


def collect_findings(
    *, on: dt.date | None = None, estates: QuerySet[Estate] | None = None, only: set[str] | None = None
) -> list[Finding]:
    on = on or today()
    estates = estates if estates is not None else Estate.objects.all()
    accounts = list(
        RevenueAccount.objects.filter(estate__in=estates, status__in=ACCOUNT_OPEN_STATES)
        .select_related("estate__town__county")  # each estate's county sets its grace days and cost-share cap
        .order_by("pk")
    )
    found: list[Finding] = []
    for name, check in CHECKS.items():
        if only and name not in only:
            continue
        found.extend(check(accounts if name in ACCOUNT_CHECKS else estates, on))
    return found


def run_checks(
    *, on: dt.date | None = None, estates: QuerySet[Estate] | None = None, only: set[str] | None = None
) -> dict[str, int]:
    """Open or refresh one lead per finding. Returns counts: found, opened."""
    counts = {"found": 0, "opened": 0}
    for f in collect_findings(on=on, estates=estates, only=only):
        result = finding_open_or_update(
            actor=CHECKS_ACTOR,
            key=f.key,
            estate=f.estate,
            category=f.category,
            text=f.text,
            evidence=f.evidence,
        )
        counts["found"] += 1
        counts["opened"] += int(result.created)
    return counts
