"""Due dates of the monthly reports: MONTHLY_REPORT_DAY of the following month, moved to the next working day
when MONTHLY_REPORT_MOVE_TO_WORKDAY is on. Public holidays and make-up working days (调休) come from a CSV file
(HOLIDAYS_FILE, default `wuye/oversight/data/holidays.csv`: `date,kind,name` with kind `holiday` or `workday`),
which the office head extends each year from the State Council's notice (docs/oversight.md)."""

import calendar
import csv
import datetime as dt
from functools import lru_cache
from pathlib import Path

from wuye.kernel.conf import county_setting

DEFAULT_HOLIDAYS = Path(__file__).resolve().parent / "data" / "holidays.csv"


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            day = dt.date.fromisoformat((row.get("date") or "").strip())
            kind = (row.get("kind") or "").strip()
            if kind == "holiday":
                holidays.add(day)
            elif kind == "workday":
                workdays.add(day)
            else:
                raise ValueError(f"{path}: {day} has kind {kind!r} (expected holiday or workday)")
    return frozenset(holidays), frozenset(workdays)


def holiday_file() -> Path:
    configured = str(county_setting("HOLIDAYS_FILE") or "")
    return Path(configured) if configured else DEFAULT_HOLIDAYS


def special_days() -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """(public holidays, make-up working days), re-read when the file changes."""
    path = holiday_file()
    return _load(str(path), path.stat().st_mtime)


def is_working_day(day: dt.date) -> bool:
    holidays, workdays = special_days()
    if day in workdays:
        return True
    if day in holidays:
        return False
    return day.weekday() < 5


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def month_end(month: dt.date) -> dt.date:
    return next_month(month) - dt.timedelta(days=1)


def report_due_date(month: dt.date) -> dt.date:
    """The due date of the report on `month`: the set day of the next month (the month's last day when shorter),
    moved past weekends and public holidays when the county says so."""
    following = next_month(month)
    last = calendar.monthrange(following.year, following.month)[1]
    due = following.replace(day=min(int(county_setting("MONTHLY_REPORT_DAY")), last))
    if county_setting("MONTHLY_REPORT_MOVE_TO_WORKDAY"):
        while not is_working_day(due):
            due += dt.timedelta(days=1)
    return due


def parse_month(value: str) -> dt.date:
    """'2025-06' → 2025-06-01; a ValueError with Chinese words otherwise."""
    try:
        year, mon = value.strip().split("-")
        if not 2000 <= int(year) <= 2100:
            raise ValueError(year)
        return dt.date(int(year), int(mon), 1)
    except (ValueError, TypeError):
        raise ValueError(f"月份“{value}”格式不对，应为 YYYY-MM，例如 2025-06") from None
