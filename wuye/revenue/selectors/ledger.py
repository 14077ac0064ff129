"""Balances, statements and the scoped and public reads of one estate's public revenue."""

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    DecimalField,
    F,
    QuerySet,
    Sum,
    When,
)
from django.http import Http404
from django.shortcuts import get_object_or_404

from wuye.accounts.models import Role, User
from wuye.common.dates import today
from wuye.registry.models import Estate
from wuye.registry.selectors import company_serves_estate, estate_get_visible, estates_visible_to

from ..models import (
    CommonPartBusiness,
    Direction,
    Disclosure,
    Entry,
    EntryVoucher,
    IncomeSource,
    Objection,
    ObjectionStatus,
    Resolution,
    RevenueAccount,
    ReviewComment,
)
from ..periods import Period, overlap_months

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


def revenue_estates_visible_to(user: User) -> QuerySet[Estate]:
    """The estates whose staff revenue pages a user sees (owners use the public pages)."""
    if not user.is_authenticated or user.role == Role.OWNER:
        return Estate.objects.none()
    return estates_visible_to(user)


def account_get(estate: Estate) -> RevenueAccount:
    """The account of an estate the caller already may see, else 404."""
    return get_object_or_404(RevenueAccount, estate=estate)


def entries_of(account: RevenueAccount) -> QuerySet[Entry]:
    return (
        Entry.objects.filter(account=account)
        .select_related("resolution", "reverses", "reversed_by")
        .prefetch_related("vouchers")
        .order_by("-occurred_on", "-number")
    )


def objections_recent(account: RevenueAccount, *, limit: int = 50) -> QuerySet[Objection]:
    return (
        Objection.objects.filter(disclosure__account=account)
        .select_related("entry", "disclosure")
        .order_by("-raised_at")[:limit]
    )


def resolutions_of(estate: Estate) -> QuerySet[Resolution]:
    return Resolution.objects.filter(estate=estate)


def businesses_of(estate: Estate) -> QuerySet[CommonPartBusiness]:
    return CommonPartBusiness.objects.filter(estate=estate).select_related("usage_contract", "resolution")


def entry_get_visible(user: User, *, pk: int) -> Entry:
    """An entry of an estate whose revenue pages the user sees, else 404."""
    scoped = Entry.objects.filter(account__estate__in=revenue_estates_visible_to(user).values("pk"))
    return get_object_or_404(scoped.select_related("account__estate"), pk=pk)


def disclosure_get(account: RevenueAccount, *, period_key: str) -> Disclosure:
    return get_object_or_404(Disclosure, account=account, period_key=period_key)


def disclosure_published_for(account: RevenueAccount | None, *, period_key: str) -> Disclosure | None:
    if account is None:
        return None
    return Disclosure.objects.filter(account=account, period_key=period_key).first()


def disclosure_get_visible(user: User, *, pk: int) -> Disclosure:
    scoped = Disclosure.objects.filter(account__estate__in=revenue_estates_visible_to(user).values("pk"))
    return get_object_or_404(scoped.select_related("account__estate"), pk=pk)


def comments_of(disclosure: Disclosure) -> QuerySet[ReviewComment]:
    return ReviewComment.objects.filter(disclosure=disclosure).select_related("author")


def objection_get_visible(user: User, *, pk: int) -> Objection:
    scoped = Objection.objects.filter(
        disclosure__account__estate__in=revenue_estates_visible_to(user).values("pk")
    )
    return get_object_or_404(scoped.select_related("disclosure__account__estate"), pk=pk)


def entry_in_disclosure(disclosure: Disclosure, *, pk: Any) -> Entry | None:
    """The entry with that number in the disclosed account, or None (an owner's objection names one)."""
    return Entry.objects.filter(account=disclosure.account_id, pk=pk).first()


def voucher_get(pk: int) -> EntryVoucher:
    return get_object_or_404(EntryVoucher.objects.select_related("entry__account__estate"), pk=pk)


def voucher_is_public(voucher: EntryVoucher) -> bool:
    """A voucher is public once the period of its entry is disclosed."""
    entry = voucher.entry
    return Disclosure.objects.filter(
        account_id=entry.account_id, period_start__lte=entry.occurred_on, period_end__gte=entry.occurred_on
    ).exists()


def entry_numbers(ids: list[int]) -> dict[int, int]:
    return dict(Entry.objects.filter(pk__in=ids).values_list("pk", "number"))


def user_company_runs(user: User, estate: Estate) -> bool:
    """Only the company under the estate's current contract may enter and disclose."""
    if getattr(user, "role", None) != Role.COMPANY_STAFF or not user.company_id:
        return False
    return company_serves_estate(user.company_id, estate.pk)


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
