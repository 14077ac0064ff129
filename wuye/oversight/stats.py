"""The county's figures: the report to the city, the dashboard and the public progress page read them here.

Everything is a count or a sum of rows (no names of people, no complaint texts). Periods are half-open local-day
ranges [start, end). The received / accepted / unfounded series come from the daily and monthly summaries, the
dashboard's current-state figures from `StateSummary` and `CloseDays` (all kept by the tick); the city report's
figures are counted from the ledger.
"""

import datetime as dt
import operator
import statistics
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import TruncMonth

from wuye.cases.models import ActionKind, Case, CaseAction, CaseEvent
from wuye.cases.selectors import overdue_q
from wuye.common.dates import today
from wuye.intake.models import Channel, Lead
from wuye.kernel.case_states import DEADLINE_STATES, OPEN_STATES, CaseStatus
from wuye.kernel.conf import county_setting
from wuye.kernel.taxonomy import Category
from wuye.registry.models import Committee, Estate, Town
from wuye.revenue.models import AccountStatus, Disclosure, FundDue, RevenueAccount
from wuye.revenue.selectors.compliance import disclosure_due_period

from .calendar import next_month
from .models import TENTH_OF_DAY, CloseDays, DailySummary, MonthSummary, StateSummary
from .phases import CAMPAIGN_START
from .selectors import day_start

IN_RECTIFICATION = (CaseStatus.RECTIFYING, CaseStatus.SUBMITTED, CaseStatus.RETURNED)
CASE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("received", "受理"),
    ("verified", "核查属实"),
    ("unfounded", "核查不属实"),
    ("rectifying", "整改中（当前）"),
    ("accepted", "验收销号"),
    ("overdue", "逾期未整改（当前）"),
)


@dataclass
class Filters:
    """The dashboard's filters (all optional); the city report uses none."""

    start: dt.date = CAMPAIGN_START
    end: dt.date | None = None  # exclusive; None: tomorrow
    town: int | None = None
    company: int | None = None
    category: str = ""
    # the towns of the viewer's counties (registry.selectors.counties_visible_to); None: every county
    towns: tuple[int, ...] | None = None

    def end_day(self) -> dt.date:
        return self.end or today() + dt.timedelta(days=1)

    def narrow(self, qs: QuerySet[Any], town: str) -> QuerySet[Any]:
        """`qs` under the viewer's towns and the chosen town, company and category (`town`: the town id's path)."""
        if self.towns is not None:
            qs = qs.filter(**{f"{town}__in": self.towns})
        if self.town:
            qs = qs.filter(**{town: self.town})
        if self.company:
            qs = qs.filter(company_id=self.company)
        if self.category:
            qs = qs.filter(category=self.category)
        return qs

    def cases(self) -> QuerySet[Case]:
        return self.narrow(Case.objects.all(), "estate__town_id")


def _period(qs: QuerySet[Any], field_name: str, start: dt.date, end: dt.date) -> QuerySet[Any]:
    return qs.filter(**{f"{field_name}__gte": day_start(start), f"{field_name}__lt": day_start(end)})


def case_counts(cases: QuerySet[Case], start: dt.date, end: dt.date, by: str) -> dict[str, dict[str, int]]:
    """group key → figure → count, for cases grouped by `by` ("category" or "estate__town_id")."""
    out: dict[str, dict[str, int]] = {}

    def put(rows: Any, figure: str) -> None:
        for key, n in rows:
            out.setdefault(str(key), {k: 0 for k, _ in CASE_COLUMNS})[figure] = n

    put(
        _period(cases, "created_at", start, end).values(by).annotate(n=Count("pk")).values_list(by, "n"),
        "received",
    )
    verified = CaseEvent.objects.filter(kind="rectify", case__in=cases.values("pk"))
    put(
        _period(verified, "at", start, end)
        .values(f"case__{by}")
        .annotate(n=Count("case_id", distinct=True))
        .values_list(f"case__{by}", "n"),
        "verified",
    )
    for status, figure in ((CaseStatus.UNFOUNDED, "unfounded"), (CaseStatus.ACCEPTED, "accepted")):
        put(
            _period(cases.filter(status=status), "closed_at", start, end)
            .values(by)
            .annotate(n=Count("pk"))
            .values_list(by, "n"),
            figure,
        )
    put(
        cases.filter(status__in=IN_RECTIFICATION).values(by).annotate(n=Count("pk")).values_list(by, "n"),
        "rectifying",
    )
    put(cases.filter(overdue_q()).values(by).annotate(n=Count("pk")).values_list(by, "n"), "overdue")
    return out


def closure(cases: QuerySet[Case], start: dt.date, end: dt.date) -> dict[str, Any]:
    """Closure rate (accepted ÷ cases found true, §12: only accepted rectifications count as closed) and the
    median days from receipt to acceptance, for cases accepted in the period."""
    found_true = cases.filter(status__in=[*IN_RECTIFICATION, CaseStatus.ACCEPTED])
    found = _period(found_true, "created_at", CAMPAIGN_START, end).count()
    accepted = _period(cases.filter(status=CaseStatus.ACCEPTED), "closed_at", start, end)
    accepted_all = _period(
        found_true.filter(status=CaseStatus.ACCEPTED), "created_at", CAMPAIGN_START, end
    ).count()
    n, median = _median_days(accepted)
    return {
        "found_true": found,
        "accepted_to_date": accepted_all,
        "rate": round(100 * accepted_all / found, 1) if found else None,
        "median_days": median,
        "accepted_in_period": n,
    }


def state_summary(f: Filters) -> QuerySet[StateSummary]:
    """The `StateSummary` rows under the filters' town, company and category."""
    return f.narrow(StateSummary.objects.order_by(), "town_id")


OPEN_FIELDS = sorted(s.value for s in OPEN_STATES)
OPEN_SUM = Sum(reduce(operator.add, (F(name) for name in OPEN_FIELDS)))


def status_counts(f: Filters) -> dict[str, int]:
    """Cases in each status now (every case of the filters, whatever the period), from the state summary."""
    agg = state_summary(f).aggregate(**{s: Sum(s) for s in CaseStatus.values})
    return {k: int(v or 0) for k, v in agg.items()}


def top_open(f: Filters, by: str, n: int) -> list[dict[str, int]]:
    """The `n` estates or companies (`by`: "estate_id" / "company_id") with the most open cases now, with their
    overdue counts; ties by overdue, then id."""
    qs = state_summary(f)
    if by == "company_id":
        qs = qs.filter(company__isnull=False)
    rows = (
        qs.values(by)
        .annotate(open=OPEN_SUM, overdue=Sum("overdue"))
        .filter(open__gt=0)
        .order_by("-open", "-overdue", by)[:n]
    )
    return [{by: r[by], "open": int(r["open"]), "overdue": int(r["overdue"])} for r in rows]


def closure_summary(f: Filters, start: dt.date, end: dt.date) -> dict[str, Any]:
    """`closure` for the dashboard: from the state summary and the close-days buckets for the campaign to date
    (the default period); a period ending earlier, or a median under a town or company filter, counts the ledger."""
    if f.end is not None:
        return closure(f.cases(), start, end)
    agg = state_summary(f).aggregate(found=Sum("found_since"), accepted=Sum("accepted_since"))
    found, accepted_all = int(agg["found"] or 0), int(agg["accepted"] or 0)
    if start == CAMPAIGN_START and not f.town and not f.company and f.towns is None:
        n, median = _median_from_buckets(f.category)
    else:
        accepted = _period(f.cases().filter(status=CaseStatus.ACCEPTED), "closed_at", start, end)
        n, median = _median_days(accepted)
    return {
        "found_true": found,
        "accepted_to_date": accepted_all,
        "rate": round(100 * accepted_all / found, 1) if found else None,
        "median_days": median,
        "accepted_in_period": n,
    }


def overdue_cases(cases: QuerySet[Case], n: int) -> QuerySet[Case]:
    """The first `n` overdue cases by deadline, then id (as `cases.filter(overdue_q()).order_by("deadline", "id")`),
    without sorting every overdue case: each deadline status is read in the order of its (status, deadline) index;
    cases overdue by the hour with no past deadline day sort after those (NULL deadlines last on PostgreSQL), so
    they are read only when fewer than `n` cases are past their deadline day, or on SQLite (NULLs first)."""
    day = today()
    ids: list[tuple[Any, int]] = []
    for status in sorted(DEADLINE_STATES):
        ids += (
            cases.filter(status=status, deadline__lt=day)
            .order_by("deadline", "id")
            .values_list("deadline", "pk")[:n]
        )
    picked = [pk for _, pk in sorted(ids)[:n]]
    if len(picked) < n or connection.vendor != "postgresql":
        rest = cases.filter(overdue_q()).exclude(deadline__lt=day).order_by("deadline", "id")
        picked += rest.values_list("pk", flat=True)[:n]
    return cases.filter(pk__in=picked).order_by("deadline", "id")[:n]


def _median_from_buckets(category: str) -> tuple[int, float | None]:
    """(how many, median days to close) from `CloseDays`: the middle case's bucket (the mean of the two middle
    ones for an even count), in tenths of a day."""
    qs = CloseDays.objects.order_by()
    if category:
        qs = qs.filter(category=category)
    buckets = sorted(qs.values("tenths").annotate(n=Sum("n")).values_list("tenths", "n"))
    total = sum(n for _, n in buckets)
    if not total:
        return 0, None
    wanted = sorted({(total - 1) // 2, total // 2})
    found: list[int] = []
    seen = 0
    for tenths, n in buckets:
        while wanted and wanted[0] < seen + n:
            found.append(tenths)
            wanted.pop(0)
        seen += n
    value = sum(found) / len(found) * TENTH_OF_DAY / 86400
    return total, round(value, 1)


class _MedianSeconds(Aggregate):
    """PostgreSQL's exact median of an interval, in seconds (the rows never leave the database)."""

    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (%(expressions)s)))"
    output_field = FloatField()


def _median_days(accepted: QuerySet[Case]) -> tuple[int, float | None]:
    """(how many, median days from receipt to acceptance)."""
    duration = ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())
    if connection.vendor == "postgresql":
        agg = accepted.aggregate(n=Count("pk"), m=_MedianSeconds(duration))
        return agg["n"], round(agg["m"] / 86400, 1) if agg["m"] is not None else None
    days = [
        (closed - created).total_seconds() / 86400
        for created, closed in accepted.values_list("created_at", "closed_at").order_by("pk")
        if closed is not None
    ]
    return len(days), round(statistics.median(days), 1) if days else None


def leads_by_channel(
    start: dt.date, end: dt.date, *, town: int | None = None, towns: tuple[int, ...] | None = None
) -> dict[str, int]:
    qs = _period(Lead.objects.all(), "created_at", start, end)
    if towns is not None:
        qs = qs.filter(estate__town_id__in=towns)
    if town:
        qs = qs.filter(estate__town_id=town)
    counts = dict(qs.values("channel").annotate(n=Count("pk")).values_list("channel", "n"))
    return {c.value: counts.get(c.value, 0) for c in Channel}


def revenue_figures(on: dt.date | None = None, *, towns: tuple[int, ...] | None = None) -> dict[str, Any]:
    day = on or today()
    period = disclosure_due_period(day)
    mine = Q() if towns is None else Q(estate__town_id__in=towns)
    estates = Estate.objects.filter(Q() if towns is None else Q(town_id__in=towns)).count()
    accounts = dict(
        RevenueAccount.objects.filter(mine)
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    supervised = accounts.get(AccountStatus.SUPERVISED, 0)
    disclosed = (
        Disclosure.objects.filter(period_key=period.key, account__status=AccountStatus.SUPERVISED)
        .filter(Q() if towns is None else Q(account__estate__town_id__in=towns))
        .values("account_id")
        .distinct()
        .count()
    )
    held = FundDue.objects.filter(
        mine, collected_on__isnull=False, deposited_on__isnull=True, due_date__lt=day
    )
    agg = held.aggregate(total=Sum("amount"), estates=Count("estate", distinct=True), dues=Count("pk"))
    return {
        "estates": estates,
        "accounts_supervised": supervised,
        "accounts_pending": accounts.get(AccountStatus.PENDING, 0),
        "period_label": period.label,
        "disclosed": disclosed,
        "disclosure_rate": round(100 * disclosed / supervised, 1) if supervised else None,
        "fund_overdue_total": agg["total"] or Decimal("0.00"),
        "fund_overdue_estates": agg["estates"] or 0,
        "fund_overdue_dues": agg["dues"] or 0,
    }


def actions_counts(start: dt.date, end: dt.date, *, towns: tuple[int, ...] | None = None) -> dict[str, int]:
    counts = dict(
        CaseAction.objects.filter(date__gte=start, date__lt=end)
        .filter(Q() if towns is None else Q(case__estate__town_id__in=towns))
        .values("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    return {k.value: counts.get(k.value, 0) for k in ActionKind}


def committee_coverage(*, towns: tuple[int, ...] | None = None) -> dict[str, Any]:
    current = Committee.objects.filter(is_current=True)
    if towns is not None:
        current = current.filter(estate__town_id__in=towns)
    agg = current.aggregate(total=Count("pk"), with_org=Count("pk", filter=Q(has_party_org=True)))
    target = Decimal(county_setting("PARTY_ORG_TARGET"))
    total, with_org = agg["total"] or 0, agg["with_org"] or 0
    rate = round(100 * with_org / total, 1) if total else None
    return {
        "total": total,
        "with_org": with_org,
        "rate": rate,
        "target": float(target * 100),
        "met": rate is not None and Decimal(str(rate)) >= target * 100,
    }


def _zero() -> dict[str, int]:
    return {"received": 0, "accepted": 0, "unfounded": 0}


@dataclass
class SummaryTotals:
    received: int = 0
    accepted: int = 0
    unfounded: int = 0
    by_category: dict[str, dict[str, int]] = field(default_factory=dict)
    by_town: dict[int, dict[str, int]] = field(default_factory=dict)
    by_month: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def closed(self) -> int:
        return self.accepted + self.unfounded


SUMS = {"received": Sum("received"), "accepted": Sum("accepted"), "unfounded": Sum("unfounded")}


def summary_totals(
    start: dt.date,
    end: dt.date,
    *,
    town: int | None = None,
    category: str = "",
    estate: int | None = None,
    by_month: bool = False,
    towns: tuple[int, ...] | None = None,
) -> SummaryTotals:
    """Received / accepted / unfounded over [start, end) by category and town (and by month when asked): the whole
    months from `MonthSummary`, the days before and after them (and everything for one estate) from `DailySummary`;
    grouped sums in the database, a few rows back."""
    first = start if start.day == 1 else next_month(start)
    last = end.replace(day=1)
    parts: list[tuple[QuerySet[Any], str]] = []
    daily = DailySummary.objects.order_by()
    if estate or first >= last:
        parts.append((daily.filter(day__gte=start, day__lt=end), "day"))
    else:
        parts.append((daily.filter(day__gte=start, day__lt=first), "day"))
        parts.append((MonthSummary.objects.order_by().filter(month__gte=first, month__lt=last), "month"))
        parts.append((daily.filter(day__gte=last, day__lt=end), "day"))
    out = SummaryTotals()
    for qs, day_field in parts:
        if towns is not None:
            qs = qs.filter(town_id__in=towns)
        if town:
            qs = qs.filter(town_id=town)
        if category:
            qs = qs.filter(category=category)
        if estate:
            qs = qs.filter(estate_id=estate)
        for cat, *sums in qs.values("category").annotate(**SUMS).values_list("category", *SUMS):
            counts = _add(out.by_category, cat, sums)
            out.received += counts[0]
            out.accepted += counts[1]
            out.unfounded += counts[2]
        for town_id, *sums in qs.values("town_id").annotate(**SUMS).values_list("town_id", *SUMS):
            _add(out.by_town, town_id, sums)
        if by_month:
            months = qs.annotate(m=TruncMonth(day_field)).values("m").annotate(**SUMS)
            for m, *sums in months.values_list("m", *SUMS):
                _add(out.by_month, f"{m:%Y-%m}", sums)
    out.by_month = dict(sorted(out.by_month.items()))
    return out


def _add(into: dict[Any, dict[str, int]], key: Any, sums: list[Any]) -> list[int]:
    row = into.setdefault(key, _zero())
    counts = [int(v or 0) for v in sums]
    for k, v in zip(SUMS, counts, strict=True):
        row[k] += v
    return counts


def _counts(sums: list[Any]) -> dict[str, int]:
    return {k: int(v or 0) for k, v in zip(SUMS, sums, strict=True)}


def estate_open_closed(estate: Estate) -> dict[str, int]:
    """The public counts of one estate: open and closed cases (merged ones are counted in the case they joined)."""
    agg = Case.objects.filter(estate=estate).aggregate(
        open=Count("pk", filter=Q(status__in=[CaseStatus.RECEIVED, CaseStatus.VERIFYING, *IN_RECTIFICATION])),
        accepted=Count("pk", filter=Q(status=CaseStatus.ACCEPTED)),
        unfounded=Count("pk", filter=Q(status=CaseStatus.UNFOUNDED)),
    )
    return {k: v or 0 for k, v in agg.items()}


def town_names() -> dict[int, str]:
    return dict(Town.objects.values_list("pk", "name"))


CATEGORY_LABELS: dict[str, str] = {c.value: f"{c.value} {c.label}" for c in Category}
