"""Reads of public revenue and the maintenance fund, scoped by role through the registry's estate scope."""

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    Min,
    Q,
    QuerySet,
    Sum,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from wuye.accounts.models import COUNTY_READ_ROLES, Role, User
from wuye.cases.models import OPEN_STATES
from wuye.common.dates import today
from wuye.common.money import format_yuan
from wuye.intake.models import Lead, LeadStatus
from wuye.registry.models import Estate, ServiceContract
from wuye.registry.selectors import company_serves_estate, estate_get_visible, estates_visible_to

from .models import (
    AccountStatus,
    Collector,
    Direction,
    Disclosure,
    Entry,
    EntryVoucher,
    FundDue,
    IncomeSource,
    Objection,
    ObjectionStatus,
    RevenueAccount,
)
from .periods import Period, overlap_months, period_of

ZERO = Decimal("0.00")
MONEY_FIELD = DecimalField(max_digits=16, decimal_places=2)
SIGNED = Case(When(direction=Direction.IN, then=F("amount")), default=-F("amount"), output_field=MONEY_FIELD)
# Finding keys of this app's checks start with these prefixes (see checks.py).
FINDING_PREFIXES = ("revenue:", "fund:")


def _sum(qs: QuerySet[Entry]) -> Decimal:
    value = qs.aggregate(total=Sum(SIGNED))["total"]
    return (value or ZERO).quantize(Decimal("0.01"))


def account_balance(account: RevenueAccount, *, before: dt.date | None = None) -> Decimal:
    """The balance as the sum of all entries (dated before `before` if given)."""
    qs = Entry.objects.filter(account=account)
    if before is not None:
        qs = qs.filter(occurred_on__lt=before)
    return _sum(qs)


def opening_balance(account: RevenueAccount, day: dt.date) -> Decimal:
    """The balance before `day`, still a SUM of entries, started from the latest published statement that ends
    before `day`: no entry may be dated on or before a published period's end (services.entry_create), so its
    closing balance is the frozen SUM of everything up to then. Cost grows with one period, not the history."""
    prev = (
        Disclosure.objects.filter(account=account, period_end__lt=day)
        .order_by("-period_end")
        .values_list("period_end", "closing_balance")
        .first()
    )
    if prev is None:
        return account_balance(account, before=day)
    return prev[1] + _sum(Entry.objects.filter(account=account, occurred_on__gt=prev[0], occurred_on__lt=day))


def account_of(estate: Estate) -> RevenueAccount | None:
    return RevenueAccount.objects.filter(estate=estate).first()


# --- statements --------------------------------------------------------------------------------------------


@dataclass
class Line:
    entry: Entry
    balance: Decimal


@dataclass
class Statement:
    account: RevenueAccount
    period: Period
    opening: Decimal
    lines: list[Line]
    income_total: Decimal
    outgo_total: Decimal
    closing: Decimal
    by_source: list[tuple[str, Decimal]]
    digest: str
    disclosure: Disclosure | None = None
    later_reversals: dict[int, Entry] = field(default_factory=dict)


def line_digest(entries: list[Entry]) -> str:
    """SHA-256 over the lines as published, so anyone holding the statement can re-check it."""
    h = hashlib.sha256()
    for e in entries:
        h.update(
            f"{e.number}|{e.occurred_on.isoformat()}|{e.direction}|{e.amount}|{e.description}\n".encode()
        )
    return h.hexdigest()


def statement(account: RevenueAccount, period: Period, *, with_vouchers: bool = True) -> Statement:
    """Every line of the period with a running balance; opening balance is the SUM of all earlier entries.

    A constant number of queries: the opening SUM (an index-only scan on PostgreSQL), the lines, their vouchers,
    the later reversals of these lines, and the disclosure.
    """
    opening = opening_balance(account, period.start)
    in_period = {"account": account, "occurred_on__gte": period.start, "occurred_on__lte": period.end}
    entries = list(
        Entry.objects.filter(**in_period).select_related("resolution").order_by("occurred_on", "number")
    )
    vouchers: dict[int, list[Any]] = {}
    if with_vouchers:
        for v in EntryVoucher.objects.filter(**{f"entry__{k}": v for k, v in in_period.items()}).order_by(
            "pk"
        ):
            vouchers.setdefault(v.entry_id, []).append(v)
    later: dict[int, Entry] = {
        r.reverses_id: r
        for r in Entry.objects.filter(
            account=account,
            reverses__occurred_on__gte=period.start,
            reverses__occurred_on__lte=period.end,
            occurred_on__gt=period.end,
        )
        if r.reverses_id is not None
    }
    lines, running = [], opening
    income = outgo = ZERO
    sources: dict[str, Decimal] = {}
    for e in entries:
        signed = e.amount if e.direction == Direction.IN else -e.amount
        running += signed
        lines.append(Line(e, running))
        if e.direction == Direction.IN:
            income += e.amount
        else:
            outgo += e.amount
        if e.source:
            sources[e.source] = sources.get(e.source, ZERO) + signed
        e.later_reversal = later.get(e.pk)  # type: ignore[attr-defined]
        e.voucher_list = vouchers.get(e.pk, [])  # type: ignore[attr-defined]
    labels = dict(IncomeSource.choices)
    by_source = [(labels[k], sources.get(k, ZERO)) for k in IncomeSource.values]
    disclosure = Disclosure.objects.filter(account=account, period_key=period.key).first()
    return Statement(
        account=account,
        period=period,
        opening=opening,
        lines=lines,
        income_total=income,
        outgo_total=outgo,
        closing=opening + income - outgo,
        by_source=by_source,
        digest=line_digest(entries),
        disclosure=disclosure,
        later_reversals=later,
    )


# --- scoped reads ------------------------------------------------------------------------------------------


def revenue_estate_get(user: User, *, code: str) -> Estate:
    """Staff pages only: owners use the public pages."""
    if user.role == Role.OWNER:
        raise Http404("没有找到该小区，或您无权查看")
    return estate_get_visible(user, code=code)


def user_company_runs(user: User, estate: Estate) -> bool:
    """Only the company under the estate's current contract may enter and disclose."""
    if getattr(user, "role", None) != Role.COMPANY_STAFF or not user.company_id:
        return False
    return company_serves_estate(user.company_id, estate.pk)


@dataclass
class RevenueRow:
    """One estate's line in the compliance table."""

    pk: int
    code: str
    name: str
    town_name: str
    company_name: str | None = None
    account_status: str | None = None
    last_period: str | None = None
    last_period_end: dt.date | None = None
    last_published: dt.datetime | None = None
    last_closing: Decimal | None = None
    open_findings: int = 0

    @property
    def has_problem(self) -> bool:
        return bool(self.open_findings) or self.account_status != AccountStatus.SUPERVISED


def revenue_rows(estates: QuerySet[Estate], *, only_problems: bool = False) -> list[RevenueRow]:
    """Estates with account status, company, last disclosure and open findings: five flat queries joined in
    Python (correlated subqueries per estate were several times slower at 2,000 estates)."""
    rows = {
        r["pk"]: RevenueRow(pk=r["pk"], code=r["code"], name=r["name"], town_name=r["town__name"])
        for r in estates.order_by("code").values("pk", "code", "name", "town__name")
    }
    ids = estates.values("pk")
    for estate_id, company in ServiceContract.objects.filter(is_current=True, estate__in=ids).values_list(
        "estate_id", "company__name"
    ):
        if estate_id in rows:
            rows[estate_id].company_name = company
    account_estate: dict[int, int] = {}
    for account_id, estate_id, status in RevenueAccount.objects.filter(estate__in=ids).values_list(
        "pk", "estate_id", "status"
    ):
        if estate_id in rows:
            rows[estate_id].account_status = status
            account_estate[account_id] = estate_id
    for account_id, key, end, published, closing in (
        Disclosure.objects.filter(account__estate__in=ids)
        .order_by("account_id", "period_end")
        .values_list("account_id", "period_key", "period_end", "published_at", "closing_balance")
    ):
        row = rows.get(account_estate.get(account_id, 0))
        if row is not None:
            row.last_period, row.last_period_end, row.last_published, row.last_closing = (
                key,
                end,
                published,
                closing,
            )
    findings = (
        Lead.objects.filter(estate__in=ids)
        .filter(Q(source_ref__startswith=FINDING_PREFIXES[0]) | Q(source_ref__startswith=FINDING_PREFIXES[1]))
        .filter(Q(status=LeadStatus.NEW) | Q(case__status__in=OPEN_STATES))
        .values("estate_id")
        .annotate(n=Count("pk"))
        .values_list("estate_id", "n")
    )
    for estate_id, n in findings:
        if estate_id in rows:
            rows[estate_id].open_findings = n
    out = list(rows.values())
    return [r for r in out if r.has_problem] if only_problems else out


def estates_with_revenue(user: User) -> list[RevenueRow]:
    """The role's estates with account status, last disclosure and open findings."""
    return revenue_rows(estates_visible_to(user))


def compliance_table(
    user: User, *, town_id: int | None = None, only_problems: bool = False
) -> list[RevenueRow]:
    """The county table: estates × account status, last disclosure, open findings. County roles only."""
    if user.role not in COUNTY_READ_ROLES:
        return []
    qs = Estate.objects.all()
    if town_id:
        qs = qs.filter(town_id=town_id)
    return revenue_rows(qs, only_problems=only_problems)


def disclosure_due_period(on: dt.date | None = None) -> Period:
    """The latest period that has ended (the one a disclosure is now due for)."""
    day = on or today()
    return period_of(period_of(day).start - dt.timedelta(days=1))


def compliance_rows(qs: list[RevenueRow]) -> list[list[Any]]:
    status_labels = dict(AccountStatus.choices)
    rows = []
    for i, e in enumerate(qs, start=1):
        rows.append(
            [
                i,
                e.code,
                e.name,
                e.town_name,
                e.company_name or "（无现行合同）",
                status_labels.get(e.account_status, "未开设") if e.account_status else "未开设",
                e.last_period or "从未公示",
                timezone.localtime(e.last_published).date().isoformat() if e.last_published else "",
                float(e.last_closing) if e.last_closing is not None else "",
                int(e.open_findings or 0),
            ]
        )
    return rows


COMPLIANCE_HEADERS = [
    "序号",
    "小区编码",
    "小区",
    "乡镇/街道",
    "物业企业",
    "账户状态",
    "最近公示期间",
    "公示日期",
    "期末余额（元）",
    "未办结核查发现",
]


# --- public pages ------------------------------------------------------------------------------------------


def public_estate(code: str) -> Estate:
    estate = Estate.objects.select_related("town").filter(code=code).first()
    if estate is None:
        raise Http404("没有找到该小区")
    return estate


def disclosures_published(account: RevenueAccount) -> QuerySet[Disclosure]:
    return Disclosure.objects.filter(account=account).order_by("-period_start")


def objections_of(disclosure: Disclosure) -> QuerySet[Objection]:
    return disclosure.objections.select_related("entry").order_by("raised_at", "id")


def objections_open_for(user: User) -> QuerySet[Objection]:
    estates = estates_visible_to(user).values("pk")
    return (
        Objection.objects.filter(status=ObjectionStatus.OPEN, disclosure__account__estate__in=estates)
        .select_related("disclosure__account__estate", "entry")
        .order_by("answer_due", "id")
    )


def owner_units_in(user: User, estate: Estate) -> bool:
    if user.role != Role.OWNER or not user.owner_id:
        return False
    return estate.units.filter(ownerships__owner_id=user.owner_id).exists()


def contracts_with_income(estate: Estate, *, on: dt.date | None = None) -> list[Any]:
    """Common-part contracts with the income they should have brought so far and what the ledger recorded."""
    day = on or today()
    contracts = list(estate.revenue_contracts.select_related("resolution").order_by("-start"))
    recorded = dict(
        Entry.objects.filter(usage_contract__in=contracts)
        .values("usage_contract_id")
        .annotate(t=Sum(SIGNED))
        .values_list("usage_contract_id", "t")
    )
    for c in contracts:
        months = overlap_months(c.start, c.end, Period("", c.start, min(c.end, day))) if c.start <= day else 0
        expected = c.monthly_amount * months
        got = recorded.get(c.pk) or ZERO
        c.expected_to_date, c.recorded = expected, got  # type: ignore[attr-defined]
        c.shortfall = max(expected - got, ZERO)  # type: ignore[attr-defined]
    return contracts


# --- maintenance fund --------------------------------------------------------------------------------------


def fund_dues_of(estate: Estate) -> QuerySet[FundDue]:
    return FundDue.objects.filter(estate=estate).select_related("unit__building").order_by("id")


def fund_estate_summary(estate: Estate) -> dict[str, Any]:
    day = today()
    agg = FundDue.objects.filter(estate=estate).aggregate(
        due=Sum("amount"),
        collected=Sum("amount", filter=Q(collected_on__isnull=False)),
        deposited=Sum("amount", filter=Q(deposited_on__isnull=False)),
        held=Sum("amount", filter=Q(collected_on__isnull=False, deposited_on__isnull=True)),
        overdue=Sum(
            "amount", filter=Q(collected_on__isnull=False, deposited_on__isnull=True, due_date__lt=day)
        ),
        count=Count("pk"),
    )
    return {k: (v if v is not None else (0 if k == "count" else ZERO)) for k, v in agg.items()}


def fund_county_by_collector(user: User) -> list[dict[str, Any]]:
    """Undeposited sums by collector (who holds owners' money that should be in the county special account)."""
    if user.role not in COUNTY_READ_ROLES:
        return []
    day = today()
    labels = dict(Collector.choices)
    rows = (
        FundDue.objects.filter(deposited_on__isnull=True)
        .exclude(collector=Collector.DIRECT)
        .values("collector", "collector_name")
        .annotate(
            held=Coalesce(
                Sum("amount", filter=Q(collected_on__isnull=False)), ZERO, output_field=MONEY_FIELD
            ),
            overdue=Coalesce(
                Sum("amount", filter=Q(collected_on__isnull=False, due_date__lt=day)),
                ZERO,
                output_field=MONEY_FIELD,
            ),
            uncollected=Coalesce(
                Sum("amount", filter=Q(collected_on__isnull=True)), ZERO, output_field=MONEY_FIELD
            ),
            estates=Count("estate", distinct=True),
            dues=Count("pk"),
        )
        .order_by("-overdue", "-held", "collector_name")
    )
    return [{**r, "collector_label": labels.get(r["collector"], r["collector"])} for r in rows]


def fund_held_overdue(on: dt.date) -> list[dict[str, Any]]:
    """(estate, collector) groups holding collected dues past their deadline: the category-6 findings."""
    return [
        dict(r)
        for r in FundDue.objects.filter(
            collected_on__isnull=False, deposited_on__isnull=True, due_date__lt=on
        )
        .values("estate_id", "collector", "collector_name")
        .annotate(total=Sum("amount"), dues=Count("pk"), oldest=Min("due_date"))
        .order_by("estate_id", "collector", "collector_name")
    ]


# --- home panel --------------------------------------------------------------------------------------------


def home_panel(user: Any) -> dict[str, Any] | None:
    if not getattr(user, "is_authenticated", False):
        return None
    if user.role == Role.OWNER:
        # Owners see their estates' public statements (where they can raise objections).
        own = list(estates_visible_to(user)[:10])
        last = {
            d.account.estate_id: d
            for d in Disclosure.objects.filter(account__estate__in=own)
            .select_related("account")
            .order_by("period_end")
        }
        items = [
            (
                f"{e.name}公共收益公示",
                last[e.pk].period_key if e.pk in last else "尚无公示",
                reverse("revenue:public", args=[e.code]),
            )
            for e in own
        ]
        return {"title": "公共收益", "items": items} if items else None
    url = reverse("revenue:home")
    if user.role in COUNTY_READ_ROLES:
        estates = Estate.objects.count()
        with_account = RevenueAccount.objects.filter(status=AccountStatus.SUPERVISED).count()
        due = disclosure_due_period()
        disclosed = Disclosure.objects.filter(period_key=due.key).count()
        held = FundDue.objects.filter(
            collected_on__isnull=False, deposited_on__isnull=True, due_date__lt=today()
        ).aggregate(t=Sum("amount"))["t"]
        return {
            "title": "公共收益与维修资金",
            "items": [
                ("已纳入监管的公共收益账户", f"{with_account} / {estates}", url),
                (f"{due.label}已公示小区", disclosed, url),
                ("逾期未上缴维修资金", format_yuan(held or ZERO), reverse("revenue:fund_county")),
            ],
        }
    rows = estates_with_revenue(user)[:200]
    no_account = sum(1 for e in rows if not e.account_status)
    open_obj = objections_open_for(user).count()
    return {
        "title": "公共收益",
        "items": [
            ("小区数", len(rows), url),
            ("未开设专门账户", no_account, url),
            ("待答复异议", open_obj, url),
        ],
    }
