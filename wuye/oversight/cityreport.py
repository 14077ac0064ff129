"""The county's monthly report to the city (市住建局): tables of figures, written to .xlsx (openpyxl, A4) and PDF.

`build(month)` gathers the figures once; `to_xlsx` and `to_pdf` lay out the same tables, so both files say the
same. No personal data: counts and sums, town and company names, case numbers and the task force's one-line
summaries only. The late-report table names companies and estates (legal persons and places, not people).
"""

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from wuye.cases.models import ActionKind
from wuye.common.dates import cn_date, today
from wuye.common.pdf import cjk_font, pdf_styles
from wuye.intake.models import Channel
from wuye.kernel.conf import county_setting

from . import stats
from .calendar import next_month, previous_month, report_due_date
from .models import NotableCase
from .phases import CAMPAIGN_START
from .selectors import late_rows, punctuality_counts

THIN = Side(style="thin", color="999999")
BOX = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
PERIOD_FIGURES = ("received", "verified", "unfounded", "accepted")
LABELS = dict(stats.CASE_COLUMNS)


@dataclass
class Table:
    key: str  # the sheet name in the workbook
    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    note: str = ""


@dataclass
class CityReport:
    month: dt.date
    as_of: dt.date
    tables: list[Table]

    @property
    def title(self) -> str:
        return (
            f"{county_setting('COUNTY_NAME')}物业服务整治工作月报（{self.month.year}年{self.month.month}月）"
        )

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value}%"


def _case_table(
    key: str,
    title: str,
    groups: list[tuple[str, str]],
    by: str,
    month: dt.date,
    towns: tuple[int, ...] | None = None,
) -> Table:
    end = next_month(month)
    cases = stats.Filters(towns=towns).cases()
    in_month = stats.case_counts(cases, month, end, by)
    to_date = stats.case_counts(cases, CAMPAIGN_START, end, by)
    headers = [
        "",
        *[f"本月{LABELS[f]}" for f in PERIOD_FIGURES],
        *[f"累计{LABELS[f]}" for f in PERIOD_FIGURES],
        LABELS["rectifying"],
        LABELS["overdue"],
    ]
    headers[0] = "问题类别" if by == "category" else "乡镇/街道"
    zero = {k: 0 for k, _ in stats.CASE_COLUMNS}
    rows: list[list[Any]] = []
    totals = [0] * (len(headers) - 1)
    for code, label in groups:
        m, t = in_month.get(code, zero), to_date.get(code, zero)
        values = [
            *[m[f] for f in PERIOD_FIGURES],
            *[t[f] for f in PERIOD_FIGURES],
            t["rectifying"],
            t["overdue"],
        ]
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        rows.append([label, *values])
    rows.append(["合计", *totals])
    return Table(key, title, headers, rows, note="“当前”两列为报表生成日的状态；累计自 2025 年 1 月 1 日起。")


def build(
    month: dt.date, *, as_of: dt.date | None = None, towns: tuple[int, ...] | None = None
) -> CityReport:
    """The month's report; `towns` (the viewer's counties' towns, registry.selectors.viewer_towns) limits every
    figure to those counties, None is every county."""
    month = month.replace(day=1)
    end = next_month(month)
    day = as_of or today()
    tables: list[Table] = []
    categories = [(code, label) for code, label in stats.CATEGORY_LABELS.items()]
    names = stats.town_names()
    town_rows = sorted(
        ((k, v) for k, v in names.items() if towns is None or k in towns), key=lambda kv: kv[1]
    )
    tables.append(
        _case_table(
            "按问题类别", "一、问题线索和整改情况（按问题类别）", categories, "category", month, towns
        )
    )
    tables.append(
        _case_table(
            "按乡镇街道",
            "二、问题线索和整改情况（按乡镇/街道）",
            [(str(k), v) for k, v in town_rows],
            "estate__town_id",
            month,
            towns,
        )
    )
    cases = stats.Filters(towns=towns).cases()
    cm, ct = stats.closure(cases, month, end), stats.closure(cases, CAMPAIGN_START, end)
    tables.append(
        Table(
            "办结情况",
            "三、办结率和办理时长",
            ["指标", "本月", "累计"],
            [
                ["核查属实事项（累计）", ct["found_true"], ct["found_true"]],
                ["验收销号（累计）", ct["accepted_to_date"], ct["accepted_to_date"]],
                ["办结率（销号÷属实）", _pct(cm["rate"]), _pct(ct["rate"])],
                ["验收销号（期内）", cm["accepted_in_period"], ct["accepted_in_period"]],
                ["办结天数中位数（受理至销号）", cm["median_days"] or "—", ct["median_days"] or "—"],
            ],
            note="办结率只计验收销号的整改事项，不含核查不属实。",
        )
    )
    lm = stats.leads_by_channel(month, end, towns=towns)
    lt = stats.leads_by_channel(CAMPAIGN_START, end, towns=towns)
    channel_rows: list[list[Any]] = [[c.label, lm[c.value], lt[c.value]] for c in Channel]
    channel_rows.append(["合计", sum(lm.values()), sum(lt.values())])
    tables.append(Table("线索来源", "四、问题线索来源渠道", ["渠道", "本月", "累计"], channel_rows))
    rev = stats.revenue_figures(day, towns=towns)
    tables.append(
        Table(
            "公共收益",
            "五、公共收益和维修资金",
            ["指标", "数值"],
            [
                ["小区总数", rev["estates"]],
                ["公共收益账户已纳入监管", rev["accounts_supervised"]],
                ["公共收益账户待纳入监管", rev["accounts_pending"]],
                [f"已按期公示（{rev['period_label']}）", rev["disclosed"]],
                ["公示率（已公示÷已纳入监管）", _pct(rev["disclosure_rate"])],
                ["维修资金逾期未缴存金额（元）", f"{rev['fund_overdue_total']:.2f}"],
                ["维修资金逾期未缴存涉及小区", rev["fund_overdue_estates"]],
            ],
        )
    )
    reported = previous_month(end) if day >= report_due_date(month) else previous_month(month)
    pc = punctuality_counts(reported, on=day)
    late = late_rows(reported, on=day)
    tables.append(
        Table(
            "企业月报",
            f"六、物业服务企业月报报送情况（{reported.year}年{reported.month}月，截止 {cn_date(report_due_date(reported))}）",
            ["指标", "数值"],
            [
                ["应报", pc["owed"]],
                ["按时报送", pc["on_time"]],
                ["逾期报送", pc["late"]],
                ["未报送", pc["missing"]],
            ],
        )
    )
    tables.append(
        Table(
            "月报逾期名单",
            "七、月报逾期和未报送名单",
            ["物业企业", "小区", "截止日", "报送日", "逾期天数"],
            [
                [
                    r.company,
                    r.estate,
                    cn_date(r.due),
                    cn_date(r.submitted_on) if r.submitted_on else "未报送",
                    r.days_late,
                ]
                for r in late
            ],
        )
    )
    am = stats.actions_counts(month, end, towns=towns)
    at = stats.actions_counts(CAMPAIGN_START, end, towns=towns)
    tables.append(
        Table(
            "督办措施",
            "八、约谈、处罚和移送",
            ["措施", "本月", "累计"],
            [[k.label, am[k.value], at[k.value]] for k in ActionKind],
        )
    )
    cov = stats.committee_coverage(towns=towns)
    tables.append(
        Table(
            "党组织覆盖",
            "九、业委会（物管会）党组织覆盖情况",
            ["指标", "数值"],
            [
                ["现任业委会（物管会）", cov["total"]],
                ["已建立党组织", cov["with_org"]],
                ["覆盖率", _pct(cov["rate"])],
                ["目标", _pct(cov["target"])],
                ["是否达标", "达标" if cov["met"] else "未达标"],
            ],
        )
    )
    notable = NotableCase.objects.filter(month=month).select_related("case__estate").order_by("id")
    if towns is not None:
        notable = notable.filter(case__estate__town_id__in=towns)
    tables.append(
        Table(
            "典型案例",
            "十、典型案例",
            ["编号", "小区", "问题类别", "状态", "概述"],
            [
                [
                    n.case.number,
                    n.case.estate.name,
                    stats.CATEGORY_LABELS.get(n.case.category, ""),
                    n.case.get_status_display(),
                    n.summary,
                ]
                for n in notable
            ],
        )
    )
    return CityReport(month=month, as_of=day, tables=tables)


def figures(report: CityReport) -> list[list[Any]]:
    """Every cell of every table, for comparing two runs."""
    return [[t.key, *row] for t in report.tables for row in t.rows]


def to_xlsx(report: CityReport) -> bytes:
    """One sheet per table, each with a title, bold headers repeated on every printed page, A4 fit to width."""
    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for t in report.tables:
        ws = wb.create_sheet(t.key[:31])
        width = max(2, len(t.headers))
        ws.append([t.title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        ws["A1"].font = Font(bold=True, size=13)
        ws["A1"].alignment = Alignment(horizontal="center")
        ws.append([f"{report.title}  数据截至 {cn_date(report.as_of)}"])
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
        ws.append(t.headers)
        for col in range(1, len(t.headers) + 1):
            cell = ws.cell(row=3, column=col)
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
            cell.border = BOX
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for row in t.rows:
            ws.append(row)
        ws.print_options.gridLines = True  # the table's lines on paper without a border object per cell
        if not t.rows:
            ws.append(["（无）"])
        if t.note:
            ws.append([])
            ws.append([f"说明：{t.note}"])
        ws.column_dimensions["A"].width = 30
        for col in range(2, len(t.headers) + 1):
            ws.column_dimensions[get_column_letter(col)].width = 12 if len(t.headers) > 4 else 22
        ws.freeze_panes = "B4"
        ws.print_title_rows = "3:3"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if len(t.headers) > 5 else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        props = ws.sheet_properties.pageSetUpPr
        assert props is not None
        props.fitToPage = True
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_pdf(report: CityReport) -> bytes:
    """The same tables on A4 landscape in the embedded CJK font (wuye.common.pdf)."""
    font = cjk_font()
    styles = pdf_styles()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=report.title,
        invariant=1,
    )
    story: list[Any] = [
        Paragraph(report.title, styles["title"]),
        Paragraph(f"{county_setting('BUREAU_NAME')} · 数据截至 {cn_date(report.as_of)}", styles["small"]),
        Spacer(1, 4 * mm),
    ]
    cell = styles["table"]
    for t in report.tables:
        story.append(Paragraph(t.title, styles["heading"]))
        data = [[Paragraph(str(h), cell) for h in t.headers]]
        data += [[Paragraph(str(v), cell) for v in row] for row in t.rows] or [
            [Paragraph("（无）", cell)] + [""] * (len(t.headers) - 1)
        ]
        first = 60 * mm
        rest = (doc.width - first) / max(1, len(t.headers) - 1)
        table = LongTable(data, colWidths=[first] + [rest] * (len(t.headers) - 1), repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), font),
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDEBF7")),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        story.append(table)
        if t.note:
            story.append(Paragraph(f"说明：{t.note}", styles["small"]))
        story.append(Spacer(1, 5 * mm))
    doc.build(story)
    return buf.getvalue()
