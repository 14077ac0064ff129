"""Reads of the monthly reports, scoped by role (§1), and the ledger figures a report is prefilled with."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from wuye.cases.models import Case, CaseEvent
from wuye.cases.selectors import overdue_q
from wuye.common.dates import today
from wuye.kernel.case_states import OPEN_STATES
from wuye.kernel.conf import county_setting
from wuye.kernel.roles import BUREAU_ROLES, COUNTY_READ_ROLES, Role
from wuye.kernel.taxonomy import label_of
from wuye.registry.models import Estate, PropertyCompany
from wuye.registry.selectors import contracts_in_force, estate_in_counties_of

from .calendar import month_end, month_start, next_month, previous_month, report_due_date
from .models import MonthlyReport, ReportLateness, ReportStatus

# the structured part of a report: key → label, in the order the form and the city report show them
FIGURES: dict[str, str] = {
    "received": "本月受理",
    "rectified": "本月下达整改",
    "submitted": "本月提交验收",
    "accepted": "本月验收销号",
    "returned": "本月退回整改",
    "overdue": "逾期未整改（月末）",
}
# the timeline event kinds that count for each figure in a month (wuye.cases.services.transitions)
EVENT_KINDS = {"rectified": "rectify", "submitted": "submit", "accepted": "accept", "returned": "return"}
PROGRESS_LINES_MAX = 200


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return day_start(month), day_start(next_month(month))


def reports_visible_to(user: Any) -> QuerySet[MonthlyReport]:
    """County roles: the reports of their counties' estates; company staff: their company's; others: none."""
    qs = MonthlyReport.objects.select_related("company", "estate__town")
    role = getattr(user, "role", None)
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if role in COUNTY_READ_ROLES:
        return qs.filter(estate_in_counties_of(user))
    if role == Role.COMPANY_STAFF and user.company_id:
        return qs.filter(company_id=user.company_id)
    return qs.none()


def report_get_visible(user: Any, *, pk: int) -> MonthlyReport:
    report = reports_visible_to(user).filter(pk=pk).first()
    if report is None:
        raise Http404("没有找到该月报，或您无权查看")
    return report


def month_figures(*, company_id: int, estate_id: int, month: dt.date) -> dict[str, int]:
    """The company's cases at the estate in the month: one count per figure, straight from the ledger."""
    start, end = month_bounds(month)
    cases = Case.objects.filter(company_id=company_id, estate_id=estate_id)
    figures = {
        "received": cases.filter(created_at__gte=start, created_at__lt=end).count(),
        "overdue": cases.filter(overdue_q(min(today(), month_end(month) + dt.timedelta(days=1)))).count(),
    }
    by_kind = dict(
        CaseEvent.objects.filter(
            case__company_id=company_id,
            case__estate_id=estate_id,
            at__gte=start,
            at__lt=end,
            kind__in=EVENT_KINDS.values(),
        )
        .values("kind")
        .annotate(n=Count("case_id", distinct=True))
        .values_list("kind", "n")
    )
    for key, kind in EVENT_KINDS.items():
        figures[key] = by_kind.get(kind, 0)
    return {key: figures[key] for key in FIGURES}


def open_case_lines(*, company_id: int, estate_id: int) -> list[dict[str, str]]:
    """Each open case's progress line (no complainant, no complaint text: the number, category, status, plan)."""
    rows = []
    for case in (
        Case.objects.filter(company_id=company_id, estate_id=estate_id, status__in=OPEN_STATES)
        .only("number", "category", "status", "deadline", "progress", "title")
        .order_by("deadline", "id")[:PROGRESS_LINES_MAX]
    ):
        rows.append(
            {
                "number": case.number,
                "category": label_of(case.category),
                "status": case.get_status_display(),
                "deadline": case.deadline.isoformat() if case.deadline else "",
                "progress": (case.progress or "")[:200],
            }
        )
    return rows


def first_report_month() -> dt.date:
    """MONTHLY_REPORT_FIRST_MONTH ("YYYY-MM") as the first day of that month."""
    year, month = str(county_setting("MONTHLY_REPORT_FIRST_MONTH")).split("-")
    return dt.date(int(year), int(month), 1)


def expected_pairs(month: dt.date) -> list[tuple[int, int]]:
    """(company, estate) pairs that owe a report on `month`: contracts in force at the month's end; none for a
    month before the county switched the reports on (MONTHLY_REPORT_FIRST_MONTH)."""
    if month_start(month) < first_report_month():
        return []
    return sorted(set(contracts_in_force(on=month_end(month)).values_list("company_id", "estate_id")))


def company_due_pairs(company_id: int, month: dt.date) -> list[int]:
    return [estate for company, estate in expected_pairs(month) if company == company_id]


@dataclass
class Punctuality:
    company_id: int
    company: str
    estate_id: int
    estate: str
    month: dt.date
    due: dt.date
    submitted_on: dt.date | None
    days_late: int  # 0: on time (or not yet due)
    missing: bool


def punctuality(month: dt.date, *, on: dt.date | None = None, names: bool = True) -> list[Punctuality]:
    """Every report owed on `month`: when it was first submitted and by how many days late (as of `on`)."""
    day = on or today()
    due = report_due_date(month)
    pairs = expected_pairs(month)
    submitted = {
        (c, e): at
        for c, e, at in MonthlyReport.objects.filter(
            month=month, first_submitted_at__isnull=False
        ).values_list("company_id", "estate_id", "first_submitted_at")
    }
    companies: dict[int, str] = {}
    estates: dict[int, str] = {}
    if names:
        # subqueries, not literal id lists: a county has thousands of estates
        in_force = contracts_in_force(on=month_end(month))
        companies = dict(
            PropertyCompany.objects.filter(pk__in=in_force.values("company_id")).values_list("pk", "name")
        )
        estates = dict(Estate.objects.filter(pk__in=in_force.values("estate_id")).values_list("pk", "name"))
    out = []
    for company_id, estate_id in pairs:
        at = submitted.get((company_id, estate_id))
        sub = timezone.localtime(at).date() if at else None
        if sub is not None:
            late, missing = max(0, (sub - due).days), False
        else:
            late, missing = max(0, (day - due).days), day > due
        out.append(
            Punctuality(
                company_id=company_id,
                company=companies.get(company_id, ""),
                estate_id=estate_id,
                estate=estates.get(estate_id, ""),
                month=month,
                due=due,
                submitted_on=sub,
                days_late=late,
                missing=missing,
            )
        )
    return out


def punctuality_counts(month: dt.date, *, on: dt.date | None = None) -> dict[str, int]:
    rows = punctuality(month, on=on, names=False)
    return {
        "owed": len(rows),
        "on_time": sum(1 for r in rows if r.submitted_on is not None and r.days_late == 0),
        "late": sum(1 for r in rows if r.submitted_on is not None and r.days_late > 0),
        "missing": sum(1 for r in rows if r.missing),
    }


def late_rows(month: dt.date, *, on: dt.date | None = None) -> list[Punctuality]:
    """After the deadline: who is late (or has not reported), most days first."""
    rows = [r for r in punctuality(month, on=on) if r.days_late > 0 or r.missing]
    return sorted(rows, key=lambda r: (-r.days_late, r.company, r.estate))


def lateness_events(*, company_id: int | None = None) -> QuerySet[ReportLateness]:
    qs = ReportLateness.objects.select_related("company", "estate")
    return qs.filter(company_id=company_id) if company_id else qs


def report_list(user: Any, *, month: dt.date | None = None, status: str = "") -> QuerySet[MonthlyReport]:
    qs = reports_visible_to(user)
    if month:
        qs = qs.filter(month=month)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-month", "company__name", "estate__code")


def to_review(user: Any) -> int:
    if getattr(user, "role", None) not in BUREAU_ROLES:
        return 0
    return reports_visible_to(user).filter(status=ReportStatus.SUBMITTED).count()


def editable_for(user: Any, report: MonthlyReport) -> bool:
    return (
        getattr(user, "role", None) == Role.COMPANY_STAFF
        and user.company_id == report.company_id
        and report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)
    )


def home_panel(user: Any) -> dict[str, Any] | None:
    """The work page's panel: a company's reports still owed for last month; the county's reports to review and
    the late ones."""
    role = getattr(user, "role", None)
    if role not in COUNTY_READ_ROLES and role != Role.COMPANY_STAFF:
        return None
    last = previous_month(month_start(today()))
    due = report_due_date(last)
    url = reverse("oversight:reports")
    if role == Role.COMPANY_STAFF:
        owed = set(company_due_pairs(user.company_id or 0, last))
        sent = set(
            MonthlyReport.objects.filter(
                company_id=user.company_id, month=last, first_submitted_at__isnull=False
            ).values_list("estate_id", flat=True)
        )
        items: list[tuple[str, Any, str | None]] = [
            (f"{last.month}月月报待报送（{due.month}月{due.day}日截止）", len(owed - sent), url)
        ]
    else:
        counts = punctuality_counts(last)
        items = [
            ("待审核月报", reports_visible_to(user).filter(status=ReportStatus.SUBMITTED).count(), url),
            (f"{last.month}月月报已报送", counts["on_time"] + counts["late"], f"{url}?month={last:%Y-%m}"),
            (f"{last.month}月月报逾期未报", counts["missing"], f"{url}?month={last:%Y-%m}"),
        ]
    return {"title": "企业月报", "items": items}
