"""Import the special-equipment register (特种设备使用登记台账) of the market regulator: one row per elevator.

Columns: 使用登记证编号 · 小区编码 or 小区名称 · 楼栋 · 单元 · 制造单位 · 型号 · 安装日期 · 最近定期检验日期 · 检验结论 ·
维保单位. Each bad row is reported with the row number Excel shows, the column and the reason; good rows go in;
importing the same file twice changes nothing (elevators are keyed by their registration code).
"""

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from openpyxl import load_workbook

from wuye.common.cells import parse_day
from wuye.common.errors import DomainError
from wuye.common.text import remove_controls
from wuye.common.uploads import check_xlsx
from wuye.kernel.actors import Actor, requires_actor
from wuye.registry.models import Estate
from wuye.registry.services import building_get_or_create

from ..models import InspectionResult
from ._common import require_bureau
from .elevators import elevator_save

COLUMNS: dict[str, tuple[str, ...]] = {
    "reg_code": ("使用登记证编号", "登记证编号", "设备代码", "注册代码"),
    "estate_code": ("小区编码", "小区代码"),
    "estate_name": ("小区名称", "小区", "使用地点"),
    "building": ("楼栋", "楼号", "栋号"),
    "unit": ("单元", "单元号"),
    "maker": ("制造单位", "生产厂家"),
    "model": ("型号", "产品型号", "规格型号"),
    "installed_on": ("安装日期", "投入使用日期"),
    "inspected_on": ("最近定期检验日期", "检验日期", "最近检验日期"),
    "result": ("检验结论", "检验结果"),
    "maintainer": ("维保单位", "维护保养单位"),
}
LABEL = {key: names[0] for key, names in COLUMNS.items()}
RESULTS = {"合格": InspectionResult.PASS, "不合格": InspectionResult.FAIL, "": InspectionResult.NONE}


@dataclass
class RowError:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"第 {self.row} 行【{self.column}】：{self.reason}"


@dataclass
class ElevatorImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.created + self.updated


class _RowProblem(DomainError):
    pass


def _norm(value: Any) -> str:
    return str(value or "").strip().replace(" ", "").replace("\n", "")


def _find_header(rows: list[tuple[Any, ...]]) -> tuple[int, dict[str, int]]:
    for idx, row in enumerate(rows[:10]):
        names = [_norm(v) for v in row]
        mapping = {
            key: names.index(alias) for key, aliases in COLUMNS.items() for alias in aliases if alias in names
        }
        if "reg_code" in mapping and "installed_on" in mapping:
            return idx, mapping
    raise DomainError("找不到表头：需要包含“使用登记证编号”“小区名称”“安装日期”等列", field="file")


def _cell(row: tuple[Any, ...], mapping: dict[str, int], key: str) -> Any:
    col = mapping.get(key)
    if col is None or col >= len(row) or row[col] is None:
        return ""
    value = row[col]
    if isinstance(value, dt.datetime | dt.date):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return remove_controls(str(value)).strip()


def _date(row: tuple[Any, ...], mapping: dict[str, int], key: str, *, required: bool) -> dt.date | None:
    value = _cell(row, mapping, key)  # a cell date as it is, anything else as text (a serial number too)
    try:
        day = parse_day(value, label=LABEL[key])
    except DomainError:
        raise _RowProblem(f"“{value}”不是有效日期（例：2010-05-01）", field=LABEL[key]) from None
    if day is None and required:
        raise _RowProblem("不能为空", field=LABEL[key])
    return day


@requires_actor
def import_elevators(*, actor: Actor, data: bytes) -> ElevatorImportResult:
    require_bureau(actor, what="导入电梯台账")
    check_xlsx(data, field="file")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a file that is not .xlsx
        raise DomainError("无法读取文件：请上传 .xlsx 格式的 Excel 文件", field="file") from None
    rows = [tuple(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    header_idx, mapping = _find_header(rows)
    if "estate_code" not in mapping and "estate_name" not in mapping:
        raise DomainError("Excel 文件缺少必需的列：小区编码或小区名称", field="file")
    result = ElevatorImportResult()
    for number, row in enumerate(rows[header_idx + 1 :], start=header_idx + 2):
        if all(v is None or str(v).strip() == "" for v in row):
            continue
        result.rows += 1
        try:
            with transaction.atomic():
                outcome = _import_row(actor=actor, row=row, mapping=mapping)
        except DomainError as exc:
            result.errors.append(RowError(number, exc.field or "—", exc.message))
            continue
        setattr(result, outcome, getattr(result, outcome) + 1)
    return result


@requires_actor
def _import_row(*, actor: Actor, row: tuple[Any, ...], mapping: dict[str, int]) -> str:
    reg_code = str(_cell(row, mapping, "reg_code"))
    if not reg_code:
        raise _RowProblem("不能为空", field=LABEL["reg_code"])
    code, name = str(_cell(row, mapping, "estate_code")), str(_cell(row, mapping, "estate_name"))
    estate = Estate.objects.filter(code=code).first() if code else Estate.objects.filter(name=name).first()
    if estate is None:
        column = LABEL["estate_code"] if code else LABEL["estate_name"]
        raise _RowProblem(f"基础档案中没有小区“{code or name}”", field=column)
    installed_on = _date(row, mapping, "installed_on", required=True)
    assert installed_on is not None
    inspected_on = _date(row, mapping, "inspected_on", required=False)
    result_text = str(_cell(row, mapping, "result"))
    if result_text not in RESULTS:
        raise _RowProblem(f"“{result_text}”应为“合格”或“不合格”", field=LABEL["result"])
    building_name = str(_cell(row, mapping, "building"))
    building = building_get_or_create(estate=estate, name=building_name)[0] if building_name else None
    existed = bool(estate.elevators.filter(reg_code=reg_code).exists())
    try:
        _, changed = elevator_save(
            actor=actor,
            estate=estate,
            reg_code=reg_code,
            installed_on=installed_on,
            building=building,
            unit_label=str(_cell(row, mapping, "unit")),
            maker=str(_cell(row, mapping, "maker")),
            model_name=str(_cell(row, mapping, "model")),
            last_inspection_on=inspected_on,
            inspection_result=RESULTS[result_text],
            maintainer=str(_cell(row, mapping, "maintainer")),
        )
    except DomainError as exc:
        columns = {"installed_on": LABEL["installed_on"], "last_inspection_on": LABEL["inspected_on"]}
        raise _RowProblem(exc.message, field=columns.get(exc.field or "", exc.field or "—")) from None
    if not changed:
        return "unchanged"
    return "updated" if existed else "created"
