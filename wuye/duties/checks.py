"""The duty checks (`manage.py tick` runs `tick.duties_checks`). Each finding with a category opens or refreshes one
lead through intake's `finding_open_or_update`, keyed so that a second run opens nothing new, with deterministic
evidence (dates, no timestamps). Findings without a category are gaps the readiness score lists but that are not
leads by themselves (no service standard on record, no recent check)."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from wuye.common.dates import cn_date
from wuye.kernel.taxonomy import Category
from wuye.registry.models import Estate
from wuye.registry.selectors import contracts_in_force, estate_setting, setting_range

from .models import (
    ESCAPE_ROUTES,
    ConfinedSpaceWork,
    DisclosureItem,
    DisclosureKind,
    Drill,
    DrillKind,
    EmergencyPlan,
    EmergencySupply,
    FeeApproval,
    FeeChange,
    FireCheck,
    FireFacility,
    HazardCheck,
    PlanKind,
    Renovation,
    RenovationViolation,
    RoomUse,
    ServiceRoom,
    ServiceStandard,
)

# the duties of the readiness score, in the order the pages list them
DUTIES: dict[str, str] = {
    "standard": "合同服务标准",
    "disclosure": "信息公示",
    "renovation": "装饰装修管理",
    "safety_rules": PlanKind.SAFETY_RULES.label,
    "plans": "应急预案（火灾、治安、公共卫生、极端天气）",
    "supplies": "应急物资",
    "drills": "应急培训和演练",
    "hazards": "公用部位设施设备检查及隐患处理",
    "confined": "有限空间作业备案",
    "fire": "消防设施检查和通道巡查",
    "fees": "收费标准调整",
    "rooms": "物业服务用房",
}


@dataclass(frozen=True)
class Finding:
    duty: str
    key: str
    estate: Estate
    category: str  # "" for a readiness gap that opens no lead
    text: str
    evidence: dict[str, Any] = field(default_factory=dict)
    urgent: bool = False


def checked_estates(on: dt.date) -> QuerySet[Estate]:
    """The estates a company serves on `on`: the duties are the company's."""
    in_force = contracts_in_force(on=on).filter(estate=OuterRef("pk"))
    return Estate.objects.filter(Exists(in_force)).select_related("town__county").order_by("code")


def _by_estate(rows: Iterable[Any]) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    for r in rows:
        out[r.estate_id].append(r)
    return out


def _days(key: str, estate: Estate | None = None) -> dt.timedelta:
    """A DUTIES_* limit as the estate's county sets it (None: the shortest any county sets, for a SQL bound)."""
    if estate is None:
        return dt.timedelta(days=int(setting_range(key)[0]))
    return dt.timedelta(days=int(estate_setting(key, estate)))


# --- 1. the service standard -----------------------------------------------------------------------------------


def check_standard(estates: list[Estate], on: dt.date) -> Iterator[Finding]:
    contract_of = dict(contracts_in_force(on=on).filter(estate__in=estates).values_list("estate_id", "pk"))
    with_standard = set(
        ServiceStandard.objects.filter(contract_id__in=contract_of.values()).values_list(
            "contract_id", flat=True
        )
    )
    for e in estates:
        if contract_of.get(e.pk) not in with_standard:
            yield Finding("standard", f"duties:standard:{e.code}", e, "", "未录入现行合同的服务标准")


# --- 2. disclosure -------------------------------------------------------------------------------------------


def check_disclosure(estates: list[Estate], on: dt.date) -> Iterator[Finding]:
    """1.2: a required item never posted, or posted longer ago than DUTIES_DISCLOSURE_MAX_AGE_DAYS (one lead per
    estate and year, listing every item)."""
    latest: dict[int, dict[str, dt.date]] = defaultdict(dict)
    for estate_id, kind, published in DisclosureItem.objects.filter(estate__in=estates).values_list(
        "estate_id", "kind", "published_on"
    ):
        if published > latest[estate_id].get(kind, dt.date.min):
            latest[estate_id][kind] = published
    for e in estates:
        max_age = _days("DUTIES_DISCLOSURE_MAX_AGE_DAYS", e)
        missing = [k.label for k in DisclosureKind if k.value not in latest[e.pk]]
        stale = {
            DisclosureKind(k).label: d.isoformat()
            for k, d in sorted(latest[e.pk].items())
            if d + max_age < on
        }
        if not missing and not stale:
            continue
        parts = []
        if missing:
            parts.append("未公示：" + "、".join(missing))
        if stale:
            parts.append(f"超过 {max_age.days} 天未更新：" + "、".join(stale))
        yield Finding(
            "disclosure",
            f"duties:disclosure:{e.code}:{on.year}",
            e,
            Category.C1_2,
            f"{e.name}物业服务企业未按规定公开信息（{'；'.join(parts)}）。",
            {"check": "disclosure", "estate": e.code, "missing": missing, "stale": stale},
        )


# --- 3. renovation -------------------------------------------------------------------------------------------


def check_renovation(estates: list[Estate], on: dt.date) -> Iterator[Finding]:
    """1.2: works begun without the signed notice of forbidden acts; a violation neither stopped by dissuasion
    nor reported to the authority within DUTIES_RENOVATION_ACT_DAYS."""
    for r in (
        Renovation.objects.filter(estate__in=estates, notice_signed_on__isnull=True, start__lte=on)
        .select_related("estate")
        .order_by("pk")
    ):
        yield Finding(
            "renovation",
            f"duties:renovation_notice:{r.pk}",
            r.estate,
            Category.C1_2,
            f"{r.estate.name}{r.unit}装修已于{cn_date(r.start)}开工，物业服务企业未书面告知装饰装修的禁止行为和注意事项。",
            {"check": "renovation_notice", "renovation": r.pk, "unit": r.unit, "start": r.start.isoformat()},
        )
    shortest = _days("DUTIES_RENOVATION_ACT_DAYS")
    violations = RenovationViolation.objects.filter(
        estate__in=estates, found_on__lt=on - shortest
    ).select_related("estate__town__county", "renovation")
    for v in violations.order_by("pk"):
        act = _days("DUTIES_RENOVATION_ACT_DAYS", v.estate)
        if v.found_on >= on - act:
            continue
        deadline = v.found_on + act
        handled = (v.stopped and v.dissuaded_on is not None and v.dissuaded_on <= deadline) or (
            v.reported_on is not None and v.reported_on <= deadline
        )
        if handled:
            continue
        yield Finding(
            "renovation",
            f"duties:renovation_violation:{v.pk}",
            v.estate,
            Category.C1_2,
            f"{v.estate.name}{v.renovation.unit}装修中{v.get_kind_display()}（{cn_date(v.found_on)}发现），"
            f"{act.days} 日内未劝阻制止，也未报告有关主管部门。",
            {
                "check": "renovation_violation",
                "violation": v.pk,
                "kind": v.kind,
                "found_on": v.found_on.isoformat(),
                "dissuaded_on": v.dissuaded_on.isoformat() if v.dissuaded_on else None,
                "reported_on": v.reported_on.isoformat() if v.reported_on else None,
            },
        )


# --- 4. safety and emergency readiness ---------------------------------------------------------------------


def check_plans(estates: list[Estate], on: dt.date) -> Iterator[Finding]:
    """1.3: the safety rules or a plan of a required type missing, or past its review date."""
    latest: dict[tuple[int, str], EmergencyPlan] = {}
    for p in EmergencyPlan.objects.filter(estate__in=estates).order_by("adopted_on", "pk"):
        latest[(p.estate_id, p.kind)] = p
    for e in estates:
        for kind in PlanKind:
            duty = "safety_rules" if kind == PlanKind.SAFETY_RULES else "plans"
            plan = latest.get((e.pk, kind.value))
            if plan is None:
                yield Finding(
                    duty,
                    f"duties:plan_missing:{e.code}:{kind.value}",
                    e,
                    Category.C1_3,
                    f"{e.name}物业服务企业未制定{kind.label}。",
                    {"check": "plan_missing", "estate": e.code, "kind": kind.value},
                )
            elif plan.review_due < on:
                yield Finding(
                    duty,
                    f"duties:plan_review:{plan.pk}",
                    e,
                    Category.C1_3,
                    f"{e.name}的{kind.label}"
                    + (f"“{plan.title}”" if plan.title != kind.label else "")
                    + f"应于{cn_date(plan.review_due)}前修订，已过期未修订。",
                    {
                        "check": "plan_review",
                        "plan": plan.pk,
                        "kind": kind.value,
                        "review_due": plan.review_due.isoformat(),
                    },
                )


def check_supplies(estates: list[Estate], on: dt.date) -> Iterator[Finding]:
    """1.3: no supplies on record (readiness only); the current stock of a supply (its latest row) expired."""
    rows = _by_estate(EmergencySupply.objects.filter(estate__in=estates).order_by("pk"))
    for e in estates:
        current = {s.name: s for s in rows.get(e.pk, [])}  # the latest row of each supply is its stock
        if not current:
            yield Finding("supplies", f"duties:supplies_none:{e.code}", e, "", "未登记应急物资")
            continue
        for s in sorted(current.values(), key=lambda s: s.pk):
            if s.expires_on is not None and s.expires_on < on and s.quantity > 0:
                yield Finding(
                    "supplies",
                    f"duties:supply_expired:{s.pk}",
                    e,
                    Category.C1_3,
                    f"{e.name}应急物资“{s.name}”（{s.quantity.normalize():f}{s.unit_label}）已于{cn_date(s.expires_on)}过期，未更换。",
                    {
                        "check": "supply_expired",
                        "supply": s.pk,
                        "name": s.name,
                        "expires_on": s.expires_on.isoformat(),
                    },
                )


def check_drills(estates: list[Estate], on: dt.date) -> Iterator[Finding]:
    """1.3: no emergency drill within DUTIES_DRILL_PERIOD_DAYS (keyed by the last drill, so a later gap is a new
    lead)."""
    last: dict[int, dt.date] = {}
    for estate_id, day in Drill.objects.filter(estate__in=estates, kind=DrillKind.DRILL).values_list(
        "estate_id", "held_on"
    ):
        last[estate_id] = max(day, last.get(estate_id, dt.date.min))
    for e in estates:
        period = _days("DUTIES_DRILL_PERIOD_DAYS", e)
        held = last.get(e.pk)
        if held is not None and held + period >= on:
            continue
        since = f"最近一次演练在{cn_date(held)}" if held else "没有演练记录"
        yield Finding(
            "drills",
            f"duties:no_drill:{e.code}:{held.isoformat() if held else 'none'}",
            e,
            Category.C1_3,
            f"{e.name}物业服务企业 {period.days} 天内未开展应急演练（{since}）。",
            {"check": "no_drill", "estate": e.code, "last_drill": held.isoformat() if held else None},
        )


def check_hazards(estates: list[Estate], on: dt.date) -> Iterator[Finding]:
    """1.3: a hazard left open past its deadline; no check of common parts within DUTIES_HAZARD_CHECK_DAYS
    (readiness only)."""
    rows = _by_estate(HazardCheck.objects.filter(estate__in=estates).order_by("pk"))
    for e in estates:
        every = _days("DUTIES_HAZARD_CHECK_DAYS", e)
        checks = rows.get(e.pk, [])
        if not any(c.checked_on + every >= on for c in checks):
            yield Finding(
                "hazards",
                f"duties:hazard_none:{e.code}",
                e,
                "",
                f"{every.days} 天内没有公用部位设施设备检查记录",
            )
        for c in checks:
            if c.hazard and c.fixed_on is None and c.fix_deadline is not None and c.fix_deadline < on:
                yield Finding(
                    "hazards",
                    f"duties:hazard_open:{c.pk}",
                    e,
                    Category.C1_3,
                    f"{e.name}{c.scope}的安全隐患“{c.hazard}”（{cn_date(c.checked_on)}检查发现）超过整改期限"
                    f"{cn_date(c.fix_deadline)}仍未处理。",
                    {
                        "check": "hazard_open",
                        "hazard": c.pk,
                        "scope": c.scope,
                        "deadline": c.fix_deadline.isoformat(),
                    },
                )


def check_confined(estates: list[Estate], on: dt.date) -> Iterator[Finding]:
    """1.3: a confined-space work begun without a filing."""
    rows = ConfinedSpaceWork.objects.filter(estate__in=estates, filed_on__isnull=True, starts_on__lte=on)
    for w in rows.select_related("estate").order_by("pk"):
        yield Finding(
            "confined",
            f"duties:confined_unfiled:{w.pk}",
            w.estate,
            Category.C1_3,
            f"{w.estate.name}有限空间作业“{w.work}”（{cn_date(w.starts_on)}）未事先备案、未落实持证作业。",
            {"check": "confined_unfiled", "work": w.pk, "starts_on": w.starts_on.isoformat()},
        )


def check_fire(estates: list[Estate], on: dt.date) -> Iterator[Finding]:
    """1.3, urgent: a fire facility out of action or an exit / fire lane obstructed, not fixed (for an obstruction:
    nor reported to the fire service) within DUTIES_FIRE_FIX_DAYS. No check within DUTIES_FIRE_CHECK_DAYS is a
    readiness gap."""
    rows = _by_estate(FireCheck.objects.filter(estate__in=estates).order_by("pk"))
    for e in estates:
        fix = _days("DUTIES_FIRE_FIX_DAYS", e)
        every = _days("DUTIES_FIRE_CHECK_DAYS", e)
        checks = rows.get(e.pk, [])
        if not any(c.checked_on + every >= on for c in checks):
            yield Finding(
                "fire", f"duties:fire_none:{e.code}", e, "", f"{every.days} 天内没有消防设施检查记录"
            )
        for c in checks:
            if c.passed or c.fixed_on is not None or c.checked_on + fix >= on:
                continue
            if c.facility in ESCAPE_ROUTES and c.reported_on is not None:
                continue  # dissuasion failed and the fire service has it: the company did its part
            what = FireFacility(c.facility).label
            yield Finding(
                "fire",
                f"duties:fire_unfixed:{c.pk}",
                e,
                Category.C1_3,
                f"【消防安全】{e.name}{what}：{c.finding}（{cn_date(c.checked_on)}检查发现），{fix.days} 日内未修复"
                + ("，也未报告消防救援机构。" if c.facility in ESCAPE_ROUTES else "。"),
                {
                    "check": "fire_unfixed",
                    "fire_check": c.pk,
                    "facility": c.facility,
                    "checked_on": c.checked_on.isoformat(),
                    "finding": c.finding,
                },
                urgent=True,
            )


# --- 5. fees and the service rooms -----------------------------------------------------------------------


def check_fees(estates: list[Estate], on: dt.date) -> Iterator[Finding]:
    """7: a fee rise without the price bureau's approval or the owners' decision."""
    rises = FeeChange.objects.filter(estate__in=estates, approval=FeeApproval.NONE).select_related("estate")
    for f in rises.order_by("pk"):
        if f.new_rate <= f.old_rate:
            continue
        yield Finding(
            "fees",
            f"duties:fee_rise:{f.pk}",
            f.estate,
            Category.C7,
            f"{f.estate.name}物业服务企业自{cn_date(f.effective_on)}起将{f.item}由 {f.old_rate} 提高到 {f.new_rate}"
            f"{f.rate_unit}，未经价格主管部门批准或业主大会决定。",
            {
                "check": "fee_rise",
                "fee_change": f.pk,
                "item": f.item,
                "old_rate": f"{f.old_rate:.2f}",
                "new_rate": f"{f.new_rate:.2f}",
                "effective_on": f.effective_on.isoformat(),
            },
        )


def check_rooms(estates: list[Estate], on: dt.date) -> Iterator[Finding]:
    """2.2: a service room (its latest survey) used for anything but property service; none on record is a
    readiness gap."""
    rows = _by_estate(ServiceRoom.objects.filter(estate__in=estates).order_by("pk"))
    for e in estates:
        current = {r.location: r for r in rows.get(e.pk, [])}
        if not current:
            yield Finding("rooms", f"duties:rooms_none:{e.code}", e, "", "未登记物业服务用房")
        for r in sorted(current.values(), key=lambda r: r.pk):
            if r.use == RoomUse.SERVICE:
                continue
            yield Finding(
                "rooms",
                f"duties:room_use:{r.pk}",
                e,
                Category.C2_2,
                f"{e.name}物业服务用房（{r.location}，{r.area} ㎡）改作{r.get_use_display()}：{r.use_note}。",
                {
                    "check": "room_use",
                    "room": r.pk,
                    "use": r.use,
                    "area": f"{r.area:.2f}",
                    "surveyed_on": r.surveyed_on.isoformat(),
                },
            )


CHECKS = (
    check_standard,
    check_disclosure,
    check_renovation,
    check_plans,
    check_supplies,
    check_drills,
    check_hazards,
    check_confined,
    check_fire,
    check_fees,
    check_rooms,
)


def findings(estates: Iterable[Estate], on: dt.date) -> list[Finding]:
    chosen = list(estates)
    return [f for check in CHECKS for f in check(chosen, on)]
