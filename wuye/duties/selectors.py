"""Reads of the duties app, scoped per role: the company sees its estates, the county roles all; the public sees
only what `public_summary` returns."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from wuye.accounts.models import COUNTY_READ_ROLES, Role, User
from wuye.common.dates import today
from wuye.kernel.conf import county_setting
from wuye.registry.models import Estate, PropertyCompany
from wuye.registry.selectors import (
    contracts_in_force,
    estate_current_contract,
    estate_in_counties_of,
    estates_served_by,
)

from .checks import DUTIES, Finding, checked_estates, findings
from .models import (
    ConfinedSpaceWork,
    DisclosureItem,
    DisclosureKind,
    Drill,
    DrillKind,
    EmergencyPlan,
    EmergencySupply,
    FeeChange,
    FireCheck,
    HazardCheck,
    PlanKind,
    Renovation,
    RenovationViolation,
    ServiceRoom,
    ServiceStandard,
)


@dataclass(frozen=True)
class Duty:
    code: str
    label: str
    gaps: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.gaps


@dataclass(frozen=True)
class Readiness:
    estate: Estate
    company: str
    duties: tuple[Duty, ...]
    company_id: int | None = None

    @property
    def score(self) -> int:
        """The share of duties with no gap, in percent."""
        return round(100 * sum(d.ok for d in self.duties) / len(self.duties))

    @property
    def gaps(self) -> list[Duty]:
        return [d for d in self.duties if not d.ok]


def estates_for(user: User) -> QuerySet[Estate]:
    """The estates whose duty records a user may see: the county for county roles, the company's own estates."""
    if not user.is_authenticated:
        return Estate.objects.none()
    base = checked_estates(today())
    if user.role in COUNTY_READ_ROLES:
        return base.filter(estate_in_counties_of(user, ""))
    if user.role == Role.COMPANY_STAFF:
        return base.filter(pk__in=estates_served_by(user.company_id).values("pk"))
    return base.none()


def readiness(estates: QuerySet[Estate] | list[Estate], *, on: dt.date | None = None) -> list[Readiness]:
    """Each estate's duties with every missing or stale one listed (a constant number of queries)."""
    day = on or today()
    chosen = list(estates)
    by_estate: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for f in findings(chosen, day):
        by_estate[f.estate.pk][f.duty].append(_gap_text(f))
    company_of: dict[int, tuple[int, str]] = {
        estate_id: (company_id, name)
        for estate_id, company_id, name in contracts_in_force(on=day)
        .filter(estate__in=chosen)
        .values_list("estate_id", "company_id", "company__name")
    }
    return [
        Readiness(
            estate=e,
            company=company_of.get(e.pk, (0, ""))[1],
            company_id=company_of.get(e.pk, (None, ""))[0],
            duties=tuple(
                Duty(code, label, tuple(by_estate[e.pk].get(code, []))) for code, label in DUTIES.items()
            ),
        )
        for e in chosen
    ]


def _gap_text(f: Finding) -> str:
    if f.category:
        return f.text.removeprefix("【消防安全】").removeprefix(f.estate.name)
    return f.text


def readiness_by_town(rows: list[Readiness]) -> list[dict[str, Any]]:
    towns: dict[str, list[Readiness]] = defaultdict(list)
    for r in rows:
        towns[r.estate.town.name].append(r)
    return [
        {
            "town": name,
            "estates": len(items),
            "score": round(sum(r.score for r in items) / len(items)),
            "complete": sum(1 for r in items if not r.gaps),
        }
        for name, items in sorted(towns.items())
    ]


def readiness_by_company(rows: list[Readiness]) -> list[dict[str, Any]]:
    firms: dict[tuple[int | None, str], list[Readiness]] = defaultdict(list)
    for r in rows:
        firms[(r.company_id, r.company)].append(r)
    return [
        {
            "pk": pk,
            "company": name,
            "estates": len(items),
            "score": round(sum(r.score for r in items) / len(items)),
            "gaps": sum(len(r.gaps) for r in items),
        }
        for (pk, name), items in sorted(
            firms.items(), key=lambda kv: (sum(r.score for r in kv[1]) / len(kv[1]), kv[0][1])
        )
    ]


def readiness_of_company(company: PropertyCompany) -> list[Readiness]:
    return readiness(checked_estates(today()).filter(pk__in=estates_served_by(company.pk).values("pk")))


def estate_records(estate: Estate) -> dict[str, Any]:
    """Every record of one estate for the staff page (one query per kind)."""
    contract = estate_current_contract(estate)
    return {
        "standard": ServiceStandard.objects.filter(contract=contract).first() if contract else None,
        "disclosures": list(DisclosureItem.objects.filter(estate=estate)),
        "renovations": list(Renovation.objects.filter(estate=estate).prefetch_related("violations")[:50]),
        "plans": list(EmergencyPlan.objects.filter(estate=estate)),
        "supplies": list(EmergencySupply.objects.filter(estate=estate)),
        "drills": list(Drill.objects.filter(estate=estate)[:20]),
        "hazards": list(HazardCheck.objects.filter(estate=estate)[:50]),
        "confined": list(ConfinedSpaceWork.objects.filter(estate=estate)[:20]),
        "fire_checks": list(FireCheck.objects.filter(estate=estate)[:50]),
        "fees": list(FeeChange.objects.filter(estate=estate)),
        "rooms": list(ServiceRoom.objects.filter(estate=estate)),
    }


def public_summary(estate: Estate) -> dict[str, Any] | None:
    """What owners and the public see: the posted information (the duty line, never a person's name or mobile),
    whether the plans are in place and when the last drill was, and renovation counts only."""
    contract = estate_current_contract(estate)
    if contract is None:
        return None
    latest: dict[str, DisclosureItem] = {}
    for item in DisclosureItem.objects.filter(estate=estate).order_by("published_on", "pk"):
        latest[item.kind] = item
    standard = ServiceStandard.objects.filter(contract=contract).first()
    plan_kinds = set(
        EmergencyPlan.objects.filter(estate=estate, review_due__gte=today()).values_list("kind", flat=True)
    )
    last_drill = (
        Drill.objects.filter(estate=estate, kind=DrillKind.DRILL)
        .order_by("-held_on")
        .values_list("held_on", flat=True)
        .first()
    )
    renovations = Renovation.objects.filter(estate=estate).aggregate(n=Count("pk"))["n"]
    violations = RenovationViolation.objects.filter(estate=estate)
    return {
        "disclosures": [
            {"label": DisclosureKind(k).label, "item": latest[k]}
            for k in DisclosureKind.values
            if k in latest
        ],
        "missing": [DisclosureKind(k).label for k in DisclosureKind.values if k not in latest],
        "standard": standard,
        "plans": [{"label": k.label, "ok": k.value in plan_kinds} for k in PlanKind],
        "last_drill": last_drill,
        "renovations": renovations,
        "violations": violations.count(),
        "violations_reported": violations.filter(reported_on__isnull=False).count(),
    }


def clauses_for_item(estate: Estate, item_code: str) -> list[dict[str, str]]:
    """The clauses of the estate's current service standard that an inspection checklist item checks: by the
    county's mapping (DUTIES_CHECKLIST_CLAUSES) to grade-clause codes, or, for clauses typed from a contract, by
    the same service item (清洁, 绿化…)."""
    wanted = set(county_setting("DUTIES_CHECKLIST_CLAUSES").get(item_code, ()))
    if not wanted:
        return []
    contract = estate_current_contract(estate)
    standard = ServiceStandard.objects.filter(contract=contract).first() if contract else None
    if standard is None:
        return []
    items = {
        item
        for clauses in county_setting("DUTIES_SERVICE_GRADES").values()
        for code, item, _ in clauses
        if code in wanted
    }
    grade = f"{standard.grade}服务标准" if standard.grade else "合同约定标准"
    return [
        {"code": c["code"], "item": c["item"], "text": c["text"], "source": grade}
        for c in standard.clauses
        if c["code"] in wanted or (not standard.grade and c["item"] in items)
    ]
