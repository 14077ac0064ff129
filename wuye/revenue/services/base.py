"""Shared pieces of the revenue services: field lists, roles, input checks and permission helpers."""

import datetime as dt
from decimal import Decimal
from typing import Any

from wuye.accounts.models import BUREAU_ROLES, Role, User
from wuye.common.errors import DomainError, NotAllowed
from wuye.common.money import parse_yuan
from wuye.registry.models import Estate
from wuye.registry.selectors import bureau_acts_on_estate

from .. import selectors

ACCOUNT_FIELDS = ("estate", "bank", "number", "holder", "holder_kind", "opened_on", "status")
ENTRY_FIELDS = (
    "account",
    "number",
    "occurred_on",
    "kind",
    "direction",
    "amount",
    "source",
    "use",
    "description",
    "counterparty",
    "usage_contract",
    "resolution",
    "needs_resolution",
    "reverses",
    "reason",
    "is_annulment",
)
MAX_VOUCHERS = 10
# Who may annul an entry (撤销): the task force; the office head leads the task force.
ANNUL_ROLES = frozenset({Role.TASK_FORCE, Role.BUREAU_ADMIN})


def _text(value: str | None, *, field: str, label: str, max_len: int, required: bool = True) -> str:
    """Trimmed text of form field `field` (called `label` in the messages)."""
    value = (value or "").strip()
    if required and not value:
        raise DomainError(f"{label}：不能为空", field=field)
    if len(value) > max_len:
        raise DomainError(f"{label}：不能超过 {max_len} 个字", field=field)
    return value


def _yuan(value: Any, *, field: str, label: str) -> Decimal:
    """An amount of form field `field`; the message names it by `label`."""
    try:
        return parse_yuan(value, field=field)
    except DomainError as exc:
        message = exc.message if exc.message.startswith(label) else f"{label}：{exc.message}"
        raise DomainError(message, field=field) from None


def _is_company_of(user: User, estate: Estate) -> bool:
    return selectors.user_company_runs(user, estate)


def _is_committee_of(user: User, estate: Estate) -> bool:
    return user.role == Role.COMMITTEE_MEMBER and user.estate_id == estate.pk


def _is_bureau(user: User, estate: Estate | None = None) -> bool:
    """A bureau user (of the estate's county, when an estate is named: a bureau acts on its own county only)."""
    return user.role in BUREAU_ROLES and (estate is None or bureau_acts_on_estate(user, estate.pk))


def _require_company(user: User, estate: Estate) -> None:
    if not _is_company_of(user, estate):
        raise NotAllowed("只有该小区现行合同的物业服务企业可以录入和公示公共收益")


def _check_date(
    value: dt.date | None, *, field: str, label: str, not_after: dt.date | None = None
) -> dt.date:
    if value is None:
        raise DomainError(f"{label}：不能为空", field=field)
    if not isinstance(value, dt.date):
        raise DomainError(f"{label}：日期格式不正确", field=field)
    if not_after is not None and value > not_after:
        raise DomainError(f"{label}：不能晚于今天", field=field)
    return value
