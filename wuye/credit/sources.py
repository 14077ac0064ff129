"""Where credit events come from: one small function per source, each yielding `Fact`s from another app's records.

`credit_events_collect` (services) runs every source in `SOURCES` and inserts the facts it has not seen, keyed by
(type, source key): a second run adds nothing. To add a source (docs/credit.md): write a function
`(on: date) -> Iterable[Fact]` here, add its event type to `types.EVENT_TYPES` and its default points to the
county setting CREDIT_EVENT_POINTS, and list it in `SOURCES`. A fact's `summary` is one neutral sentence that
public pages show: never a person's name, a phone number or a complaint's text.
"""

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from wuye.assets.models import Handover
from wuye.cases.models import ActionKind, Case, CaseAction, CaseStatus, Revisit, RevisitResult
from wuye.common.dates import cn_date
from wuye.intake.models import Lead, LeadFeedback, LeadStatus, QuestionnaireResponse
from wuye.kernel.conf import county_setting
from wuye.kernel.taxonomy import Category
from wuye.oversight.models import ReportLateness

from .models import CreditRecord


@dataclass(frozen=True)
class Fact:
    type: str
    key: str
    company_id: int
    estate_id: int | None
    date: dt.date
    summary: str
    source_label: str
    source_url: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def _day(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


def _category(code: str) -> str:
    return Category(code).label if code in Category.values else code


ACTION_TYPES = {
    ActionKind.INTERVIEW: "interview",
    ActionKind.PENALTY: "penalty",
    ActionKind.REFERRAL: "referral",
    ActionKind.RESTRICT_HONOURS: "restrict_honours",
}


def case_actions(on: dt.date) -> Iterator[Fact]:
    """约谈 / 行政处罚 / 移送 / 限制评优评先 recorded on a case (wuye.cases escalations)."""
    qs = CaseAction.objects.filter(kind__in=list(ACTION_TYPES), company__isnull=False, date__lte=on)
    for a in qs.select_related("case__estate").order_by("pk"):
        case = a.case
        what = f"{case.estate.name}“{_category(case.category)}”问题（{case.number}）"
        details: dict[str, Any] = {"category": case.category, "case": case.number}
        if a.kind == ActionKind.PENALTY:
            sentence = f"因{what}被处以罚款 {a.amount:,.2f} 元。"
            details |= {
                "legal_basis": a.legal_basis,
                "decision_number": a.decision_number,
                "amount": str(a.amount),
            }
        elif a.kind == ActionKind.INTERVIEW:
            sentence = f"因{what}整改不力，企业负责人被约谈。"
        elif a.kind == ActionKind.REFERRAL:
            sentence = f"因{what}被移送{a.department}处理。"
        else:
            sentence = f"因{what}被限制参加评优评先。"
            details["period_end"] = a.period_end.isoformat() if a.period_end else None
        yield Fact(
            type=ACTION_TYPES[ActionKind(a.kind)],
            key=f"case_action:{a.pk}",
            company_id=a.company_id,  # type: ignore[arg-type]  # filtered non-null above
            estate_id=case.estate_id,
            date=a.date,
            summary=sentence,
            source_label=f"台账事项 {case.number}",
            source_url=f"/cases/{case.number}/",
            details=details,
        )


def revenue_findings(on: dt.date) -> Iterator[Fact]:
    """A public-revenue check's finding (wuye.revenue checks) that the task force confirmed by opening a case."""
    qs = Lead.objects.filter(
        source_ref__startswith="revenue:",
        status__in=[LeadStatus.CASED, LeadStatus.MERGED],
        case__company__isnull=False,
    )
    for lead in qs.select_related("case__estate").order_by("pk"):
        case = lead.case
        assert case is not None and case.company_id is not None  # filtered above
        day = _day(lead.created_at)
        if day > on:
            continue
        yield Fact(
            type="revenue_finding",
            key=f"lead:{lead.pk}",
            company_id=case.company_id,
            estate_id=case.estate_id,
            date=day,
            summary=f"{case.estate.name}公共收益管理经核查存在违规问题（{case.number}）。",
            source_label=f"公共收益核查 · 台账事项 {case.number}",
            source_url=f"/cases/{case.number}/",
            details={"check": lead.source_ref.split(":")[1], "case": case.number},
        )


def failed_revisits(on: dt.date) -> Iterator[Fact]:
    """回头看: a sampled closed case found not fixed (wuye.cases revisits)."""
    qs = Revisit.objects.filter(
        result=RevisitResult.FAILED, recorded_at__isnull=False, case__company__isnull=False
    ).select_related("case__estate")
    for r in qs.order_by("pk"):
        case = r.case
        assert r.recorded_at is not None and case.company_id is not None  # filtered above
        day = _day(r.recorded_at)
        if day > on:
            continue
        yield Fact(
            type="revisit_failed",
            key=f"revisit:{r.pk}",
            company_id=case.company_id,
            estate_id=case.estate_id,
            date=day,
            summary=f"{case.estate.name}已销号事项（{case.number}）回头看复查不合格，已重新整改。",
            source_label=f"回头看 · 台账事项 {case.number}",
            source_url=f"/cases/{case.number}/",
        )


def cases_closed_early(on: dt.date) -> Iterator[Fact]:
    """A case accepted (销号) at least CREDIT_EARLY_CLOSE_DAYS before its deadline: good information."""
    days = int(county_setting("CREDIT_EARLY_CLOSE_DAYS"))
    qs = Case.objects.filter(
        status=CaseStatus.ACCEPTED, closed_at__isnull=False, deadline__isnull=False, company__isnull=False
    ).select_related("estate")
    for case in qs.order_by("pk"):
        assert case.closed_at is not None and case.deadline is not None and case.company_id is not None
        day = _day(case.closed_at)
        if day > on or day > case.deadline - dt.timedelta(days=days):
            continue
        yield Fact(
            type="closed_early",
            key=f"case_early:{case.pk}",
            company_id=case.company_id,
            estate_id=case.estate_id,
            date=day,
            summary=f"{case.estate.name}“{_category(case.category)}”问题（{case.number}）提前完成整改并通过验收。",
            source_label=f"台账事项 {case.number}",
            source_url=f"/cases/{case.number}/",
        )


def _quarter(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def _quarter_end(year: int, q: int) -> dt.date:
    return dt.date(year, 3 * q, calendar.monthrange(year, 3 * q)[1])


def owners_ratings(on: dt.date) -> Iterator[Fact]:
    """Owners' satisfaction per estate and quarter: 回访 ratings (wuye.intake LeadFeedback) and questionnaires,
    averaged once the quarter has ended; a good or a poor average with enough ratings is one event."""
    groups: dict[tuple[int, int, int, int], list[Decimal]] = defaultdict(list)
    feedback = LeadFeedback.objects.filter(
        rating__isnull=False, lead__case__company__isnull=False, lead__estate__isnull=False
    ).values_list("lead__case__company_id", "lead__estate_id", "created_at", "rating")
    answers = QuestionnaireResponse.objects.filter(company__isnull=False).values_list(
        "company_id", "estate_id", "created_at", "score"
    )
    for company_id, estate_id, at, rating in [*feedback, *answers]:
        year, q = _quarter(_day(at))
        groups[(company_id, estate_id, year, q)].append(Decimal(str(rating)))
    minimum = int(county_setting("CREDIT_SATISFACTION_MIN"))
    good = county_setting("CREDIT_SATISFACTION_GOOD")
    poor = county_setting("CREDIT_SATISFACTION_POOR")
    for (company_id, estate_id, year, q), ratings in sorted(groups.items()):
        end = _quarter_end(year, q)
        if end >= on or len(ratings) < minimum:
            continue
        avg = (sum(ratings, Decimal(0)) / len(ratings)).quantize(Decimal("0.01"))
        if poor < avg < good:
            continue
        kind = "satisfaction_good" if avg >= good else "satisfaction_poor"
        yield Fact(
            type=kind,
            key=f"satisfaction:{company_id}:{estate_id}:{year}Q{q}",
            company_id=company_id,
            estate_id=estate_id,
            date=end,
            summary=f"{year}年第{q}季度业主评价 {len(ratings)} 份，平均 {avg} 分（满分 5 分）。",
            source_label=f"回访与问卷 {year}年第{q}季度",
            details={"count": len(ratings), "average": str(avg)},
        )


def record_fact(r: CreditRecord) -> Fact:
    """The fact of one record the task force entered (the same key whether the record or the tick makes it)."""
    return Fact(
        type=r.type,
        key=f"record:{r.pk}",
        company_id=r.company_id,
        estate_id=r.estate_id,
        date=r.date,
        summary=r.text,
        source_label=f"专班认定{('（' + r.document_no + '）') if r.document_no else ''}",
        details={"document_no": r.document_no},
    )


def task_force_records(on: dt.date) -> Iterator[Fact]:
    """表彰 and one-vote-veto facts the task force entered (CreditRecord)."""
    for r in CreditRecord.objects.filter(date__lte=on).order_by("pk"):
        yield record_fact(r)


def report_lateness(on: dt.date) -> Iterator[Fact]:
    """A company's monthly report (月报) submitted after its due date, or not submitted by it (wuye.oversight):
    one row per company, estate and month, written once by oversight's tick."""
    for r in ReportLateness.objects.select_related("estate").order_by("pk"):
        day = _day(r.recorded_at)
        if day > on:
            continue
        month = f"{r.month.year}年{r.month.month}月"
        late = "截止日未报送" if r.missing else f"逾期 {r.days_late} 天报送"
        yield Fact(
            type="report_missing" if r.missing else "report_late",
            key=f"report_lateness:{r.pk}",
            company_id=r.company_id,
            estate_id=r.estate_id,
            date=day,
            summary=f"{r.estate.name}{month}整改工作月报{late}（截止日 {cn_date(r.due_date)}）。",
            source_label=f"企业月报 · {month}",
            source_url="/oversight/reports/",
            details={"month": r.month.isoformat(), "days_late": r.days_late, "missing": r.missing},
        )


def handovers_overdue(on: dt.date) -> Iterator[Fact]:
    """An outgoing company past its handover deadline with items still open (wuye.assets): one event per
    handover, dated the day it became overdue. Refusing to leave altogether (a veto) stays the task force's call."""
    qs = Handover.objects.filter(overdue_since__isnull=False, outgoing__isnull=False).select_related("estate")
    for h in qs.order_by("pk"):
        assert h.overdue_since is not None and h.outgoing_id is not None  # filtered above
        if h.overdue_since > on:
            continue
        yield Fact(
            type="handover_overdue",
            key=f"handover:{h.pk}",
            company_id=h.outgoing_id,
            estate_id=h.estate_id,
            date=h.overdue_since,
            summary=f"{h.estate.name}物业服务合同终止后，移交期限 {cn_date(h.deadline)} 已过仍未完成移交。",
            source_label="退出与移交",
            source_url=f"/assets/handovers/{h.pk}/",
            details={"deadline": h.deadline.isoformat()},
        )


# every source the collector runs, in order (name → function)
SOURCES: dict[str, Callable[[dt.date], Iterable[Fact]]] = {
    "case_actions": case_actions,
    "revenue_findings": revenue_findings,
    "failed_revisits": failed_revisits,
    "cases_closed_early": cases_closed_early,
    "owners_ratings": owners_ratings,
    "task_force_records": task_force_records,
    "report_lateness": report_lateness,
    "handovers_overdue": handovers_overdue,
}
