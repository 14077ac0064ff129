"""Writes of the monthly reports (月报), their reminders and lateness events, and the daily summary.

A report moves draft → submitted → (returned → submitted)* → accepted; each move locks the row, returns quietly
when already there, and writes its audit entry in the same transaction.
"""

import datetime as dt
import math
import re
from collections.abc import Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.urls import reverse
from django.utils import timezone

from wuye.audit.services import audit_record
from wuye.cases.models import Case
from wuye.cases.selectors import overdue_q
from wuye.common.dates import cn_date, now, today
from wuye.common.errors import DomainError, InvalidTransition, NotAllowed
from wuye.common.uploads import check_upload
from wuye.kernel.actors import Actor, actor_role, actor_user, ensure_actor, requires_actor
from wuye.kernel.case_states import CaseStatus
from wuye.kernel.conf import county_setting
from wuye.kernel.roles import BUREAU_ROLES, Role
from wuye.registry.models import Estate, PropertyCompany
from wuye.registry.selectors import bureau_acts_on_estate, company_serves_estate

from .calendar import month_end, month_start, previous_month, report_due_date
from .models import (
    SUBMITTABLE,
    TENTH_OF_DAY,
    CloseDays,
    DailySummary,
    MonthlyReport,
    MonthlyReportAttachment,
    MonthSummary,
    NotableCase,
    ReminderKind,
    ReportLateness,
    ReportReminder,
    ReportStatus,
    StateSummary,
)
from .notifications import notify_company_staff
from .phases import CAMPAIGN_START
from .selectors import day_start, expected_pairs, first_report_month, month_figures, open_case_lines
from .stats import IN_RECTIFICATION

MAX_ATTACHMENTS = 9
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_TEXT = 10_000
PHONE_IN_TEXT = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def find_phone(text: str) -> bool:
    return bool(PHONE_IN_TEXT.search(text))


def _snap(report: MonthlyReport) -> dict[str, Any]:
    return {
        "status": report.status,
        "figures": report.figures,
        "text": report.text,
        "review_comment": report.review_comment,
    }


def _lock(report: MonthlyReport) -> MonthlyReport:
    return MonthlyReport.objects.select_for_update().select_related("company", "estate").get(pk=report.pk)


def _check_company(actor: Actor, company_id: int, what: str) -> None:
    if (
        actor_role(actor) != Role.COMPANY_STAFF
        or getattr(actor_user(actor), "company_id", None) != company_id
    ):
        raise NotAllowed(f"只有本企业工作人员可以{what}", field="role")


def _check_bureau(actor: Actor, what: str) -> None:
    if actor_role(actor) not in BUREAU_ROLES:
        raise NotAllowed(f"只有专班可以{what}", field="role")


@requires_actor
@transaction.atomic
def report_draft_open(
    *, actor: Actor, company: PropertyCompany, estate: Estate, month: dt.date
) -> tuple[MonthlyReport, bool]:
    """The company's report on `month` for an estate it serves: the existing one, or a new draft prefilled from
    the ledger. Returns (report, created)."""
    _check_company(actor, company.pk, "填写本企业的月报")
    month = month_start(month)
    if month >= month_start(today()):
        raise DomainError("只能填报已经结束的月份", field="month")
    if month < first_report_month():
        raise DomainError(
            f"{month.year}年{month.month}月不需在平台报送月报（自 {first_report_month():%Y-%m} 起报送）",
            field="month",
        )
    if not company_serves_estate(company.pk, estate.pk, on=month_end(month)):
        raise DomainError(f"{estate.name}在该月不由本企业服务，无需报送", field="estate")
    existing = MonthlyReport.objects.filter(company=company, estate=estate, month=month).first()
    if existing is not None:
        return existing, False
    stamp = now()
    try:
        with transaction.atomic():
            report = MonthlyReport.objects.create(
                company=company,
                estate=estate,
                month=month,
                due_date=report_due_date(month),
                figures=month_figures(company_id=company.pk, estate_id=estate.pk, month=month),
                progress_lines=open_case_lines(company_id=company.pk, estate_id=estate.pk),
                created_at=stamp,
                updated_at=stamp,
            )
    except IntegrityError:  # a concurrent first click made it
        return MonthlyReport.objects.get(company=company, estate=estate, month=month), False
    audit_record(actor=actor, action="oversight.report_open", obj=report, after=_snap(report))
    return report, True


@requires_actor
@transaction.atomic
def report_save(
    *,
    actor: Actor,
    report: MonthlyReport,
    text: str,
    attachments: Sequence["UploadedFile[bytes]"] = (),
    refresh_figures: bool = False,
) -> MonthlyReport:
    """Save the free text (and new attachments) of a draft or returned report; a draft's figures may be
    refreshed from the ledger."""
    _check_company(actor, report.company_id, "修改本企业的月报")
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise DomainError(f"工作进展和成效过长（最多 {MAX_TEXT} 字）", field="text")
    files = list(attachments or [])
    checked = [check_upload(f, field="attachments", max_bytes=MAX_ATTACHMENT_BYTES) for f in files]
    locked = _lock(report)
    if locked.status not in SUBMITTABLE:
        raise InvalidTransition(f"月报当前状态为“{locked.get_status_display()}”，不能修改", field="text")
    if locked.attachments.count() + len(checked) > MAX_ATTACHMENTS:
        raise DomainError(f"附件最多 {MAX_ATTACHMENTS} 个", field="attachments")
    before = _snap(locked)
    locked.text = text
    fields = ["text", "updated_at"]
    if refresh_figures and locked.status == ReportStatus.DRAFT:
        locked.figures = month_figures(
            company_id=locked.company_id, estate_id=locked.estate_id, month=locked.month
        )
        locked.progress_lines = open_case_lines(company_id=locked.company_id, estate_id=locked.estate_id)
        fields += ["figures", "progress_lines"]
    stamp = now()
    locked.updated_at = stamp
    locked.save(update_fields=fields)
    names = []
    for f in checked:
        att = MonthlyReportAttachment(
            report=locked,
            original_name=f.name[:200],
            content_type=f.content_type,
            size=len(f.data),
            uploaded_by=actor_user(actor),
            created_at=stamp,
        )
        att.file.save(f.name[-80:], ContentFile(f.data), save=False)
        att.save()
        names.append(att.original_name)
    after = _snap(locked)
    if names:
        after["attachments"] = names
    audit_record(actor=actor, action="oversight.report_save", obj=locked, before=before, after=after)
    return locked


@requires_actor
@transaction.atomic
def report_submit(*, actor: Actor, report: MonthlyReport) -> MonthlyReport:
    """Draft or returned → submitted. The first submission's time is kept: punctuality is judged on it."""
    _check_company(actor, report.company_id, "报送本企业的月报")
    locked = _lock(report)
    if locked.status == ReportStatus.SUBMITTED:
        return locked
    if locked.status not in SUBMITTABLE:
        raise InvalidTransition(f"月报当前状态为“{locked.get_status_display()}”，不能报送", field="status")
    if not locked.text.strip():
        raise DomainError("请先填写工作进展和成效再报送", field="text")
    before = _snap(locked)
    stamp = now()
    locked.status = ReportStatus.SUBMITTED
    locked.submitted_at = stamp
    locked.first_submitted_at = locked.first_submitted_at or stamp
    locked.updated_at = stamp
    locked.save(update_fields=["status", "submitted_at", "first_submitted_at", "updated_at"])
    audit_record(
        actor=actor, action="oversight.report_submit", obj=locked, before=before, after=_snap(locked)
    )
    return locked


@requires_actor
@transaction.atomic
def report_return(*, actor: Actor, report: MonthlyReport, comment: str) -> MonthlyReport:
    """Submitted → returned with the task force's comments (the company revises and submits again)."""
    _check_bureau(actor, "退回月报")
    comment = (comment or "").strip()
    if not comment:
        raise DomainError("退回时请写明修改意见", field="comment")
    locked = _lock(report)
    if locked.status == ReportStatus.RETURNED:
        return locked
    if locked.status != ReportStatus.SUBMITTED:
        raise InvalidTransition(f"月报当前状态为“{locked.get_status_display()}”，不能退回", field="status")
    return _review(actor, locked, ReportStatus.RETURNED, comment, "oversight.report_return")


@requires_actor
@transaction.atomic
def report_accept(*, actor: Actor, report: MonthlyReport, comment: str = "") -> MonthlyReport:
    """Submitted → accepted."""
    _check_bureau(actor, "审核通过月报")
    locked = _lock(report)
    if locked.status == ReportStatus.ACCEPTED:
        return locked
    if locked.status != ReportStatus.SUBMITTED:
        raise InvalidTransition(
            f"月报当前状态为“{locked.get_status_display()}”，不能审核通过", field="status"
        )
    return _review(actor, locked, ReportStatus.ACCEPTED, (comment or "").strip(), "oversight.report_accept")


def _review(actor: Actor, locked: MonthlyReport, status: str, comment: str, action: str) -> MonthlyReport:
    ensure_actor(actor)
    before = _snap(locked)
    stamp = now()
    locked.status = status
    locked.review_comment = comment
    locked.reviewed_at = stamp
    locked.reviewed_by = actor_user(actor)
    locked.updated_at = stamp
    locked.save(update_fields=["status", "review_comment", "reviewed_at", "reviewed_by", "updated_at"])
    audit_record(actor=actor, action=action, obj=locked, before=before, after=_snap(locked), reason=comment)
    return locked


# --- the tick ---------------------------------------------------------------------------------------------------


@requires_actor
@transaction.atomic
def reminders_send(*, actor: Actor, on: dt.date) -> int:
    """On MONTHLY_REPORT_REMIND_DAYS before the due date and on the due date: one reminder per (company, estate,
    month, kind) to a company that has not submitted yet. A second run the same day sends nothing."""
    month = previous_month(on)
    due = report_due_date(month)
    if on == due:
        kind = ReminderKind.DUE_DAY
    elif on == due - dt.timedelta(days=int(county_setting("MONTHLY_REPORT_REMIND_DAYS"))):
        kind = ReminderKind.BEFORE
    else:
        return 0
    done = set(
        MonthlyReport.objects.filter(month=month, first_submitted_at__isnull=False).values_list(
            "company_id", "estate_id"
        )
    )
    reminded = set(
        ReportReminder.objects.filter(month=month, kind=kind).values_list("company_id", "estate_id")
    )
    pairs = [p for p in expected_pairs(month) if p not in done and p not in reminded]
    estates = dict(Estate.objects.filter(pk__in=[e for _, e in pairs]).values_list("pk", "name"))
    companies = dict(PropertyCompany.objects.filter(pk__in=[c for c, _ in pairs]).values_list("pk", "name"))
    sent = 0
    for company_id, estate_id in pairs:
        try:
            with (
                transaction.atomic()
            ):  # a second tick running at the same moment: its insert waits, then fails here
                ReportReminder.objects.create(
                    company_id=company_id, estate_id=estate_id, month=month, kind=kind, sent_at=now()
                )
        except IntegrityError:
            continue
        notify_company_staff(
            actor=actor,
            company_id=company_id,
            key=f"oversight.report:{company_id}:{estate_id}:{month:%Y-%m}:{kind}",
            event="monthly_report_due_today" if kind == ReminderKind.DUE_DAY else "monthly_report_due_soon",
            context={
                "company": companies.get(company_id, ""),
                "estate": estates.get(estate_id, ""),
                "month": f"{month.year}年{month.month}月",
                "due": cn_date(due),
            },
            link=reverse("oversight:reports"),
        )
        sent += 1
    if sent:
        audit_record(
            actor=actor,
            action="oversight.reminders_send",
            object_type="oversight.monthlyreport",
            object_id=f"{month:%Y-%m}",
            after={"kind": kind, "sent": sent},
        )
    return sent


@requires_actor
@transaction.atomic
def lateness_record(*, actor: Actor, on: dt.date) -> int:
    """Record each late or missing report once (the credit module scores these rows): for every month whose due
    date has passed, a pair with no row yet gets one when its report was first submitted after the due date, or
    when it has not been submitted at all. Looks back twelve months."""
    created = 0
    month = previous_month(on)
    for _ in range(12):
        due = report_due_date(month)
        if due < on:
            created += _lateness_for(actor, month, due)
        month = previous_month(month)
    return created


def _lateness_for(actor: Actor, month: dt.date, due: dt.date) -> int:
    ensure_actor(actor)
    recorded = set(ReportLateness.objects.filter(month=month).values_list("company_id", "estate_id"))
    submitted = {
        (c, e): at
        for c, e, at in MonthlyReport.objects.filter(month=month).values_list(
            "company_id", "estate_id", "first_submitted_at"
        )
    }
    rows = []
    for pair in expected_pairs(month):
        if pair in recorded:
            continue
        at = submitted.get(pair)
        if at is None:
            rows.append(ReportLateness(company_id=pair[0], estate_id=pair[1], missing=True, days_late=1))
            continue
        days = (timezone.localtime(at).date() - due).days
        if days > 0:
            rows.append(ReportLateness(company_id=pair[0], estate_id=pair[1], missing=False, days_late=days))
    stamp = now()
    for row in rows:
        row.month, row.due_date, row.recorded_at = month, due, stamp
    ReportLateness.objects.bulk_create(rows, ignore_conflicts=True)
    if rows:
        audit_record(
            actor=actor,
            action="oversight.lateness_record",
            object_type="oversight.reportlateness",
            object_id=f"{month:%Y-%m}",
            after=[
                {
                    "company": r.company_id,
                    "estate": r.estate_id,
                    "missing": r.missing,
                    "days_late": r.days_late,
                }
                for r in rows
            ],
        )
    return len(rows)


@requires_actor
@transaction.atomic
def summary_refresh(*, actor: Actor, since: dt.date | None = None) -> int:
    """Recompute the daily summary from the ledger for the days from `since` (all days when None): rows that
    differ are rewritten, missing ones added, stale ones removed. Running it twice changes nothing."""
    cases = Case.objects.all()
    start = None
    if since is not None:
        start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    received = cases if start is None else cases.filter(created_at__gte=start)
    closed = cases.filter(status__in=[CaseStatus.ACCEPTED, CaseStatus.UNFOUNDED], closed_at__isnull=False)
    if start is not None:
        closed = closed.filter(closed_at__gte=start)
    want: dict[tuple[dt.date, int, str], dict[str, int]] = {}
    towns = dict(Estate.objects.values_list("pk", "town_id"))
    for day, estate_id, category, n in (
        received.annotate(d=TruncDate("created_at"))
        .values("d", "estate_id", "category")
        .annotate(n=Count("pk"))
        .values_list("d", "estate_id", "category", "n")
    ):
        want.setdefault((day, estate_id, category), {"received": 0, "accepted": 0, "unfounded": 0})[
            "received"
        ] = n
    for day, estate_id, category, status, n in (
        closed.annotate(d=TruncDate("closed_at"))
        .values("d", "estate_id", "category", "status")
        .annotate(n=Count("pk"))
        .values_list("d", "estate_id", "category", "status", "n")
    ):
        figure = "accepted" if status == CaseStatus.ACCEPTED else "unfounded"
        want.setdefault((day, estate_id, category), {"received": 0, "accepted": 0, "unfounded": 0})[
            figure
        ] = n
    existing = DailySummary.objects.all() if since is None else DailySummary.objects.filter(day__gte=since)
    have = {(r.day, r.estate_id, r.category): r for r in existing}
    changed = 0
    stale = [r.pk for k, r in have.items() if k not in want]
    if stale:
        DailySummary.objects.filter(pk__in=stale).delete()
        changed += len(stale)
    new, updates = [], []
    for key, counts in want.items():
        row = have.get(key)
        if row is None:
            new.append(
                DailySummary(
                    day=key[0], estate_id=key[1], category=key[2], town_id=towns.get(key[1], 0), **counts
                )
            )
        elif (row.received, row.accepted, row.unfounded) != (
            counts["received"],
            counts["accepted"],
            counts["unfounded"],
        ):
            row.received, row.accepted, row.unfounded = (
                counts["received"],
                counts["accepted"],
                counts["unfounded"],
            )
            updates.append(row)
    DailySummary.objects.bulk_create(new, batch_size=1000)
    DailySummary.objects.bulk_update(updates, ["received", "accepted", "unfounded"], batch_size=1000)
    changed += len(new) + len(updates) + _month_refresh(None if since is None else month_start(since))
    return changed + _state_refresh(towns) + _close_days_refresh()


def _month_refresh(first: dt.date | None) -> int:
    """Re-sum `MonthSummary` from the daily rows for the months from `first` (all when None)."""
    daily = DailySummary.objects.order_by()
    months = MonthSummary.objects.all()
    if first is not None:
        daily, months = daily.filter(day__gte=first), months.filter(month__gte=first)
    figures = ("received", "accepted", "unfounded")
    want = {
        (m, town, cat): dict(zip(figures, sums, strict=True))
        for m, town, cat, *sums in daily.annotate(m=TruncMonth("day"))
        .values("m", "town_id", "category")
        .annotate(**{k: Sum(k) for k in figures})
        .values_list("m", "town_id", "category", *figures)
    }
    have = {(r.month, r.town_id, r.category): r for r in months}
    stale = [r.pk for k, r in have.items() if k not in want]
    if stale:
        MonthSummary.objects.filter(pk__in=stale).delete()
    new, updates = [], []
    for (m, town, cat), sums in want.items():
        row = have.get((m, town, cat))
        if row is None:
            new.append(MonthSummary(month=m, town_id=town, category=cat, **sums))
        elif any(getattr(row, k) != v for k, v in sums.items()):
            for k, v in sums.items():
                setattr(row, k, v)
            updates.append(row)
    MonthSummary.objects.bulk_create(new, batch_size=1000)
    MonthSummary.objects.bulk_update(updates, list(figures), batch_size=1000)
    return len(stale) + len(new) + len(updates)


STATE_FIGURES = (*CaseStatus.values, "overdue", "found_since", "accepted_since")


def _state_refresh(towns: dict[int, int]) -> int:
    """Recount `StateSummary` (the current state: always in full, one grouped pass over the ledger)."""
    since = day_start(CAMPAIGN_START)
    found = [*IN_RECTIFICATION, CaseStatus.ACCEPTED]
    counts = {s: Count("pk", filter=Q(status=s)) for s in CaseStatus.values}
    rows = (
        Case.objects.order_by()
        .values("estate_id", "company_id", "category")
        .annotate(
            **counts,
            overdue=Count("pk", filter=overdue_q()),
            found_since=Count("pk", filter=Q(status__in=found, created_at__gte=since)),
            accepted_since=Count("pk", filter=Q(status=CaseStatus.ACCEPTED, created_at__gte=since)),
        )
        .values_list("estate_id", "company_id", "category", *STATE_FIGURES)
    )
    want = {(e, c, cat): dict(zip(STATE_FIGURES, figures, strict=True)) for e, c, cat, *figures in rows}
    have = {(r.estate_id, r.company_id, r.category): r for r in StateSummary.objects.all()}
    stale = [r.pk for k, r in have.items() if k not in want]
    if stale:
        StateSummary.objects.filter(pk__in=stale).delete()
    new, updates = [], []
    for (estate_id, company_id, category), figures in want.items():
        row = have.get((estate_id, company_id, category))
        if row is None:
            new.append(
                StateSummary(
                    estate_id=estate_id,
                    company_id=company_id,
                    category=category,
                    town_id=towns.get(estate_id, 0),
                    **figures,
                )
            )
        elif any(getattr(row, k) != v for k, v in figures.items()):
            for k, v in figures.items():
                setattr(row, k, v)
            updates.append(row)
    StateSummary.objects.bulk_create(new, batch_size=1000)
    StateSummary.objects.bulk_update(updates, list(STATE_FIGURES), batch_size=1000)
    return len(stale) + len(new) + len(updates)


def _close_days_refresh() -> int:
    """Recount `CloseDays`: cases accepted since the campaign began, per category and tenths of a day to close."""
    accepted = Case.objects.filter(
        status=CaseStatus.ACCEPTED, closed_at__isnull=False, closed_at__gte=day_start(CAMPAIGN_START)
    )
    want: dict[tuple[str, int], int] = {}
    if connection.vendor == "postgresql":
        sql, params = accepted.values("category", "created_at", "closed_at").query.sql_with_params()
        with connection.cursor() as cur:
            cur.execute(
                "SELECT category, GREATEST(0, ROUND(EXTRACT(EPOCH FROM (closed_at - created_at)) / %s))::int,"
                f" count(*) FROM ({sql}) AS accepted GROUP BY 1, 2",
                [TENTH_OF_DAY, *params],
            )
            want = {(cat, tenths): n for cat, tenths, n in cur.fetchall()}
    else:
        for cat, created, closed in accepted.values_list("category", "created_at", "closed_at"):
            assert closed is not None
            key = (cat, max(0, math.floor((closed - created).total_seconds() / TENTH_OF_DAY + 0.5)))
            want[key] = want.get(key, 0) + 1
    have = {(r.category, r.tenths): r for r in CloseDays.objects.all()}
    stale = [r.pk for k, r in have.items() if k not in want]
    if stale:
        CloseDays.objects.filter(pk__in=stale).delete()
    new = [CloseDays(category=k[0], tenths=k[1], n=n) for k, n in want.items() if k not in have]
    updates = []
    for k, n in want.items():
        row = have.get(k)
        if row is not None and row.n != n:
            row.n = n
            updates.append(row)
    CloseDays.objects.bulk_create(new, batch_size=1000)
    CloseDays.objects.bulk_update(updates, ["n"], batch_size=1000)
    return len(stale) + len(new) + len(updates)


@requires_actor
@transaction.atomic
def notable_case_pick(*, actor: Actor, month: dt.date, number: str, summary: str) -> NotableCase:
    """The task force picks a case for the month's report to the city, with a one-line summary."""
    _check_bureau(actor, "选取典型案例")
    summary = (summary or "").strip()
    if not summary:
        raise DomainError("请写一句话概述", field="summary")
    if len(summary) > 200:
        raise DomainError("一句话概述最多 200 字", field="summary")
    if find_phone(summary):
        raise DomainError("概述中不能出现电话号码（报市局的材料不含个人信息）", field="summary")
    case = Case.objects.filter(number=(number or "").strip().upper()).first()
    if case is None or not bureau_acts_on_estate(actor, case.estate_id):
        raise DomainError(f"没有找到编号为“{number}”的事项", field="number")
    month = month_start(month)
    existing = NotableCase.objects.filter(month=month, case=case).first()
    if existing is not None:
        raise DomainError(f"事项 {case.number} 已选为本月典型案例", field="number")
    row = NotableCase.objects.create(
        month=month, case=case, summary=summary, created_by=actor_user(actor), created_at=now()
    )
    audit_record(
        actor=actor, action="oversight.notable_pick", obj=row, after={"case": case.number, "summary": summary}
    )
    return row


@requires_actor
@transaction.atomic
def notable_case_drop(*, actor: Actor, notable: NotableCase) -> None:
    _check_bureau(actor, "移除典型案例")
    row = NotableCase.objects.select_for_update().filter(pk=notable.pk).first()
    if row is None:
        return
    audit_record(
        actor=actor,
        action="oversight.notable_drop",
        obj=row,
        before={"case": row.case_id, "summary": row.summary},
    )
    row.delete()
