"""The one rule of a case's time limits (issue #13, item 3), as the 12345 hotline counts them.

- Tier: urgent (opened from an urgent lead — 困人、燃气、消防 — or set by the task force), complex (set by the task
  force), else ordinary.
- 签收 (signing for the case): the company acknowledges a new case within CASE_URGENT_SIGN_HOURS (urgent) or
  CASE_SIGN_HOURS, counted from the case's creation. Unsigned past the limit, the task force sees it.
- 办理 (handling): when the task force orders the rectification (or reopens it) without naming a date, the deadline
  is CASE_URGENT_HANDLE_HOURS from then (urgent, to the hour: `Case.due_at`), CASE_HANDLE_DAYS (ordinary) or
  CASE_COMPLEX_HANDLE_DAYS (complex) days. A date given by the task force is due at the end of that day.
- Overdue: in a deadline state, past the deadline day, or past `due_at` when the deadline is to the hour.

Each limit may differ per county (`county`: the case's County or its overrides, see `county_of`); the query over
many cases (`unsigned_late_q`) applies each county's own sign-for limits, and overdue reads the deadline stored
when the rectification was ordered (already the county's).
"""

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone

from wuye.common.dates import now, today
from wuye.kernel.case_states import DEADLINE_STATES, OPEN_STATES
from wuye.kernel.conf import county_setting
from wuye.registry.models import County

TIERS = ("urgent", "ordinary", "complex")


def county_of(case: Any) -> County | None:
    """The county of a case's estate: from `select_related("estate__town__county")` when the caller loaded it
    (list pages do), else one query, remembered on the case."""
    cached = getattr(case, "_county", None)
    if cached is not None or not getattr(case, "estate_id", None):
        return cached
    estate = case._state.fields_cache.get("estate")
    town = estate._state.fields_cache.get("town") if estate is not None else None
    cached = town._state.fields_cache.get("county") if town is not None else None
    if cached is None:
        cached = County.objects.filter(towns__estates=case.estate_id).first()
    case._county = cached
    return cached


def handle_due(
    tier: str, *, start: dt.datetime | None = None, county: Any = None
) -> tuple[dt.date, dt.datetime | None]:
    """The default deadline of a rectification ordered at `start` (default now): (day, exact moment or None)."""
    start = start or now()
    if tier == "urgent":
        due = start + dt.timedelta(hours=county_setting("CASE_URGENT_HANDLE_HOURS", county))
        return timezone.localdate(due), due
    days = county_setting("CASE_COMPLEX_HANDLE_DAYS" if tier == "complex" else "CASE_HANDLE_DAYS", county)
    return timezone.localdate(start) + dt.timedelta(days=days), None


def handle_limit_words(tier: str, county: Any = None) -> str:
    if tier == "urgent":
        return f"{county_setting('CASE_URGENT_HANDLE_HOURS', county)} 小时"
    key = "CASE_COMPLEX_HANDLE_DAYS" if tier == "complex" else "CASE_HANDLE_DAYS"
    return f"{county_setting(key, county)} 天"


def sign_hours(urgent: bool, county: Any = None) -> int:
    return int(county_setting("CASE_URGENT_SIGN_HOURS" if urgent else "CASE_SIGN_HOURS", county))


def sign_due(*, created_at: dt.datetime, urgent: bool, county: Any = None) -> dt.datetime:
    return created_at + dt.timedelta(hours=sign_hours(urgent, county))


def _moment(on: dt.date | None) -> dt.datetime:
    if on is None or on == today():
        return now()
    return timezone.make_aware(dt.datetime.combine(on, dt.time.min))


def overdue_q(on: dt.date | None = None) -> Q:
    """Cases past their handling limit on `on` (default: now)."""
    day = on or today()
    return Q(status__in=DEADLINE_STATES) & (Q(deadline__lt=day) | Q(due_at__lt=_moment(on)))


def is_overdue(*, status: str, deadline: dt.date | None, due_at: dt.datetime | None) -> bool:
    if status not in DEADLINE_STATES:
        return False
    return (deadline is not None and deadline < today()) or (due_at is not None and due_at < now())


def _late(at: dt.datetime, urgent_hours: int, hours: int) -> Q:
    return Q(urgent=True, created_at__lt=at - dt.timedelta(hours=urgent_hours)) | Q(
        urgent=False, created_at__lt=at - dt.timedelta(hours=hours)
    )


def unsigned_late_q(at: dt.datetime | None = None) -> Q:
    """Open cases of a company not signed for within the sign limit of their tier, as the case's county sets it:
    one condition per distinct pair of limits (one when no county overrides them)."""
    at = at or now()
    groups: dict[tuple[int, int], list[int]] = {}
    for county in County.objects.only("pk", "settings").order_by("pk"):
        groups.setdefault((sign_hours(True, county), sign_hours(False, county)), []).append(county.pk)
    if len(groups) <= 1:
        urgent_hours, hours = next(iter(groups), (sign_hours(True), sign_hours(False)))
        late = _late(at, urgent_hours, hours)
    else:
        late = Q(pk__in=[])
        for (urgent_hours, hours), ids in groups.items():
            late |= Q(estate__town__county_id__in=ids) & _late(at, urgent_hours, hours)
    return Q(company__isnull=False, signed_at__isnull=True, status__in=OPEN_STATES) & late
