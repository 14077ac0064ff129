"""Bulk import of emergency supplies from an .xlsx for a company with many estates: one row per supply, the estate
named by its code (or exact name). Each row is stored or refused on its own; a refusal names the row, the column
and the reason."""

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from openpyxl import load_workbook

from wuye.accounts.permissions import person_acting
from wuye.common.cells import parse_day
from wuye.common.errors import DomainError
from wuye.common.uploads import check_xlsx
from wuye.kernel.actors import Actor, ensure_actor, requires_actor
from wuye.registry.models import Estate
from wuye.registry.selectors import estates_served_by

from .safety import supply_record

SUPPLY_COLUMNS = {
    "estate": "小区",
    "name": "物资名称",
    "quantity": "数量",
    "unit_label": "单位",
    "expires_on": "有效期至",
    "location": "存放地点",
}
REQUIRED = ("estate", "name", "quantity")
FIELD_LABEL = {**SUPPLY_COLUMNS, "estate": "小区"}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    errors: list[RowError] = field(default_factory=list)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _date(value: Any) -> dt.date | None:
    try:
        return parse_day(value, label="expires_on")
    except DomainError:
        raise DomainError("日期格式应为 2026-06-30", field="expires_on") from None


def _decimal(value: Any) -> Decimal:
    try:
        number = Decimal(_text(value))
    except InvalidOperation:
        raise DomainError("应为数字", field="quantity") from None
    if not number.is_finite():
        raise DomainError("应为数字", field="quantity")
    return number


def _header(rows: list[tuple[Any, ...]]) -> tuple[int, dict[str, int]]:
    by_label = {label: key for key, label in SUPPLY_COLUMNS.items()}
    for idx, row in enumerate(rows[:5]):
        mapping = {by_label[_text(v)]: i for i, v in enumerate(row) if _text(v) in by_label}
        if "name" in mapping:
            return idx, mapping
    raise DomainError("没有找到表头行（须有“小区”“物资名称”“数量”等列）", field="file")


@requires_actor
@transaction.atomic
def supplies_import(*, actor: Actor, data: bytes) -> ImportResult:
    """Import the company's supplies; each row in its own savepoint (a bad row does not undo the good ones)."""
    user = person_acting(actor, what="导入应急物资")
    check_xlsx(data, field="file")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a file that is not an .xlsx
        raise DomainError("无法读取文件：请上传 .xlsx 格式的 Excel 文件", field="file") from None
    rows = [tuple(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    header_idx, mapping = _header(rows)
    missing = [SUPPLY_COLUMNS[k] for k in REQUIRED if k not in mapping]
    if missing:
        raise DomainError(f"Excel 文件缺少必需的列：{'、'.join(missing)}", field="file")
    served = {e.code: e for e in estates_served_by(user.company_id)}
    by_name = {e.name: e for e in served.values()}
    result = ImportResult()
    for number, row in enumerate(rows[header_idx + 1 :], start=header_idx + 2):
        if all(_text(v) == "" for v in row):
            continue
        result.rows += 1
        values = {k: (row[i] if i < len(row) else None) for k, i in mapping.items()}
        try:
            with transaction.atomic():
                _import_row(actor=actor, values=values, served=served, by_name=by_name)
            result.created += 1
        except DomainError as exc:
            column = SUPPLY_COLUMNS.get(exc.field or "", "—")
            result.errors.append(RowError(number, column, exc.message))
    return result


def _import_row(
    *, actor: Actor, values: dict[str, Any], served: dict[str, Estate], by_name: dict[str, Estate]
) -> None:
    ensure_actor(actor)
    for key in REQUIRED:
        if _text(values.get(key)) == "":
            raise DomainError("不能为空", field=key)
    ref = _text(values["estate"])
    estate = served.get(ref) or by_name.get(ref)
    if estate is None:
        raise DomainError(f"“{ref}”不是贵公司现在服务的小区", field="estate")
    supply_record(
        actor=actor,
        estate=estate,
        name=_text(values["name"]),
        quantity=_decimal(values["quantity"]),
        unit_label=_text(values.get("unit_label")) or "件",
        expires_on=_date(values.get("expires_on")),
        location=_text(values.get("location")),
    )
