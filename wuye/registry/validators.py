"""统一社会信用代码 (GB 32100-2015): 18 characters, the last a checksum over the first 17."""

from wuye.common.errors import DomainError

CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CHARSET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARSET[(31 - total % 31) % 31]


def validate_credit_code(code: str, *, field: str = "统一社会信用代码") -> str:
    """Return the normalised code or raise a DomainError saying what is wrong, in Chinese."""
    value = (code or "").strip().upper()
    if len(value) != 18:
        raise DomainError(f"统一社会信用代码应为 18 位，实际为 {len(value)} 位", field=field)
    bad = [c for c in value if c not in CREDIT_CHARSET]
    if bad:
        raise DomainError(f"统一社会信用代码含有不允许的字符“{bad[0]}”（不使用 I、O、Z、S、V）", field=field)
    expected = credit_code_check_char(value[:17])
    if value[17] != expected:
        raise DomainError(f"统一社会信用代码校验位错误：第 18 位应为“{expected}”", field=field)
    return value
