"""Reads of the ledger, scoped by role (§1). Every page and API call goes through `cases_visible_to`."""

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from wuye.accounts.models import BUREAU_ROLES, COUNTY_READ_ROLES, STAFF_ROLES, Role
from wuye.common.dates import cn_date, today
from wuye.common.privacy import mask_name, mask_phone
from wuye.intake.models import Channel, Lead, LeadFeedback
from wuye.intake.selectors import photos_by_lead
from wuye.registry.selectors import counties_visible_to, estate_in_counties_of, estates_served_by

from . import timelimits, workflow
from .models import (
    DEADLINE_STATES,
    OPEN_STATES,
    Case,
    CaseEvent,
    CaseExtension,
    CaseStatus,
    ExtensionStatus,
    Revisit,
    RevisitBatch,
)

DUE_SOON_DAYS = 3
NUMBER_RE = re.compile(r"^[A-Za-z]{1,8}\d{4}-\d{3,}$")


def cases_visible_to(user: Any) -> QuerySet[Case]:
    """Bureau, task force, city, province: their counties (`in_counties_of`). Company staff: their company's cases at estates they serve under a
    current contract. Committee member: their estate. Owners and the public: none (they follow their own leads)."""
    qs = Case.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    role = user.role
    if role in COUNTY_READ_ROLES:
        return qs.filter(estate_in_counties_of(user))
    if role == Role.COMPANY_STAFF and user.company_id:
        # The company's estates are few: a literal id list gives the planner a plain index range on a large ledger.
        estate_ids = list(estates_served_by(user.company_id).values_list("pk", flat=True))
        return qs.filter(estate_id__in=estate_ids, company_id=user.company_id)
    if role == Role.COMMITTEE_MEMBER and user.estate_id:
        return qs.filter(estate_id=user.estate_id)
    return qs.none()


def case_get_visible(user: Any, *, number: str) -> Case:
    case = (
        cases_visible_to(user)
        .select_related("estate__town__county", "company", "created_by", "merged_into")
        .filter(number=number)
        .first()
    )
    if case is None:
        raise Http404("没有找到该事项，或您无权查看")
    return case


def overdue_q(on: dt.date | None = None) -> Q:
    """Past the handling limit (wuye.cases.timelimits: the deadline day, or the hour for an urgent case)."""
    return timelimits.overdue_q(on)


def unsigned_late_q() -> Q:
    """Not signed for (签收) by the company within the sign limit of the case's tier."""
    return timelimits.unsigned_late_q()


@dataclass
class LedgerFilter:
    town: int | None = None
    estate: int | None = None
    company: int | None = None
    category: str = ""
    status: str = ""
    channel: str = ""
    overdue: bool = False
    unsigned: bool = False
    urgent: bool = False
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = ""

    def active(self) -> bool:
        return any(
            [
                self.town,
                self.estate,
                self.company,
                self.category,
                self.status,
                self.channel,
                self.overdue,
                self.unsigned,
                self.urgent,
                self.date_from,
                self.date_to,
                self.q,
            ]
        )


STATUS_FILTERS = {"open": "未办结（全部在办）", **{s.value: s.label for s in CaseStatus}}


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def case_list(user: Any, f: LedgerFilter | None = None) -> QuerySet[Case]:
    """The filtered ledger, newest first, with what a row shows already joined (one query per page)."""
    f = f or LedgerFilter()
    qs = cases_visible_to(user)
    if f.town:
        qs = qs.filter(estate__town_id=f.town)
    if f.estate:
        qs = qs.filter(estate_id=f.estate)
    if f.company:
        qs = qs.filter(company_id=f.company)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.status == "open":
        qs = qs.filter(status__in=OPEN_STATES)
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.channel:
        qs = qs.filter(source_channel=f.channel)
    if f.overdue:
        qs = qs.filter(overdue_q())
    if f.unsigned:
        qs = qs.filter(unsigned_late_q())
    if f.urgent:
        qs = qs.filter(urgent=True)
    # Local-day bounds as aware datetimes, so the created_at index serves the range.
    if f.date_from:
        qs = qs.filter(created_at__gte=_day_start(f.date_from))
    if f.date_to:
        qs = qs.filter(created_at__lt=_day_start(f.date_to + dt.timedelta(days=1)))
    if f.q:
        text = f.q.strip()
        # A case number is looked up exactly; anything else searches descriptions (never OR-ed: the OR would keep
        # PostgreSQL off the trigram index).
        if NUMBER_RE.match(text):
            qs = qs.filter(number=text.upper())
        else:
            qs = qs.filter(description__icontains=text)
    # urgent first, then newest (index case_urgent_created)
    return qs.select_related("estate__town__county", "company").order_by("-urgent", "-created_at", "-id")


COUNT_CAP = 10_000


def count_capped(qs: QuerySet[Any], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """Count up to `cap` rows (a constant-time answer on a million-row ledger); True when there are more."""
    n = qs.order_by().values("pk")[: cap + 1].count()
    return min(n, cap), n > cap


def overdue_count(user: Any) -> tuple[int, bool]:
    """Overdue cases the user can see (capped like the ledger count; True when there are more)."""
    return count_capped(cases_visible_to(user).filter(overdue_q()))


CHANNEL_LABELS: dict[str, str] = {c.value: str(c.label) for c in Channel}


def channel_label(code: str) -> str:
    return CHANNEL_LABELS.get(code, code or "专班立案")


def case_is_overdue(case: Case) -> bool:
    return timelimits.is_overdue(status=case.status, deadline=case.deadline, due_at=case.due_at)


def case_sign_due(case: Case) -> dt.datetime | None:
    """When the company must have signed for the case (None: signed, closed, or no company)."""
    if case.company_id is None or case.signed_at is not None or case.status not in OPEN_STATES:
        return None
    return timelimits.sign_due(
        created_at=case.created_at, urgent=case.urgent, county=timelimits.county_of(case)
    )


def case_sign_late(case: Case) -> bool:
    due = case_sign_due(case)
    return due is not None and due < timezone.now()


def unsigned_late_count(user: Any) -> tuple[int, bool]:
    return count_capped(cases_visible_to(user).filter(unsigned_late_q()))


def case_reports(user: Any, case: Case) -> list[dict[str, Any]]:
    """The reports (leads) merged into a case. Only the task force sees who reported; others never see the
    complainant's name or phone (§1): the fields are left out, not just hidden in the template."""
    rows = []
    sees_identity = getattr(user, "role", None) in BUREAU_ROLES
    leads = list(Lead.objects.filter(case=case).order_by("created_at", "id"))
    photos = photos_by_lead(user, [lead.pk for lead in leads])
    for lead in leads:
        row: dict[str, Any] = {
            "photos": photos.get(lead.pk, []),
            "tracking_code": lead.tracking_code if sees_identity else "",
            "channel": lead.get_channel_display(),
            "created_at": lead.created_at,
            "status": lead.get_status_display(),
            "text": lead.text,
            "lead": lead if sees_identity else None,
        }
        if sees_identity:
            row["complainant_name"] = "（匿名）" if lead.anonymous else (lead.complainant_name or "—")
            row["complainant_phone"] = "" if lead.anonymous else lead.complainant_phone
        else:
            row["text"] = ""  # a resident's own words can identify them; the case description stands for it
        rows.append(row)
    return rows


def case_feedback(user: Any, case: Case) -> list[dict[str, Any]]:
    """Every 回访 answer about the case (its reports' and those of the cases merged into it): ratings and "not
    fixed" reports, oldest first. The complainant's words (and tracking code) only to the task force, like their
    report's text; the company sees the rating, the date and whether it reopened the case."""
    sees_words = getattr(user, "role", None) in BUREAU_ROLES
    answers = (
        LeadFeedback.objects.filter(Q(lead__case=case) | Q(lead__case__merged_into=case))
        .select_related("lead")
        .order_by("created_at", "id")
    )
    return [
        {
            "at": fb.created_at,
            "kind": "反映问题没有解决" if fb.not_fixed else "满意度评价",
            "rating": fb.rating,
            "not_fixed": fb.not_fixed,
            "reopened": fb.reopened,
            "comment": fb.comment if sees_words else "",
            "tracking_code": fb.lead.tracking_code if sees_words else "",
        }
        for fb in answers
    ]


def masked_complainant(name: str, phone: str) -> str:
    return f"{mask_name(name)} {mask_phone(phone)}".strip()


def case_timeline(user: Any, case: Case) -> list[CaseEvent]:
    qs = case.events.select_related("actor").prefetch_related("attachments").order_by("at", "id")
    if getattr(user, "role", None) not in BUREAU_ROLES:
        qs = qs.exclude(kind="note")
    return list(qs)


def case_public_timeline(case: Case) -> list[dict[str, Any]]:
    """Public entries only, for the resident tracking page: no staff notes, no names, no phone numbers."""
    return [
        {"at": e.at, "title": e.title, "text": e.public_text}
        for e in case.events.filter(public=True).order_by("at", "id").only("at", "title", "public_text")
    ]


def deadline_history(case: Case) -> list[dict[str, Any]]:
    rows = []
    for e in case.events.filter(data__has_key="new_deadline").order_by("at", "id"):
        rows.append(
            {
                "at": e.at,
                "title": e.title,
                "old": e.data.get("old_deadline"),
                "new": e.data.get("new_deadline"),
                "by": e.actor_label,
            }
        )
    return rows


def case_extensions(case: Case) -> QuerySet[CaseExtension]:
    return case.extensions.select_related("requested_by", "decided_by").order_by("requested_at", "id")


def pending_extension(case: Case) -> CaseExtension | None:
    return case.extensions.filter(status=ExtensionStatus.PENDING).first()


def next_step(case: Case) -> str:
    """What must happen next, by whom and by when (shown to everyone, worded for the company)."""
    s = case.status
    if s == CaseStatus.RECEIVED:
        return "等待专班核查。"
    if s == CaseStatus.VERIFYING:
        return "专班核查中，核查属实将下达整改要求。"
    if s in DEADLINE_STATES:
        when = cn_date(case.deadline)
        lead = "退回整改：" if s == CaseStatus.RETURNED else ""
        late = "（已逾期）" if case_is_overdue(case) else ""
        return f"{lead}物业企业须在 {when}{late} 前完成整改，并上传整改材料申请验收。"
    if s == CaseStatus.SUBMITTED:
        return "整改材料已提交，等待专班验收。"
    if s == CaseStatus.MERGED:
        return f"已并入事项 {case.merged_into.number if case.merged_into else ''}，请到该事项查看。"
    return "已办结。"


def allowed_operations(user: Any, case: Case, *, listed_only: bool = True) -> list[workflow.Operation]:
    """The operations (`workflow.OPERATIONS`) this user may make on this case now: with `listed_only`, the buttons
    the case page shows; without, also those offered elsewhere on it (deciding a pending extension)."""
    role = getattr(user, "role", "")
    if role == Role.COMPANY_STAFF and case.company_id != getattr(user, "company_id", None):
        return []
    ops = workflow.operations_for(case.status, role, case.company_id)
    if case.signed_at is not None or case.company_id is None:
        ops = [op for op in ops if op.name != "sign"]
    return [op for op in ops if op.listed or not listed_only]


def allowed_actions(user: Any, case: Case) -> list[str]:
    """Names of the operations the page should offer this user on this case."""
    return [op.name for op in allowed_operations(user, case)]


def company_todo(user: Any, limit: int = 30) -> list[Case]:
    """A company's cases that need it: urgent first, then the nearest deadline; cases still to sign for (签收)
    first of all. One index-ordered query per deadline state, merged here: an IN over statuses would make the
    database sort every open case of a large company."""
    base = cases_visible_to(user).select_related("estate__town__county")
    rows: dict[int, Case] = {}
    for status in sorted(DEADLINE_STATES):
        for c in base.filter(status=status).order_by("deadline", "id")[:limit]:
            rows[c.pk] = c
        for c in base.filter(status=status, urgent=True).order_by("deadline", "id")[:limit]:
            rows[c.pk] = c
    for c in base.filter(status__in=OPEN_STATES, signed_at__isnull=True).order_by("-urgent", "created_at")[
        :limit
    ]:
        rows[c.pk] = c
    ordered = sorted(
        rows.values(),
        key=lambda c: (c.signed_at is not None, not c.urgent, c.deadline or dt.date.max, c.pk),
    )
    return ordered[:limit]


def due_soon(on: dt.date | None = None, days: int = DUE_SOON_DAYS) -> QuerySet[Case]:
    on = on or today()
    return (
        Case.objects.filter(
            status__in=DEADLINE_STATES, deadline__gte=on, deadline__lte=on + dt.timedelta(days=days)
        )
        .select_related("estate", "company")
        .order_by("company__name", "deadline", "id")
    )


def revisit_batches(user: Any = None) -> QuerySet[RevisitBatch]:
    """The draws (of the user's counties: drawn there, or holding a case of theirs, when a user is given)."""
    qs = RevisitBatch.objects.order_by("-drawn_at", "-id")
    if user is not None:
        mine = RevisitBatch.objects.filter(
            Q(drawn_by__county__in=counties_visible_to(user)) | Q(revisits__case__in=cases_visible_to(user))
        )
        qs = qs.filter(pk__in=mine.values("pk"))
    return qs


def revisits_of(batch: RevisitBatch) -> QuerySet[Revisit]:
    return batch.revisits.select_related("case__estate", "case__company").order_by(
        "case__estate__code", "case_id"
    )


def _url(name: str, query: str = "") -> str | None:
    try:
        return reverse(name) + query
    except NoReverseMatch:
        return None


def home_panel(user: Any) -> dict[str, Any] | None:
    role = getattr(user, "role", None)
    if role not in STAFF_ROLES:
        return None
    t = today()
    c = cases_visible_to(user).aggregate(
        open=Count("id", filter=Q(status__in=OPEN_STATES)),
        overdue=Count("id", filter=overdue_q(t)),
        submitted=Count("id", filter=Q(status=CaseStatus.SUBMITTED)),
        unverified=Count("id", filter=Q(status__in=[CaseStatus.RECEIVED, CaseStatus.VERIFYING])),
        soon=Count(
            "id",
            filter=Q(
                status__in=DEADLINE_STATES,
                deadline__gte=t,
                deadline__lte=t + dt.timedelta(days=DUE_SOON_DAYS),
            ),
        ),
        accepted=Count("id", filter=Q(status=CaseStatus.ACCEPTED)),
    )
    items: list[tuple[str, Any, str | None]] = [
        ("在办事项", c["open"], _url("cases:list", "?status=open")),
        ("逾期未整改", c["overdue"], _url("cases:list", "?overdue=on")),
        ("待验收", c["submitted"], _url("cases:list", "?status=submitted")),
    ]
    if role in BUREAU_ROLES:
        items.insert(0, ("待核查", c["unverified"], _url("cases:list", "?status=received")))
        unsigned, more = unsigned_late_count(user)
        items.insert(
            2, ("超时未签收", f"{unsigned}+" if more else unsigned, _url("cases:list", "?unsigned=on"))
        )
        items.append(
            (
                "待审批延期",
                CaseExtension.objects.filter(
                    estate_in_counties_of(user, "case__estate"), status=ExtensionStatus.PENDING
                ).count(),
                _url("cases:list", "?status=rectifying"),
            )
        )
    if role == Role.COMPANY_STAFF:
        items.insert(1, ("3 天内到期", c["soon"], _url("cases:list")))
    items.append(("已销号", c["accepted"], _url("cases:list", "?status=accepted")))
    return {"title": "整治台账", "items": items}
