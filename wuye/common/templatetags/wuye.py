from decimal import Decimal

from django import template

from wuye.common.dates import cn_date as _cn_date
from wuye.common.money import format_yuan
from wuye.common.privacy import mask_phone as _mask_phone

register = template.Library()


@register.filter
def yuan(value: Decimal | None) -> str:
    return format_yuan(value)


@register.filter
def cn_date(value):  # type: ignore[no-untyped-def]
    return _cn_date(value)


@register.filter
def mask_phone(value: str | None) -> str:
    return _mask_phone(value)


@register.filter
def area(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f} ㎡"


@register.filter
def field_error(message: str, label: str) -> str:
    """An error beside its field reads "label：message", unless the message already names the field (a domain
    error's message is complete on its own: "统一社会信用代码校验位错误…")."""
    text, name = str(message), str(label or "")
    return text if not name or text.startswith(name) else f"{name}：{text}"
