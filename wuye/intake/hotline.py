"""12345 政务服务便民热线: import work orders (工单) from the platform's .xlsx/.csv exports, export results back.

Exports vary: a title row above the header, header names that differ, dates as text or Excel serials, full-width
digits, blank rows, GBK-encoded CSV. The 工单编号 is the key; each bad row is reported with the row number Excel
shows; the good rows of a file go in in one transaction.
"""

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from wuye.common.cells import cell_text, parse_when
from wuye.common.errors import DomainError
from wuye.common.uploads import check_xlsx
from wuye.kernel.actors import Actor

from .matching import EstateMatcher
from .models import Channel, Lead, LeadFeedback
from .services import lead_create

SOURCE_PREFIX = "12345:"

HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "number": ("工单编号", "工单号", "工单编码", "工单流水号"),
    "received": ("受理时间", "来电时间", "登记时间", "派单时间", "创建时间"),
    "content": ("诉求内容", "问题描述", "来电内容", "诉求描述", "反映内容", "工单内容"),
    "address": ("诉求地址", "事发地址", "事发地点", "问题地址", "地址"),
    "name": ("来电人", "诉求人", "来电人姓名", "诉求人姓名", "联系人"),
    "phone": ("联系电话", "来电号码", "联系方式", "诉求人电话", "电话"),
    "due": ("办理时限", "办结时限", "处理时限", "承办时限"),
    "kind": ("诉求类型", "工单类型", "诉求类别"),
    "unit": ("承办单位", "责任单位"),
}
LABELS = {"number": "工单编号", "received": "受理时间", "content": "诉求内容", "due": "办理时限"}
ANONYMOUS_NAMES = {"匿名", "匿名来电", "无", "不详", "未知"}
MAX_ROWS = 20000


def _header_key(text: str) -> str | None:
    text = re.sub(r"[\s*:：（）()]", "", cell_text(text))
    for key, names in HEADER_ALIASES.items():
        if text in names:
            return key
    return None


# --- reading the file ------------------------------------------------------------------------------------


def read_rows(data: bytes, filename: str) -> list[tuple[int, list[Any]]]:
    """(row number as Excel shows it, cell values) for every row of the first sheet or the CSV file."""
    name = filename.lower()
    if data[:2] == b"PK" or name.endswith((".xlsx", ".xlsm")):
        check_xlsx(data, field="file")
        try:
            wb = load_workbook(io.BytesIO(data), data_only=True)
        except Exception:
            raise DomainError("无法读取该 Excel 文件（请使用 .xlsx 格式）", field="file") from None
        ws = wb.worksheets[0]
        if ws.max_row > MAX_ROWS:
            raise DomainError(f"文件超过 {MAX_ROWS} 行，请分批导入", field="file")
        return [
            (i, list(row))
            for i, row in enumerate(
                ws.iter_rows(
                    min_row=1, max_row=ws.max_row, min_col=1, max_col=max(1, ws.max_column), values_only=True
                ),
                start=1,
            )
        ]
    if name.endswith(".xls"):
        raise DomainError("不支持旧版 .xls 文件，请另存为 .xlsx 或 .csv", field="file")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DomainError("无法识别文件编码（支持 UTF-8 和 GBK）", field="file")
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if len(rows) > MAX_ROWS:
        raise DomainError(f"文件超过 {MAX_ROWS} 行，请分批导入", field="file")
    return [(i, list(r)) for i, r in enumerate(rows, start=1)]


def find_header(rows: list[tuple[int, list[Any]]]) -> tuple[int, dict[str, int]]:
    """The header row may sit under a title row: the first of the first ten rows naming the key columns."""
    for index, (_, cells) in enumerate(rows[:10]):
        columns: dict[str, int] = {}
        for col, cell in enumerate(cells):
            key = _header_key(cell) if cell is not None else None
            if key and key not in columns:
                columns[key] = col
        if "number" in columns and "content" in columns:
            return index, columns
    raise DomainError(
        "找不到表头：文件前 10 行中需要有“工单编号”和“诉求内容”（或“问题描述”“来电内容”）列", field="file"
    )


# --- import ----------------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    imported: int = 0
    duplicates: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> dict[str, Any]:
        return {"imported": self.imported, "duplicates": self.duplicates, "errors": self.errors}


@dataclass
class ParsedRow:
    row: int
    number: str
    content: str
    received: dt.datetime | None
    due: dt.date | None
    address: str
    name: str
    phone: str
    extra: dict[str, str]


def _parse_row(row: int, cells: list[Any], columns: dict[str, int]) -> ParsedRow | None:
    def cell(key: str) -> Any:
        col = columns.get(key)
        return cells[col] if col is not None and col < len(cells) else None

    if all(cell_text(c) == "" for c in cells):
        return None  # blank row
    number = cell_text(cell("number")).replace(" ", "")
    if not number:
        raise DomainError("缺少工单编号", field="工单编号")
    if len(number) > 60:
        raise DomainError("工单编号过长", field="工单编号")
    content = cell_text(cell("content"))
    if not content:
        raise DomainError("缺少诉求内容", field="诉求内容")
    received = parse_when(cell("received"), label="受理时间")
    if received is not None and received > timezone.now() + dt.timedelta(days=1):
        raise DomainError(f"受理时间“{cell_text(cell('received'))}”晚于今天", field="受理时间")
    due_at = parse_when(cell("due"), label="办理时限")
    name = cell_text(cell("name"))
    phone = re.sub(r"[^\d+\-]", "", cell_text(cell("phone")))
    if name in ANONYMOUS_NAMES:
        name = ""
    return ParsedRow(
        row=row,
        number=number,
        content=content[:5000],
        received=received,
        due=timezone.localtime(due_at).date() if due_at else None,
        address=cell_text(cell("address"))[:300],
        name=name[:60],
        phone=phone[:20],
        extra={k: cell_text(cell(k)) for k in ("kind", "unit") if cell(k) is not None},
    )


def _same_order(a: ParsedRow, b: ParsedRow) -> bool:
    """The same work order repeated in one file: every parsed field equal, only the row number differs."""
    return replace(a, row=0) == replace(b, row=0)


def hotline_import(*, actor: Actor, data: bytes, filename: str, dry_run: bool = False) -> ImportReport:
    """Import one export file. Raises DomainError only for a file that cannot be read at all."""
    if not data:
        raise DomainError("文件是空的", field="file")
    rows = read_rows(data, filename)
    header_index, columns = find_header(rows)
    report = ImportReport(dry_run=dry_run)
    parsed: list[ParsedRow] = []
    seen: dict[str, ParsedRow] = {}
    for row, cells in rows[header_index + 1 :]:
        try:
            item = _parse_row(row, cells, columns)
        except DomainError as exc:
            report.errors.append({"row": row, "reason": exc.message})
            continue
        if item is None:
            continue
        first = seen.get(item.number)
        if first is not None:
            if _same_order(first, item):
                # the platform exported the same work order twice: nothing to fix, nothing new to import
                report.duplicates += 1
            else:
                report.errors.append(
                    {
                        "row": row,
                        "reason": f"工单编号 {item.number} 与第 {first.row} 行重复，但内容不同"
                        f"（第 {first.row} 行与第 {row} 行），请核对后只保留一行",
                    }
                )
            continue
        seen[item.number] = item
        parsed.append(item)
    matcher = EstateMatcher.for_actor(actor)
    with transaction.atomic():
        for item in parsed:
            match = matcher.match(item.address or item.content)
            result = lead_create(
                actor=actor,
                channel=Channel.HOTLINE_12345,
                text=item.content,
                estate=match.estate,
                source_ref=SOURCE_PREFIX + item.number,
                address=item.address,
                complainant_name=item.name,
                complainant_phone=item.phone,
                anonymous=not (item.name or item.phone),
                evidence={
                    "work_order": item.number,
                    "row": item.row,
                    "file": filename[:120],
                    "estate_match": match.evidence(),
                    **item.extra,
                },
                due_date=item.due,
                estate_needs_confirmation=match.needs_confirmation,
                created_at=item.received,
            )
            if result.created:
                report.imported += 1
            else:
                report.duplicates += 1
            report.rows.append(
                {
                    "row": item.row,
                    "number": item.number,
                    "created": result.created,
                    "estate": match.estate.name if match.estate else "",
                    "how": match.how,
                    "matched": match.matched,
                    "tracking_code": result.lead.tracking_code,
                    "address": item.address,
                }
            )
        if dry_run:
            transaction.set_rollback(True)
    report.errors.sort(key=lambda e: e["row"])
    return report


# --- export ----------------------------------------------------------------------------------------------

EXPORT_HEADERS = ["工单编号", "办理结果", "办结时间", "满意度"]


def hotline_export_rows(*, since: dt.date) -> list[list[Any]]:
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    leads = (
        Lead.objects.filter(channel=Channel.HOTLINE_12345, source_ref__startswith=SOURCE_PREFIX)
        .filter(Q(updated_at__gte=start) | Q(case__updated_at__gte=start))
        .select_related("case")
        .order_by("source_ref")
    )
    ratings = dict(
        LeadFeedback.objects.filter(lead__in=leads, rating__isnull=False)
        .order_by("created_at", "id")
        .values_list("lead_id", "rating")
    )
    from .selectors import public_status

    out = []
    for lead in leads:
        status = public_status(lead)
        result = status["label"] + (f"：{status['note']}" if status["note"] else "")
        case = lead.case
        if case is not None and not status["closed"]:
            result += f"（台账编号 {status['case_number'] or case.number}）"
        closed_at = ""
        if status["closed"]:
            when = case.closed_at if case is not None and case.closed_at else lead.updated_at
            closed_at = timezone.localtime(when).strftime("%Y-%m-%d %H:%M")
        rating = ratings.get(lead.pk)
        out.append([lead.source_ref.removeprefix(SOURCE_PREFIX), result, closed_at, rating if rating else ""])
    return out


def hotline_export(*, since: dt.date) -> tuple[bytes, int]:
    """The results for the hotline platform: 工单编号, 办理结果, 办结时间, 满意度 (header in row 1)."""
    rows = hotline_export_rows(since=since)
    wb = Workbook()
    ws = wb.active
    assert isinstance(
        ws, Worksheet
    )  # a new workbook's one sheet; narrows openpyxl's `Worksheet | Chartsheet | None`
    ws.title = "办理结果"
    ws.append(EXPORT_HEADERS)
    for r in rows:
        ws.append(r)
    for col, width in zip("ABCD", (20, 60, 18, 8), strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), len(rows)
