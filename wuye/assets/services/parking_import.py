"""Import an estate's parking spaces from .xlsx: one row per space.

Columns: 车位号 · 类型 (产权车位 / 共有部位车位 / 开发商出租车位 / 公共临时车位, or 产权 / 共有 / 出租 / 公共) · 使用人（房号） ·
登记车牌 · 月租金（元）. Each bad row is reported with the row number Excel shows, the column and the reason; good rows
go in; importing the same file twice changes nothing (spaces are keyed by the estate and their number).
"""

import io
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from openpyxl import load_workbook

from wuye.common.errors import DomainError
from wuye.common.uploads import check_xlsx
from wuye.kernel.actors import Actor, requires_actor
from wuye.registry.models import Estate

from ..models import ParkingSpace, SpaceKind
from ._common import require_company_or_bureau
from .importer import ElevatorImportResult, RowError, _cell, _norm, _RowProblem
from .parking import parking_space_save

COLUMNS: dict[str, tuple[str, ...]] = {
    "number": ("车位号", "车位编号", "车位"),
    "kind": ("类型", "车位类型", "性质"),
    "user_label": ("使用人（房号）", "使用人(房号)", "使用人", "房号"),
    "plate": ("登记车牌", "车牌号", "车牌"),
    "monthly_rent": ("月租金（元）", "月租金(元)", "月租金"),
}
LABEL = {key: names[0] for key, names in COLUMNS.items()}
KINDS: dict[str, str] = {label: value for value, label in SpaceKind.choices} | {
    "产权": SpaceKind.OWNED,
    "共有": SpaceKind.COMMON,
    "共有部位": SpaceKind.COMMON,
    "出租": SpaceKind.RENTED,
    "开发商出租": SpaceKind.RENTED,
    "公共": SpaceKind.PUBLIC,
    "公共临时": SpaceKind.PUBLIC,
}
FIELD_COLUMN = {"number": LABEL["number"], "kind": LABEL["kind"], "monthly_rent": LABEL["monthly_rent"]}

ParkingImportResult = ElevatorImportResult  # rows, created, updated, unchanged, errors: the same tally


def _find_header(rows: list[tuple[Any, ...]]) -> tuple[int, dict[str, int]]:
    for idx, row in enumerate(rows[:10]):
        names = [_norm(v) for v in row]
        mapping: dict[str, int] = {}
        for key, aliases in COLUMNS.items():
            for alias in aliases:
                if alias in names:
                    mapping[key] = names.index(alias)
                    break
        if "number" in mapping and "kind" in mapping:
            return idx, mapping
    raise DomainError(
        "找不到表头：需要包含“车位号”“类型”列（可选：使用人（房号）、登记车牌、月租金（元））", field="file"
    )


def _rent(row: tuple[Any, ...], mapping: dict[str, int]) -> Decimal | None:
    raw = _cell(row, mapping, "monthly_rent")
    if raw == "":
        return None
    try:
        value = Decimal(str(raw).replace(",", "").replace("元", ""))
    except InvalidOperation:
        raise _RowProblem(f"“{raw}”不是有效金额（例：150）", field=LABEL["monthly_rent"]) from None
    if not value.is_finite() or value < 0 or value >= Decimal("1e8"):
        raise _RowProblem(f"“{raw}”不是有效金额（例：150）", field=LABEL["monthly_rent"])
    return value.quantize(Decimal("0.01"))


@requires_actor
def import_parking_spaces(*, actor: Actor, estate: Estate, data: bytes) -> ElevatorImportResult:
    require_company_or_bureau(actor, estate, what="导入停车位")
    check_xlsx(data, field="file")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a file that is not .xlsx
        raise DomainError("无法读取文件：请上传 .xlsx 格式的 Excel 文件", field="file") from None
    rows = [tuple(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    header_idx, mapping = _find_header(rows)
    result = ParkingImportResult()
    seen: set[str] = set()
    for number, row in enumerate(rows[header_idx + 1 :], start=header_idx + 2):
        if all(v is None or str(v).strip() == "" for v in row):
            continue
        result.rows += 1
        try:
            with transaction.atomic():
                outcome = _import_row(actor=actor, estate=estate, row=row, mapping=mapping, seen=seen)
        except DomainError as exc:
            result.errors.append(RowError(number, exc.field or "—", exc.message))
            continue
        setattr(result, outcome, getattr(result, outcome) + 1)
    return result


@requires_actor
def _import_row(
    *, actor: Actor, estate: Estate, row: tuple[Any, ...], mapping: dict[str, int], seen: set[str]
) -> str:
    number = str(_cell(row, mapping, "number"))
    if not number:
        raise _RowProblem("不能为空", field=LABEL["number"])
    if len(number) > 20:
        raise _RowProblem("车位号不能超过 20 个字符", field=LABEL["number"])
    if number in seen:
        raise _RowProblem(f"车位号“{number}”在本文件中重复", field=LABEL["number"])
    kind_text = _norm(_cell(row, mapping, "kind"))
    if kind_text not in KINDS:
        raise _RowProblem(
            f"“{kind_text}”应为产权车位、共有部位车位、开发商出租车位或公共临时车位", field=LABEL["kind"]
        )
    user_label, plate = str(_cell(row, mapping, "user_label")), str(_cell(row, mapping, "plate"))
    if len(user_label) > 60:
        raise _RowProblem("不能超过 60 个字符", field=LABEL["user_label"])
    if len(plate) > 12:
        raise _RowProblem("不能超过 12 个字符", field=LABEL["plate"])
    rent = _rent(row, mapping)
    seen.add(number)
    existed = ParkingSpace.objects.filter(estate=estate, number=number).exists()
    try:
        _, changed = parking_space_save(
            actor=actor,
            estate=estate,
            number=number,
            kind=KINDS[kind_text],
            user_label=user_label,
            plate=plate,
            monthly_rent=rent,
        )
    except DomainError as exc:
        raise _RowProblem(exc.message, field=FIELD_COLUMN.get(exc.field or "", exc.field or "—")) from None
    if not changed:
        return "unchanged"
    return "updated" if existed else "created"
