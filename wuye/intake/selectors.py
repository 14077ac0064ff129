"""Reads of intake: the tracking page, the QR form's look-alike cases, the estate picker, leads to confirm."""

import datetime as dt
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from django.core.cache import cache as django_cache
from django.db.models import Avg, Count, Q, QuerySet
from django.http import Http404

from wuye.accounts.models import BUREAU_ROLES, COUNTY_READ_ROLES, Role
from wuye.common.errors import DomainError
from wuye.kernel.case_states import CLOSED_STATES
from wuye.kernel.taxonomy import PLAIN_HINTS, label_of
from wuye.registry.models import Estate
from wuye.registry.selectors import estate_in_counties_of, estate_search_public, in_counties_of

from .matching import building_of, normalize
from .models import (
    TRACKING_ALPHABET,
    Lead,
    LeadAttachment,
    LeadFeedback,
    LeadStatus,
    QuestionnaireResponse,
)
from .ports import case_side, similar_cases_finder

DATA = Path(__file__).parent / "data" / "checklists.json"


def leads_visible_to(user: Any) -> QuerySet[Lead]:
    """The one scoping rule for leads. Bureau, city and province: their counties (`in_counties_of`; the viewers'
    pages mask personal data), and for the bureau also the leads whose estate is not known yet. Company
    staff and committee members: the reports of the cases they may see (the ledger's `cases_visible_to`, joined in
    SQL), never a lead that has not become a case. Owners: the complaints they filed, logged in or under the phone
    they log in with (not an anonymous one). The public: none (they follow a lead by its tracking code)."""
    if not getattr(user, "is_authenticated", False):
        return Lead.objects.none()
    role = user.role
    if role in COUNTY_READ_ROLES:
        # a lead whose estate is not yet known is held by the county it came in through; one that no county holds
        # (a resident named no town) is for every bureau's desk to place
        unplaced = Q(estate__isnull=True) & in_counties_of(user, "county")
        if role in BUREAU_ROLES or role == Role.PROVINCE_VIEWER:
            unplaced |= Q(estate__isnull=True, county__isnull=True)
        return Lead.objects.filter(estate_in_counties_of(user) | unplaced)
    if role in (Role.COMPANY_STAFF, Role.COMMITTEE_MEMBER):
        return Lead.objects.filter(case__in=case_side().cases_visible_to(user).values("pk"))
    if role == Role.OWNER:
        mine = Q(created_by=user)
        phone = user.owner.phone if user.owner_id else ""
        if phone:
            mine |= Q(complainant_phone=phone, anonymous=False)
        return Lead.objects.filter(mine)
    return Lead.objects.none()


# Photos carry no identity (EXIF and GPS stripped at upload): the county's staff and the company of the case see
# them; committee members and owners follow the case without them.
PHOTO_ROLES = COUNTY_READ_ROLES | {Role.COMPANY_STAFF}


def lead_photos_visible_to(user: Any) -> QuerySet[LeadAttachment]:
    """The leads' photos a user may open: the photos of the leads they may see, for the roles of PHOTO_ROLES."""
    if not getattr(user, "is_authenticated", False) or user.role not in PHOTO_ROLES:
        return LeadAttachment.objects.none()
    return LeadAttachment.objects.filter(lead__in=leads_visible_to(user).values("pk"))


def photos_by_lead(user: Any, lead_ids: list[int]) -> dict[int, list[LeadAttachment]]:
    """The photos of several leads, for one page, in one query: {lead id: [attachment, …]}."""
    out: dict[int, list[LeadAttachment]] = {}
    if not lead_ids or getattr(user, "role", None) not in PHOTO_ROLES:
        return out
    rows = lead_photos_visible_to(user).filter(lead_id__in=lead_ids).only("id", "lead_id", "original_name")
    for att in rows.order_by("lead_id", "id"):
        out.setdefault(att.lead_id, []).append(att)
    return out


@cache
def checklists() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return data


def inspection_checklist(code: str = "routine") -> dict[str, Any]:
    try:
        checklist: dict[str, Any] = checklists()["inspections"][code]
    except KeyError:
        raise DomainError("检查表不存在", field="checklist") from None
    return checklist


def questionnaire(code: str = "satisfaction") -> dict[str, Any]:
    try:
        form: dict[str, Any] = checklists()["questionnaires"][code]
    except KeyError:
        raise DomainError("问卷不存在", field="questionnaire") from None
    return form


# --- public ----------------------------------------------------------------------------------------------


QR_ESTATE_CACHE_SECONDS = 60


def estate_for_qr(code: str) -> Estate:
    """The estate behind a QR code. Cached briefly: it is read on every resident submission and almost never
    changes (a renamed estate shows its new name within a minute)."""
    key = f"wuye:qr-estate:{code}"
    estate: Estate | None = django_cache.get(key)
    if estate is None:
        try:
            estate = Estate.objects.select_related("town").get(code=code)
        except Estate.DoesNotExist:
            raise Http404("没有找到该小区") from None
        django_cache.set(key, estate, QR_ESTATE_CACHE_SECONDS)
    return estate


def effective_case(lead: Lead) -> Any:
    """The case a lead's progress follows: its own, or the case that one was merged into."""
    case = lead.case if lead.case_id else None
    for _ in range(5):
        target = getattr(case, "merged_into", None) if case is not None else None
        if target is None:
            break
        case = target
    return case


def lead_is_closed(lead: Lead) -> bool:
    """Closed for the complainant: the case is closed (销号 or unfounded), or the lead was rejected/transferred."""
    if lead.status in (LeadStatus.REJECTED, LeadStatus.TRANSFERRED):
        return True
    case = effective_case(lead)
    return case is not None and case.status in CLOSED_STATES


def normalize_tracking_code(code: str) -> str:
    # residents read codes in groups ("ABCD-EFGH-JK") and type them with hyphens or spaces
    code = re.sub(r"[\s\-_·.—–]", "", normalize(code)).upper()
    return code if code and len(code) <= 12 and all(c in TRACKING_ALPHABET for c in code) else ""


def lead_for_tracking(code: str) -> Lead | None:
    code = normalize_tracking_code(code)
    if not code:
        return None
    return Lead.objects.select_related("case", "estate").filter(tracking_code=code).first()


def public_status(lead: Lead) -> dict[str, Any]:
    """What the complainant (and the public API) may see: status, deadline, the public timeline. Never the
    complainant's contact, never staff-internal notes."""
    case = effective_case(lead)
    closed = lead_is_closed(lead)
    if lead.status == LeadStatus.REJECTED:
        label = "不属于本次整治范围"
        note = lead.reject_reason
    elif lead.status == LeadStatus.TRANSFERRED:
        label = f"已转办至{lead.transfer_department}" if lead.transfer_department else "已转办"
        note = f"已转交{lead.transfer_department}办理" if lead.transfer_department else ""
    elif case is not None:
        label = case.get_status_display()
        note = case.closed_reason if closed else ""
        if not closed and lead.feedbacks.filter(not_fixed=True, reopened=True).exists():
            label = f"已重新办理（{label}）"
            note = "您反映问题没有解决，这件事已重新办理，查询码不变。"
    else:
        label = "已收到，等待专班分拣"
        note = ""
    deadline = case.deadline if case is not None and case.deadline else lead.due_date
    timeline: list[dict[str, Any]] = [
        {"at": lead.created_at, "title": "收到反映", "text": f"通过“{lead.get_channel_display()}”收到"}
    ]
    if case is not None:
        timeline.extend(_case_timeline(case))
    elif lead.status in (LeadStatus.REJECTED, LeadStatus.TRANSFERRED):
        timeline.append({"at": lead.updated_at, "title": label, "text": note})
    timeline.sort(key=lambda e: e["at"] or lead.created_at)
    return {
        "label": label,
        "closed": closed,
        "note": note,
        "deadline": deadline,
        "timeline": timeline,
        "case_number": case.number if case is not None else "",
        "updated_at": max([lead.updated_at] + [e["at"] for e in timeline if e["at"]]),
    }


def _case_timeline(case: Any) -> list[dict[str, Any]]:
    return list(case_side().public_timeline(case))


def similar_cases(*, estate: Estate, text: str, category: str = "", limit: int = 5) -> list[dict[str, Any]]:
    """Open cases of the estate that look like the resident's text (triage's duplicate finder) AND name the same
    building, with what a resident needs to judge and nothing another resident wrote: the category, the building,
    a neutral title made of the two, the date, the status, how many reported it, whether there are photos."""
    similar_open_cases = similar_cases_finder()
    building = building_of(text)
    if similar_open_cases is None or not building:
        return []  # no building named: the resident files a new report (the task force merges it if needed)
    found = [
        (case, score)
        for case, score in similar_open_cases(
            estate=estate, text=text, category=category or None, limit=limit
        )
        if building_of(f"{case.title} {case.description}") == building
    ]
    photos = dict(
        LeadAttachment.objects.filter(lead__case__in=[case for case, _ in found])
        .values_list("lead__case")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        {
            "case": case,
            "score": score,
            "photos": photos.get(case.pk, 0),
            "building": building,
            "category_label": label_of(case.category),
            "title": f"{building} · {PLAIN_HINTS.get(case.category) or label_of(case.category)}",
        }
        for case, score in found
    ]


PHONE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)")


def public_text(lead: Lead) -> str:
    """The lead's text for public eyes: phone numbers and the complainant's own name masked."""
    from wuye.common.privacy import mask_name, mask_phone

    text = PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(1)), lead.text)
    name = lead.complainant_name.strip()
    if len(name) >= 2:
        text = text.replace(name, mask_name(name))
    return text


# --- staff -----------------------------------------------------------------------------------------------

_CODE_IN_LABEL = re.compile(r"[（(]([A-Za-z0-9_-]+)[)）]\s*$")


def estate_from_input(value: str) -> Estate | None:
    """The desk's estate field: "名称（编码）" from the list, a code, a name, an alias or pinyin initials."""
    value = (value or "").strip()
    if not value:
        return None
    m = _CODE_IN_LABEL.search(value)
    if m:
        estate = Estate.objects.filter(code=m.group(1)).first()
        if estate:
            return estate
    estate = Estate.objects.filter(Q(code=value) | Q(name=value)).first()
    if estate:
        return estate
    matches = list(estate_search_public(value, limit=6))  # name, alias or pinyin initials
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise DomainError(f"没有找到小区“{value}”", field="estate")
    names = "、".join(e.name for e in matches[:5])
    raise DomainError(f"有多个小区与“{value}”相符（{names}），请从列表中选择", field="estate")


def estate_choices(user: Any = None) -> QuerySet[Estate]:
    """The estates a desk picks from: the user's counties (every estate without a user)."""
    qs = Estate.objects.filter(estate_in_counties_of(user, "")) if user is not None else Estate.objects.all()
    return qs.select_related("town").only("code", "name", "pinyin_initials", "town__name").order_by("name")


def leads_to_confirm(user: Any) -> QuerySet[Lead]:
    if user.role not in BUREAU_ROLES:
        return Lead.objects.none()
    return (
        leads_visible_to(user)
        .filter(estate_needs_confirmation=True, status=LeadStatus.NEW)
        .select_related("estate")
        .order_by("created_at", "id")
    )


def questionnaire_results(
    user: Any, *, by: str = "estate", since: dt.date | None = None
) -> list[dict[str, Any]]:
    """Average satisfaction per estate or per company (the figures credit uses)."""
    if user.role not in COUNTY_READ_ROLES:
        return []
    qs = QuestionnaireResponse.objects.filter(estate_in_counties_of(user))
    if since:
        qs = qs.filter(created_at__date__gte=since)
    if by == "company":
        by_company = (
            qs.exclude(company=None)
            .values("company_id", "company__name")
            .annotate(n=Count("id"), avg=Avg("score"))
            .order_by("company__name")
        )
        return [
            {"id": r["company_id"], "name": r["company__name"], "n": r["n"], "avg": r["avg"]}
            for r in by_company
        ]
    by_estate = (
        qs.values("estate_id", "estate__name", "estate__code")
        .annotate(n=Count("id"), avg=Avg("score"))
        .order_by("estate__code")
    )
    return [
        {
            "id": r["estate_id"],
            "name": r["estate__name"],
            "code": r["estate__code"],
            "n": r["n"],
            "avg": r["avg"],
        }
        for r in by_estate
    ]


def track_feedback(lead: Lead) -> dict[str, Any]:
    """The complainant's answers on their tracking page: what they may still do after this closure."""
    answers = list(LeadFeedback.objects.filter(lead=lead).order_by("created_at", "id"))
    since_not_fixed: list[LeadFeedback] = []
    for fb in answers:
        since_not_fixed = [] if fb.not_fixed else [*since_not_fixed, fb]
    rating = next((fb.rating for fb in reversed(since_not_fixed) if fb.rating), None)
    last = answers[-1] if answers else None
    return {
        "answers": answers,
        "rating": rating,  # this closure's rating, if given
        # "not fixed" is still being handled (the case reopened, or a follow-up lead opened); once the case is
        # closed again the complainant may rate or report it again
        "not_fixed": bool(last and last.not_fixed and (last.followup_lead_id or not lead_is_closed(lead))),
        "reopened": any(fb.reopened for fb in answers),
    }


def feedback_by_company(user: Any, *, company_id: int | None = None) -> list[dict[str, Any]]:
    """回访满意度 per company (the company of the case each answer's lead belongs to): number of ratings, average
    (1–5), share satisfied (4 or 5 points), number of "not fixed" reports. Bureau and city: every company (or one);
    company staff: their own only; others: none. Credit reads LeadFeedback directly with the same rule."""
    role = getattr(user, "role", None)
    if role == Role.COMPANY_STAFF:
        company_id = user.company_id
        if not company_id:
            return []
    elif role not in COUNTY_READ_ROLES:
        return []
    qs = LeadFeedback.objects.exclude(lead__case__company=None)
    if role in COUNTY_READ_ROLES:
        qs = qs.filter(estate_in_counties_of(user, "lead__case__estate"))
    if company_id:
        qs = qs.filter(lead__case__company_id=company_id)
    rows = (
        qs.values("lead__case__company_id", "lead__case__company__name")
        .annotate(
            n=Count("id", filter=Q(rating__isnull=False)),
            avg=Avg("rating"),
            satisfied=Count("id", filter=Q(rating__gte=4)),
            not_fixed=Count("id", filter=Q(not_fixed=True)),
        )
        .order_by("lead__case__company__name")
    )
    return [
        {
            "id": r["lead__case__company_id"],
            "name": r["lead__case__company__name"],
            "n": r["n"],
            "avg": round(r["avg"], 2) if r["avg"] is not None else None,
            "satisfied_pct": round(100 * r["satisfied"] / r["n"], 1) if r["n"] else None,
            "not_fixed": r["not_fixed"],
        }
        for r in rows
    ]


def home_panel(user: Any) -> dict[str, Any] | None:
    """The company's own 回访满意度 on its home page (the bureau has the table on the questionnaires page)."""
    if getattr(user, "role", None) != Role.COMPANY_STAFF:
        return None
    rows = feedback_by_company(user)
    r = rows[0] if rows else {"n": 0, "avg": None, "satisfied_pct": None, "not_fixed": 0}
    return {
        "title": "群众回访满意度",
        "items": [
            ("评价条数", r["n"], None),
            ("平均满意度（5 分制）", "—" if r["avg"] is None else f"{r['avg']:.2f}", None),
            ("满意率（4、5 分）", "—" if r["satisfied_pct"] is None else f"{r['satisfied_pct']:.1f}%", None),
            ("反映问题没有解决", r["not_fixed"], None),
        ],
    }


def company_satisfaction(company_id: int, *, since: dt.date | None = None) -> dict[str, Any]:
    """For credit: number of answers and the average score (1–5) of a company's estates' residents."""
    qs = QuestionnaireResponse.objects.filter(company_id=company_id)
    if since:
        qs = qs.filter(created_at__date__gte=since)
    agg = qs.aggregate(n=Count("id"), avg=Avg("score"))
    return {"n": agg["n"], "avg": agg["avg"]}
