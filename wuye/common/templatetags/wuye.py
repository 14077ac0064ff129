import datetime as dt
from decimal import Decimal
from typing import Any

from django import template

from wuye.common import display
from wuye.common.dates import cn_date as _cn_date
from wuye.common.money import format_yuan
from wuye.common.privacy import mask_phone as _mask_phone

register = template.Library()


@register.filter
def yuan(value: Decimal | None) -> str:
    return format_yuan(value)


@register.filter
def cn_date(value: dt.date | dt.datetime | str | None) -> str:
    """A date, a datetime, or an ISO date string (as events store them) as "2026年7月3日"."""
    if isinstance(value, str):
        if not value:
            return "—"
        try:
            parsed = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
        return _cn_date(parsed)
    return _cn_date(value)


@register.filter
def mask_phone(value: str | None) -> str:
    return _mask_phone(value)


@register.filter
def area(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f} ㎡"


@register.filter
def cn_datetime(value: dt.datetime | None) -> str:
    return display.cn_datetime(value)


@register.filter
def pct(value: Decimal | float | int | None, whole: Decimal | float | int | None = None) -> str:
    """{{ share|pct }} for a value already in percent, {{ part|pct:whole }} for a share; rounded half up."""
    return display.pct(value, whole)


@register.filter
def shorten(value: str | None, length: int = 60) -> str:
    """Like truncatechars, but says so: "…" whenever the text was cut."""
    return display.shorten(value, int(length))


@register.filter
def motion_no(value: str) -> str:
    return display.motion_no(value)


@register.filter
def case_status(value: str | None) -> str:
    """A case state code as the ledger names it ("verifying" → "核实中"); empty and "-" stay empty."""
    if not value or value == "-":
        return ""
    from wuye.kernel.case_states import CaseStatus

    return dict(CaseStatus.choices).get(value, value)


@register.filter
def case_title(case: Any) -> str:
    """A case's short title; a title cut from the description (the first 40 characters) ends in "…"."""
    title, description = case.title or "", case.description or ""
    if title and len(description) > len(title) and description.startswith(title):
        return title.rstrip() + display.ELLIPSIS
    return title


@register.filter
def field_error(message: str, label: str) -> str:
    """An error beside its field reads "label：message", unless the message already names the field (a domain
    error's message is complete on its own: "统一社会信用代码校验位错误…")."""
    text, name = str(message), str(label or "")
    return text if not name or text.startswith(name) else f"{name}：{text}"
