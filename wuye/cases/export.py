"""The ledger as .xlsx in the 台账 columns of §4, streamed with openpyxl's write-only mode (10,000 rows in ~1 s)."""

import io
from collections.abc import Iterable
from copy import copy
from typing import Any

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from wuye.common.dates import cn_date
from wuye.kernel.taxonomy import Category

from .models import Case, CaseStatus
from .selectors import channel_label

HEADERS = [
    "序号",
    "问题来源",
    "小区",
    "物业企业",
    "问题类别",
    "问题描述",
    "整改目标",
    "整改措施",
    "责任人",
    "完成时限",
    "进展情况",
    "是否销号",
]
WIDTHS = [6, 14, 16, 22, 20, 40, 26, 30, 10, 14, 30, 9]
EXPORT_LIMIT = 50_000
CATEGORY_LABELS = {c.value: f"{c.value} {c.label}" for c in Category}
STATUS_LABELS = {s.value: str(s.label) for s in CaseStatus}
THIN = Side(style="thin", color="999999")
BORDER = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
WRAP = Alignment(vertical="top", wrap_text=True)


FIELDS = (
    "number",
    "source_channel",
    "estate__name",
    "company__name",
    "category",
    "description",
    "target",
    "measures",
    "responsible",
    "deadline",
    "progress",
    "status",
    "closed_reason",
)


def _progress(r: dict[str, Any]) -> str:
    status = r["status"]
    label = STATUS_LABELS.get(status, status)
    if status == CaseStatus.ACCEPTED:
        return r["closed_reason"] or "已验收销号"
    if status in (CaseStatus.UNFOUNDED, CaseStatus.MERGED):
        return f"{label}：{r['closed_reason']}"
    if r["progress"]:
        return f"{label}：{r['progress']}"
    return label


def rows(records: Iterable[dict[str, Any]]) -> Iterable[list[str | int]]:
    for i, r in enumerate(records, start=1):
        yield [
            i,
            channel_label(r["source_channel"]),
            r["estate__name"],
            r["company__name"] or "（无物业）",
            CATEGORY_LABELS.get(r["category"], r["category"]),
            f"{r['number']} {r['description']}",
            r["target"],
            r["measures"],
            r["responsible"],
            cn_date(r["deadline"]) if r["deadline"] else "",
            _progress(r),
            "是" if r["status"] == CaseStatus.ACCEPTED else "否",
        ]


def ledger_xlsx(cases: QuerySet[Case], *, title: str, limit: int = EXPORT_LIMIT) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title="整治工作台账")
    for idx, width in enumerate(WIDTHS):
        ws.column_dimensions[chr(ord("A") + idx)].width = width
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    head = WriteOnlyCell(ws, value=title)
    head.font = Font(bold=True, size=14)
    ws.append([head])
    header_cells = []
    for h in HEADERS:
        cell = WriteOnlyCell(ws, value=h)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header_cells.append(cell)
    ws.append(header_cells)
    qs = cases.select_related(None).values(*FIELDS)[:limit]
    # Style one cell, then share its style array: setting border and alignment per cell costs more than the data.
    template = WriteOnlyCell(ws, value="")
    template.alignment = WRAP
    template.border = BORDER
    style = template._style  # type: ignore[attr-defined]  # openpyxl's private style array: the stubs omit it
    for values in rows(qs.iterator(chunk_size=2000)):
        out = []
        for v in values:
            cell = WriteOnlyCell(ws, value=v)
            cell._style = copy(style)  # type: ignore[attr-defined]  # as above
            out.append(cell)
        ws.append(out)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
