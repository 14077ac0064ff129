"""Disclosure periods (month or quarter, the county setting DISCLOSURE_PERIOD) with keys like 2025Q1 or 2025-03."""

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from wuye.common.errors import DomainError
from wuye.kernel.conf import county_setting


@dataclass(frozen=True)
class Period:
    key: str
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        if "Q" in self.key:
            year, q = self.key.split("Q")
            return f"{year}年第{q}季度"
        return f"{self.start.year}年{self.start.month}月"

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def next(self) -> "Period":
        return period_of(self.end + dt.timedelta(days=1), kind=self.kind)

    @property
    def kind(self) -> str:
        return "quarter" if "Q" in self.key else "month"


def period_kind() -> str:
    kind = county_setting("DISCLOSURE_PERIOD")
    return kind if kind in ("month", "quarter") else "quarter"


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def period_of(day: dt.date, *, kind: str | None = None) -> Period:
    kind = kind or period_kind()
    if kind == "month":
        return Period(f"{day.year}-{day.month:02d}", day.replace(day=1), _month_end(day.year, day.month))
    q = (day.month - 1) // 3 + 1
    return Period(f"{day.year}Q{q}", dt.date(day.year, 3 * q - 2, 1), _month_end(day.year, 3 * q))


# Year 0000 has no date (datetime starts at year 1): it must fail as a bad key, not a ValueError.
KEY_RE = re.compile(r"^([1-9]\d{3})(?:Q([1-4])|-(0[1-9]|1[0-2]))$")


def period_from_key(key: str) -> Period:
    m = KEY_RE.match(key or "")
    if not m:
        raise DomainError(f"“{key}”不是有效的公示期间（如 2025Q1 或 2025-03）", field="period_key")
    year = int(m.group(1))
    if m.group(2):
        return period_of(dt.date(year, 3 * int(m.group(2)) - 2, 1), kind="quarter")
    return period_of(dt.date(year, int(m.group(3)), 1), kind="month")


def periods_between(first_day: dt.date, last_day: dt.date, *, kind: str | None = None) -> list[Period]:
    """Every period that overlaps [first_day, last_day], in order."""
    out: list[Period] = []
    p = period_of(first_day, kind=kind)
    while p.start <= last_day:
        out.append(p)
        p = period_of(p.end + dt.timedelta(days=1), kind=kind)
    return out


def overlap_months(start: dt.date, end: dt.date, period: Period) -> int:
    """Whole months of [start, end] that fall inside the period (a month counts if the contract runs in it)."""
    lo, hi = max(start, period.start), min(end, period.end)
    if lo > hi:
        return 0
    return (hi.year - lo.year) * 12 + hi.month - lo.month + 1
