"""Money is Decimal yuan with two places, never float."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .errors import DomainError

CENT = Decimal("0.01")


def to_yuan(value: Decimal | int | str) -> Decimal:
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_yuan(text: str | int | Decimal | None, *, field: str = "金额", allow_zero: bool = False) -> Decimal:
    """Parse user input such as '1,234.5' or '¥1234.50元' into Decimal yuan, with a Chinese error."""
    if text is None or str(text).strip() == "":
        raise DomainError("不能为空", field=field)
    cleaned = str(text).strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    cleaned = cleaned.removesuffix("元").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise DomainError(f"“{text}”不是有效的金额", field=field) from None
    if not value.is_finite():
        raise DomainError(f"“{text}”不是有效的金额", field=field)
    exponent = value.as_tuple().exponent  # an int once finite ("n", "N", "F" are NaN and infinity)
    if isinstance(exponent, int) and exponent < -2:
        raise DomainError("金额最多保留两位小数（分）", field=field)
    if value < 0 or (value == 0 and not allow_zero):
        raise DomainError("金额必须大于零", field=field)
    return to_yuan(value)


def format_yuan(value: Decimal | None) -> str:
    if value is None:
        return "—"
    value = to_yuan(value)
    sign = "-" if value < 0 else ""
    return f"{sign}¥{abs(value):,.2f}"
