"""Mainland mobile numbers as owners and complainants type them (spaces, hyphens, full-width digits, +86)."""

import re

from .errors import DomainError

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalise_phone(phone: str, *, field: str = "phone") -> str:
    value = (phone or "").strip().replace(" ", "").replace("-", "")
    value = value.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    value = value.removeprefix("+86")
    if not PHONE_RE.match(value):
        raise DomainError("请输入 11 位手机号码", field=field)
    return value
