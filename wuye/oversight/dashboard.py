"""The dashboard's data: each chart is a table (its numbers, each with the link to the filtered ledger behind it),
which the page draws with the vendored ECharts, shows beside the chart, and exports to .xlsx."""

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from openpyxl import Workbook
from openpyxl.styles import Font

from wuye.common.dates import cn_date, today
from wuye.intake.models import Channel
from wuye.kernel.case_states import CaseStatus
from wuye.kernel.taxonomy import Category
from wuye.registry.models import Estate, PropertyCompany

from . import stats
from .calendar import previous_month
from .phases import campaign_share, phase_rows
from .selectors import punctuality_counts

TOP = 10
OVERDUE_ROWS = 50


@dataclass
class Chart:
    key: str
    title: str
    kind: str  # "bar" | "line" | "pie" | "gauge" | "none" (table only)
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    # per row, per value column: the ledger URL behind the number ("" when there is none)
    links: list[list[str]] = field(default_factory=list)

    def cells(self) -> list[list[tuple[Any, str]]]:
        out = []
        for i, row in enumerate(self.rows):
            links = self.links[i] if i < len(self.links) else []
            out.append([(v, links[j - 1] if 0 < j <= len(links) else "") for j, v in enumerate(row)])
        return out

    def echarts(self) -> dict[str, Any]:
        """What static/oversight/dashboard.js needs to draw it: categories and one series per value column."""
        return {
            "kind": self.kind,
            "categories": [str(r[0]) for r in self.rows],
            "series": [
                {"name": h, "data": [r[j] if isinstance(r[j], int | float) else 0 for r in self.rows]}
                for j, h in enumerate(self.headers[1:], start=1)
            ],
        }


def ledger_url(f: stats.Filters, **extra: Any) -> str:
    params: dict[str, Any] = {}
    if f.town:
        params["town"] = f.town
    if f.company:
        params["company"] = f.company
    if f.category:
        params["category"] = f.category
    params.update({k: v for k, v in extra.items() if v not in (None, "")})
    return reverse("cases:list") + ("?" + urlencode(params) if params else "")


def build(f: stats.Filters, *, with_people: bool) -> dict[str, Any]:
    """Every chart for the filters. `with_people` False (the city viewer): no person's name anywhere."""
    start, end = f.start, f.end_day()
    period = {"date_from": start.isoformat(), "date_to": (end - dt.timedelta(days=1)).isoformat()}
    totals = stats.summary_totals(start, end, town=f.town, category=f.category, by_month=True, towns=f.towns)
    charts: list[Chart] = []

    # cases by category: received / accepted in the period, from the daily summary
    by_cat = Chart("category", "各类问题受理与销号", "bar", ["问题类别", "受理", "验收销号", "不属实办结"])
    for c in Category:
        if f.category and c.value != f.category:
            continue
        counts = totals.by_category.get(c.value, {"received": 0, "accepted": 0, "unfounded": 0})
        by_cat.rows.append([c.value, counts["received"], counts["accepted"], counts["unfounded"]])
        cf = stats.Filters(town=f.town, company=f.company, category=c.value, towns=f.towns)
        by_cat.links.append(
            [ledger_url(cf, **period), ledger_url(cf, status="accepted"), ledger_url(cf, status="unfounded")]
        )
    if not f.company:  # the summary has no company column: with a company filter, count the ledger
        charts.append(by_cat)

    # over time, by month
    trend = Chart("trend", "每月受理与销号", "line", ["月份", "受理", "验收销号"])
    for key, m in totals.by_month.items():
        trend.rows.append([key, m["received"], m["accepted"]])
    if not f.company:
        charts.append(trend)

    # status now, top estates and companies, closure: from the state summary (kept by the tick)
    cases = f.cases()
    status_counts = stats.status_counts(f)
    st = Chart("status", "事项当前状态", "pie", ["状态", "事项数"])
    for s in CaseStatus:
        st.rows.append([s.label, status_counts.get(s.value, 0)])
        st.links.append([ledger_url(f, status=s.value)])
    charts.append(st)

    closure = stats.closure_summary(f, start, end)
    cl = Chart("closure", "办结率与办理时长", "none", ["指标", "数值"])
    cl.rows = [
        ["核查属实事项", closure["found_true"]],
        ["验收销号", closure["accepted_to_date"]],
        ["办结率（%）", closure["rate"] if closure["rate"] is not None else "—"],
        ["期内销号办结天数中位数", closure["median_days"] if closure["median_days"] is not None else "—"],
    ]
    cl.links = [[""], [ledger_url(f, status="accepted")], [""], [""]]
    charts.append(cl)

    # top estates and companies by open and overdue cases
    top_est = Chart("top_estates", f"在办事项最多的 {TOP} 个小区", "bar", ["小区", "在办", "逾期"])
    rows = stats.top_open(f, "estate_id", TOP)
    names = dict(Estate.objects.filter(pk__in=[r["estate_id"] for r in rows]).values_list("pk", "name"))
    for r in rows:
        top_est.rows.append([names.get(r["estate_id"], ""), r["open"], r["overdue"]])
        top_est.links.append(
            [
                ledger_url(f, estate=r["estate_id"], status="open"),
                ledger_url(f, estate=r["estate_id"], overdue="on"),
            ]
        )
    charts.append(top_est)
    top_co = Chart("top_companies", f"在办事项最多的 {TOP} 家物业企业", "bar", ["物业企业", "在办", "逾期"])
    co_rows = stats.top_open(f, "company_id", TOP)
    cnames = dict(
        PropertyCompany.objects.filter(pk__in=[cr["company_id"] for cr in co_rows]).values_list("pk", "name")
    )
    for cr in co_rows:
        top_co.rows.append([cnames.get(cr["company_id"], ""), cr["open"], cr["overdue"]])
        top_co.links.append(
            [
                ledger_url(f, company=cr["company_id"], status="open"),
                ledger_url(f, company=cr["company_id"], overdue="on"),
            ]
        )
    charts.append(top_co)

    # leads by channel
    leads = stats.leads_by_channel(start, end, town=f.town, towns=f.towns)
    ch = Chart("channels", "问题线索来源渠道", "pie", ["渠道", "线索数"])
    for channel in Channel:
        ch.rows.append([channel.label, leads[channel.value]])
    charts.append(ch)

    # revenue, fund, monthly reports, committees
    rev = stats.revenue_figures(towns=f.towns)
    rv = Chart("revenue", "公共收益与维修资金", "none", ["指标", "数值"])
    rv.rows = [
        ["公共收益账户已纳入监管", rev["accounts_supervised"]],
        ["公共收益账户待纳入监管", rev["accounts_pending"]],
        [f"已按期公示（{rev['period_label']}）", rev["disclosed"]],
        ["公示率（%）", rev["disclosure_rate"] if rev["disclosure_rate"] is not None else "—"],
        ["维修资金逾期未缴存（元）", f"{rev['fund_overdue_total']:.2f}"],
        ["维修资金逾期未缴存涉及小区", rev["fund_overdue_estates"]],
    ]
    charts.append(rv)
    reported = previous_month(previous_month(today()))
    pc = punctuality_counts(reported)
    mr = Chart(
        "reports", f"物业企业月报报送情况（{reported.year}年{reported.month}月）", "pie", ["情况", "份数"]
    )
    mr.rows = [["按时报送", pc["on_time"]], ["逾期报送", pc["late"]], ["未报送", pc["missing"]]]
    charts.append(mr)
    cov = stats.committee_coverage(towns=f.towns)
    cv = Chart("coverage", "业委会（物管会）党组织覆盖率", "gauge", ["指标", "数值"])
    cv.rows = [
        ["覆盖率（%）", cov["rate"] if cov["rate"] is not None else 0],
        ["目标（%）", cov["target"]],
        ["现任业委会（物管会）", cov["total"]],
        ["已建立党组织", cov["with_org"]],
    ]
    charts.append(cv)

    # the overdue list (task force: with the responsible person; city: without any person's name)
    od_headers = ["编号", "小区", "物业企业", "问题类别", "完成时限"]
    if with_people:
        od_headers.append("整改责任人")
    od = Chart("overdue", "逾期未整改事项", "none", od_headers)
    for case in stats.overdue_cases(cases, OVERDUE_ROWS).select_related("estate", "company"):
        line: list[Any] = [
            case.number,
            case.estate.name,
            case.company.name if case.company else "—",
            case.category,
            cn_date(case.deadline),
        ]
        if with_people:
            line.append(case.responsible)
        od.rows.append(line)
        od.links.append([reverse("cases:detail", args=[case.number])])
    charts.append(od)
    return {
        "charts": charts,
        "phases": phase_rows(today()),
        "campaign_share": campaign_share(today()),
        "period": (start, end - dt.timedelta(days=1)),
    }


def xlsx(data: dict[str, Any]) -> bytes:
    """Every chart's table in one workbook (one sheet each), Chinese headers, A4."""
    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for chart in data["charts"]:
        ws = wb.create_sheet(chart.title[:31].replace("/", "、"))
        ws.append([chart.title])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append(chart.headers)
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for row in chart.rows:
            ws.append(row)
        ws.column_dimensions["A"].width = 32
        ws.print_title_rows = "2:2"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        props = ws.sheet_properties.pageSetUpPr
        assert props is not None
        props.fitToPage = True
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
