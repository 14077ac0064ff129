"""Dates in the cells of an imported sheet, as counties' files carry them: a real cell date, an Excel serial number
(a date cell formatted as a number), or text in the forms clerks type — 2025-06-03, 2025/6/3, 2025.6.3,
2025年6月3日 10时05分, 20250603, in full-width digits too. One reader for every importer (12345 work orders,
elevator and parking registers, the duties' records), so a file one accepts is not refused by another."""

import datetime as dt
import re
import unicodedata
from typing import Any

from django.utils import timezone

from .errors import DomainError
from .text import remove_controls

_DATE_RE = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?(?:\.\d+)?)?$"
)
_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?$")


def cell_text(value: Any) -> str:
    """A cell as clean text: no control characters, full-width forms folded (NFKC), a whole float without ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", remove_controls(str(value))).strip()


def _bad(label: str, raw: Any) -> DomainError:
    return DomainError(f"{label}“{raw}”不是有效的日期", field=label)


def _from_serial(serial: float, *, label: str, raw: Any) -> dt.datetime:
    # Excel's 1900 date system (with its phantom 1900-02-29): serial 1 = 1900-01-01, so day 0 is 1899-12-30.
    if not 20000 <= serial <= 80000:
        raise _bad(label, raw)
    base = dt.datetime(1899, 12, 30)  # noqa: DTZ001 - made aware by the caller
    return base + dt.timedelta(days=serial)


def _naive(value: Any, *, label: str) -> dt.datetime | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        naive = value
    elif isinstance(value, dt.date):
        naive = dt.datetime(value.year, value.month, value.day)  # noqa: DTZ001 - a calendar date
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        naive = _from_serial(float(value), label=label, raw=value)
    else:
        text = cell_text(value)
        text = (
            text.replace("年", "-")
            .replace("月", "-")
            .replace("日", " ")
            .replace("号", " ")
            .replace("时", ":")
            .replace("点", ":")
            .replace("分", "")
            .replace("秒", "")
        )
        text = re.sub(r"\s+", " ", text).strip().rstrip(":")
        if not text:
            return None
        if re.fullmatch(r"\d{5}(\.\d+)?", text):
            naive = _from_serial(float(text), label=label, raw=value)
        else:
            m = _DATE_RE.match(text) or _COMPACT_RE.match(text)
            if not m:
                raise _bad(label, value)
            y, mo, d, h, mi, se = (int(p) if p else 0 for p in m.groups())
            try:
                naive = dt.datetime(y, mo, d, h, mi, se)  # noqa: DTZ001 - made aware by the caller
            except ValueError:
                raise _bad(label, value) from None
    if not 1900 <= naive.year <= 2100:
        raise _bad(label, value)
    return naive


def parse_when(value: Any, *, label: str) -> dt.datetime | None:
    """A moment (aware, in the project's time zone) or None for an empty cell; DomainError naming `label`."""
    naive = _naive(value, label=label)
    if naive is None:
        return None
    if not 1990 <= naive.year:
        raise _bad(label, value)  # a complaint's time: nothing before the hotline existed
    return timezone.make_aware(naive) if timezone.is_naive(naive) else naive


def parse_day(value: Any, *, label: str) -> dt.date | None:
    """A calendar date (an installation date may be in the 1990s or earlier) or None for an empty cell; the time
    of day, if any, is dropped. DomainError naming `label`."""
    naive = _naive(value, label=label)
    if naive is None:
        return None
    if timezone.is_aware(naive):
        return timezone.localdate(naive)
    return naive.date()
