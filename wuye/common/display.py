"""How values read on a page: Chinese labels for codes, rounded shares, shortened titles. Display only."""

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from django.utils import timezone

_MOTION_RE = re.compile(r"^M(\d+)$")
ELLIPSIS = "…"


def motion_no(code: str) -> str:
    """A motion's code as owners read it: "M3" → "第3项"."""
    m = _MOTION_RE.match(code or "")
    return f"第{m.group(1)}项" if m else (code or "")


def pct(part: Decimal | int | float | None, whole: Decimal | int | float | None = None) -> str:
    """A share in percent, rounded half up to two places: pct(66, 154) == "42.86%"; pct(Decimal("42.855"))
    == "42.86%" (a value already in percent when no whole is given)."""
    if part is None:
        return "—"
    try:
        with localcontext() as ctx:
            ctx.prec = 60
            value = Decimal(str(part))
            if whole is not None:
                if not whole:
                    return "—"
                value = value * 100 / Decimal(str(whole))
            return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"
    except InvalidOperation:
        return "—"


def shorten(text: str | None, length: int) -> str:
    """At most `length` characters, ending in "…" when cut (never cut silently)."""
    text = (text or "").strip()
    if len(text) <= length:
        return text
    return text[: max(1, length - 1)].rstrip() + ELLIPSIS


def cn_datetime(value: dt.datetime | None) -> str:
    """One date-time format on every page: "2026年7月3日 09:05"."""
    if value is None:
        return "—"
    v = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{v.year}年{v.month}月{v.day}日 {v:%H:%M}"
