"""Reads of the credit app: the public lists, the 曝光台, the company's dossier and the consequences of a level."""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from wuye.accounts.models import COUNTY_READ_ROLES, Role, User
from wuye.cases.models import ActionKind, Case, CaseAction, CaseStatus
from wuye.common.dates import today
from wuye.intake.models import LeadFeedback, QuestionnaireResponse
from wuye.kernel.conf import county_setting
from wuye.kernel.taxonomy import Category
from wuye.oversight.models import MonthlyReport, ReportLateness
from wuye.registry.models import Estate, PropertyCompany, ServiceContract
from wuye.registry.selectors import companies_visible_to, contracts_in_force, estate_in_counties_of

from .models import (
    CreditEvent,
    CreditObjection,
    CreditRuleVersion,
    EventStatus,
    Notice,
    NoticeStatus,
    ObjectionStatus,
)
from .scoring import Explanation, explain, explain_all
from .services import add_months
from .types import LEVELS

EXPOSED_TYPES = ("penalty", "interview")


def company_by_code(credit_code: str) -> PropertyCompany:
    company = PropertyCompany.objects.filter(credit_code=credit_code).first()
    if company is None:
        raise Http404("没有找到该企业")
    return company


def company_visible_to(user: User, credit_code: str) -> PropertyCompany:
    """The bureau's dossier: the county's roles see every company; a company's staff its own."""
    company = company_by_code(credit_code)
    if user.role in COUNTY_READ_ROLES and companies_visible_to(user).filter(pk=company.pk).exists():
        return company  # a company of the user's counties (registered, serving or having served there)
    if user.role == Role.COMPANY_STAFF and user.company_id == company.pk:
        return company
    raise Http404("没有找到该企业")


# --- 曝光台 ------------------------------------------------------------------------------------------------------


def exposure_items(*, year: int | None = None, company_id: int | None = None) -> QuerySet[CreditEvent]:
    """Penalties and interviews decided, kept public for EXPOSURE_RETENTION_MONTHS (annulled ones withdrawn)."""
    since = add_months(today(), -int(county_setting("EXPOSURE_RETENTION_MONTHS")))
    open_objection = CreditObjection.objects.filter(event=OuterRef("pk"), status=ObjectionStatus.OPEN)
    qs = (
        CreditEvent.objects.filter(type__in=EXPOSED_TYPES, date__gt=since, date__lte=today())
        .exclude(status=EventStatus.ANNULLED)
        .annotate(disputed=Exists(open_objection))
        .select_related("company", "estate")
        .order_by("-date", "-id")
    )
    if year:
        qs = qs.filter(date__year=year)
    if company_id:
        qs = qs.filter(company_id=company_id)
    return qs


def exposure_years() -> list[int]:
    return sorted({d.year for d in exposure_items().values_list("date", flat=True)}, reverse=True)


def exposure_companies() -> QuerySet[PropertyCompany]:
    ids = exposure_items().values_list("company_id", flat=True)
    return PropertyCompany.objects.filter(pk__in=ids).order_by("name")


# --- public pages -------------------------------------------------------------------------------------------------


def disputed_events(company: PropertyCompany) -> QuerySet[CreditEvent]:
    return (
        CreditEvent.objects.filter(company=company, objections__status=ObjectionStatus.OPEN)
        .select_related("estate")
        .distinct()
        .order_by("-date")
    )


def published_notices() -> QuerySet[Notice]:
    return Notice.objects.filter(status=NoticeStatus.PUBLISHED).order_by("-year", "-seq")


def notice_public(year: int, seq: int) -> Notice:
    notice = published_notices().filter(year=year, seq=seq).first()
    if notice is None:
        raise Http404("没有找到该通报")
    return notice


def notices_for_staff() -> QuerySet[Notice]:
    return Notice.objects.order_by("status", "-created_at")


def rule_versions() -> QuerySet[CreditRuleVersion]:
    return CreditRuleVersion.objects.select_related("created_by").order_by("-effective_from", "-id")


# --- consequences ------------------------------------------------------------------------------------------------


def restrictions_in_force(on: dt.date) -> dict[int, list[CaseAction]]:
    """限制评优评先 decided on a case and not ended (no end date, or ending after `on`), by company."""
    qs = CaseAction.objects.filter(
        kind=ActionKind.RESTRICT_HONOURS, company__isnull=False, date__lte=on
    ).filter(Q(period_end__isnull=True) | Q(period_end__gt=on))
    out: dict[int, list[CaseAction]] = defaultdict(list)
    for a in qs.select_related("case").order_by("date"):
        assert a.company_id is not None
        out[a.company_id].append(a)
    return out


@dataclass(frozen=True)
class Standing:
    """A company's consequences on a date: eligible for honours or why not; restricted (joint punishment)."""

    explanation: Explanation
    reasons: list[str]  # why not eligible for 评优评先 (empty: eligible)
    restrictions: list[tuple[str, str]]  # (reason, legal basis) for the joint-punishment export

    @property
    def eligible(self) -> bool:
        return not self.reasons


def standings(*, on: dt.date | None = None) -> list[Standing]:
    day = on or today()
    honours_levels = set(county_setting("CREDIT_HONOURS_LEVELS"))
    basis = county_setting("CREDIT_LEGAL_BASIS")
    restricted = restrictions_in_force(day)
    out = []
    for ex in explain_all(on=day):
        reasons: list[str] = []
        restrictions: list[tuple[str, str]] = []
        if ex.veto:
            vetoes = "、".join(line.event.split("：")[0] for line in ex.lines if line.veto)
            reasons.append(f"存在一票否决事项（{vetoes}）")
            restrictions.append((f"一票否决：{vetoes}", basis["veto"]))
        elif ex.level == LEVELS[-1]:
            reasons.append(f"信用等级为 {ex.level} 级（{ex.score} 分）")
            restrictions.append((f"信用等级 {ex.level} 级（{ex.score} 分）", basis["level"]))
        elif ex.level not in honours_levels:
            reasons.append(
                f"信用等级为 {ex.level} 级，未达到 {'/'.join(sorted(honours_levels, key=LEVELS.index))} 级"
            )
        for a in restricted.get(ex.company.pk, []):
            until = f"至 {a.period_end:%Y年%-m月%-d日}" if a.period_end else "（未定期限）"
            reasons.append(f"被限制评优评先{until}（{a.case.number}）")
            restrictions.append((f"限制评优评先{until}（{a.case.number}）", basis["restrict_honours"]))
        out.append(Standing(explanation=ex, reasons=reasons, restrictions=restrictions))
    return out


def quarter_of(key: str) -> tuple[int, int, dt.date]:
    """ "2026-Q1" → (2026, 1, last day of the quarter); 404 on anything else or a quarter not yet ended."""
    try:
        year_text, q_text = key.split("-Q")
        year, q = int(year_text), int(q_text)
    except ValueError:
        raise Http404("季度格式应为 2026-Q1") from None
    if not (2000 <= year <= 2100 and 1 <= q <= 4):
        raise Http404("季度格式应为 2026-Q1")
    end = add_months(dt.date(year, 3 * (q - 1) + 1, 1), 3) - dt.timedelta(days=1)
    if end >= today():
        raise Http404("该季度尚未结束")
    return year, q, end


def last_quarters(count: int = 4) -> list[str]:
    day = today()
    year, q = day.year, (day.month - 1) // 3 + 1
    out = []
    for _ in range(count):
        q -= 1
        if q == 0:
            year, q = year - 1, 4
        out.append(f"{year}-Q{q}")
    return out


def red_black_lists(on: dt.date) -> tuple[list[Explanation], list[Explanation]]:
    """推荐名单 (the best level, no veto) and 警示名单 (the failing level or a veto) as of `on`."""
    all_ = explain_all(on=on)
    red = [ex for ex in all_ if ex.level == LEVELS[0] and not ex.veto]
    black = [ex for ex in all_ if ex.level == LEVELS[-1]]
    return red, black


def estate_company_explanation(estate: Estate) -> Explanation | None:
    contract = contracts_in_force().filter(estate=estate).select_related("company").first()
    return explain(contract.company) if contract else None


# --- the company's dossier -----------------------------------------------------------------------------------


def dossier(company: PropertyCompany) -> dict[str, Any]:
    contracts = list(
        ServiceContract.objects.filter(company=company).select_related("estate").order_by("-start", "pk")
    )
    by_category: dict[str, Counter[str]] = defaultdict(Counter)
    for category, status, n in (
        Case.objects.filter(company=company).values_list("category", "status").annotate(n=Count("pk"))
    ):
        closed = status in (CaseStatus.ACCEPTED, CaseStatus.UNFOUNDED, CaseStatus.MERGED)
        by_category[category]["closed" if closed else "open"] += n
    categories = [
        {"label": Category(c).label if c in Category.values else c, "open": v["open"], "closed": v["closed"]}
        for c, v in sorted(by_category.items())
    ]
    actions = list(
        CaseAction.objects.filter(
            company=company, kind__in=[ActionKind.PENALTY, ActionKind.INTERVIEW, ActionKind.RESTRICT_HONOURS]
        )
        .select_related("case__estate")
        .order_by("-date", "-id")
    )
    feedback = LeadFeedback.objects.filter(lead__case__company=company, rating__isnull=False).aggregate(
        avg=Avg("rating"), n=Count("pk")
    )
    answers = QuestionnaireResponse.objects.filter(company=company).aggregate(avg=Avg("score"), n=Count("pk"))
    reports = {
        "submitted": MonthlyReport.objects.filter(company=company, first_submitted_at__isnull=False).count(),
        **ReportLateness.objects.filter(company=company).aggregate(
            late=Count("pk", filter=Q(missing=False)), missing=Count("pk", filter=Q(missing=True))
        ),
    }
    objections = list(
        CreditObjection.objects.filter(event__company=company).select_related("event").order_by("-raised_at")
    )
    history = list(
        CreditEvent.objects.filter(company=company).select_related("estate").order_by("-date", "-id")[:200]
    )
    return {
        "contracts": contracts,
        "categories": categories,
        "actions": actions,
        "feedback_avg": _dec(feedback["avg"]),
        "feedback_n": feedback["n"],
        "answers_avg": _dec(answers["avg"]),
        "answers_n": answers["n"],
        "objections": objections,
        "reports": reports,
        "report_day": county_setting("MONTHLY_REPORT_DAY"),
        "history": history,
    }


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def objections_for(user: User) -> QuerySet[CreditObjection]:
    qs = CreditObjection.objects.select_related("event__company", "event__estate").order_by(
        "status", "-raised_at"
    )
    if user.role in COUNTY_READ_ROLES:
        # an event at an estate: that estate's counties; an event of the company as a whole: its counties
        return qs.filter(
            estate_in_counties_of(user, "event__estate")
            | Q(event__estate__isnull=True, event__company__in=companies_visible_to(user))
        )
    if user.role == Role.COMPANY_STAFF:
        return qs.filter(event__company_id=user.company_id)
    return qs.none()


def objection_for_bureau(pk: int, user: User | None = None) -> CreditObjection:
    """An objection for the bureau to decide: of the user's counties when a user is given (else 404)."""
    qs = objections_for(user) if user is not None else CreditObjection.objects.all()
    o = qs.select_related("event__company", "event__estate").filter(pk=pk).first()
    if o is None:
        raise Http404("没有找到该异议")
    return o


def event_for_company(user: User, pk: int) -> CreditEvent:
    e = CreditEvent.objects.filter(pk=pk, company_id=user.company_id).select_related("estate").first()
    if e is None:
        raise Http404("没有找到该记录")
    return e
