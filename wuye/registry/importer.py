"""Import estates, buildings, units and owners from the bureau's spreadsheet.

One row per unit and owner: 乡镇/街道 · 小区编码 · 小区名称 · 楼栋 · 房号 · 建筑面积 · 业主姓名 · 联系电话 · 开发商持有.
Co-owners are further rows for the same unit (or names joined by 、). Each bad row is reported with the row number
Excel shows, the column and the reason; good rows go in; importing the same file twice changes nothing.
"""

import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from openpyxl import load_workbook

from wuye.common.errors import DomainError
from wuye.common.phones import normalise_phone
from wuye.common.text import remove_controls
from wuye.common.uploads import check_xlsx
from wuye.kernel.actors import Actor

from .models import County, Estate, Town, default_county
from .services import building_get_or_create, estate_save, owner_link, parse_area, unit_upsert

COLUMNS: dict[str, tuple[str, ...]] = {
    "town": ("乡镇/街道", "乡镇", "街道", "所属乡镇"),
    "estate_code": ("小区编码", "小区代码"),
    "estate_name": ("小区名称", "小区"),
    "building": ("楼栋", "楼号", "栋号"),
    "unit": ("房号", "单元房号", "户号"),
    "area": ("建筑面积", "建筑面积(㎡)", "建筑面积（㎡）", "面积", "面积(㎡)", "面积（㎡）", "专有部分面积"),
    "owner": ("业主姓名", "业主", "产权人"),
    "phone": ("联系电话", "手机号", "电话"),
    "developer_held": ("开发商持有", "未售/未交付", "开发建设单位持有"),
}
REQUIRED = ("town", "estate_name", "building", "unit", "area")
LABEL = {key: names[0] for key, names in COLUMNS.items()}


@dataclass
class RowError:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"第 {self.row} 行【{self.column}】：{self.reason}"


@dataclass
class ImportResult:
    rows: int = 0
    estates_created: int = 0
    units_created: int = 0
    units_updated: int = 0
    owners_linked: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.estates_created + self.units_created + self.units_updated + self.owners_linked


def _norm_header(value: Any) -> str:
    return str(value or "").strip().replace(" ", "").replace("\n", "")


def _find_header(rows: list[tuple[Any, ...]]) -> tuple[int, dict[str, int]]:
    for idx, row in enumerate(rows[:10]):
        names = [_norm_header(v) for v in row]
        mapping: dict[str, int] = {}
        for key, aliases in COLUMNS.items():
            for col, name in enumerate(names):
                if name in aliases:
                    mapping[key] = col
                    break
        if "estate_name" in mapping and "unit" in mapping:
            return idx, mapping
    raise DomainError("找不到表头：需要包含“小区名称”“楼栋”“房号”“建筑面积”等列", field="表头")


def _cell(row: tuple[Any, ...], mapping: dict[str, int], key: str) -> str:
    col = mapping.get(key)
    if col is None or col >= len(row) or row[col] is None:
        return ""
    value = row[col]
    if isinstance(value, float) and value.is_integer() and key not in ("area",):
        value = int(value)
    return remove_controls(str(value)).strip()


def _free_code(model: Any, prefix: str, width: int) -> str:
    """The next unused code `prefix + number` (a count would collide once rows were added by hand)."""
    n = model.objects.filter(code__startswith=prefix).count() + 1
    while model.objects.filter(code=f"{prefix}{n:0{width}d}").exists():
        n += 1
    return f"{prefix}{n:0{width}d}"


def import_registry(*, actor: Actor, data: bytes) -> ImportResult:
    check_xlsx(data, field="file")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a non-xlsx file
        raise DomainError("无法读取文件：请上传 .xlsx 格式的 Excel 文件", field="file") from None
    ws = wb.worksheets[0]
    rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    header_idx, mapping = _find_header(rows)
    missing = [LABEL[k] for k in REQUIRED if k not in mapping]
    if missing:
        raise DomainError(f"Excel 文件缺少必需的列：{'、'.join(missing)}", field="file")
    county = default_county()
    result = ImportResult()
    for offset, row in enumerate(rows[header_idx + 1 :], start=header_idx + 2):
        if all(v is None or str(v).strip() == "" for v in row):
            continue
        result.rows += 1
        try:
            with transaction.atomic():
                _import_row(actor=actor, county=county, row=row, mapping=mapping, result=result)
        except DomainError as exc:
            column = exc.field or "—"
            result.errors.append(RowError(offset, column, exc.message))
    return result


def _import_row(
    *, actor: Actor, county: County, row: tuple[Any, ...], mapping: dict[str, int], result: ImportResult
) -> None:
    values = {key: _cell(row, mapping, key) for key in COLUMNS}
    for key in REQUIRED:
        if not values[key]:
            raise DomainError("不能为空", field=LABEL[key])
    area = parse_area(values["area"], field=LABEL["area"])
    names = [
        n.strip() for n in values["owner"].replace(",", "、").replace("，", "、").split("、") if n.strip()
    ]
    phone = normalise_phone(values["phone"], field=LABEL["phone"]) if values["phone"] else ""
    if phone and len(names) > 1:
        raise DomainError("多位共有人在同一行时不能共用一个手机号，请分行填写", field=LABEL["phone"])
    held_text = values["developer_held"]
    if held_text not in ("", "是", "否", "Y", "N", "1", "0"):
        raise DomainError(f"应填“是”或“否”，而不是“{held_text}”", field=LABEL["developer_held"])
    developer_held = held_text in ("是", "Y", "1")
    if not names and not developer_held:
        raise DomainError("不能为空（开发商持有的房屋请在“开发商持有”列填“是”）", field=LABEL["owner"])

    town = Town.objects.filter(county=county, name=values["town"]).first()
    if town is None:
        town = Town.objects.create(
            county=county, code=_free_code(Town, f"{county.code}", 3), name=values["town"]
        )
    estate = None
    if values["estate_code"]:
        estate = Estate.objects.filter(code=values["estate_code"]).first()
    if estate is None:
        estate = Estate.objects.filter(town=town, name=values["estate_name"]).first()
    if estate is None:
        code = values["estate_code"] or _free_code(Estate, "E", 4)
        estate = estate_save(actor=actor, town=town, code=code, name=values["estate_name"])
        result.estates_created += 1
    elif estate.name != values["estate_name"]:
        raise DomainError(f"编码 {estate.code} 对应的小区是“{estate.name}”", field=LABEL["estate_name"])
    building, _ = building_get_or_create(estate=estate, name=values["building"])
    unit, state = unit_upsert(
        actor=actor, building=building, number=values["unit"], area=area, developer_held=developer_held
    )
    if state == "created":
        result.units_created += 1
    elif state == "updated":
        result.units_updated += 1
    for name in names:
        if owner_link(actor=actor, unit=unit, name=name, phone=phone) == "created":
            result.owners_linked += 1
