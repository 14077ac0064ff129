"""The automatic checks of elevators, handovers and maintenance-fund uses, run by `manage.py tick`.

Each finding opens or refreshes one lead through intake's `finding_open_or_update`, keyed so that a second run opens
nothing new; the evidence holds no timestamps of the run, so an unchanged finding changes no row.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Max, Sum

from wuye.common.dates import cn_date, today
from wuye.common.money import format_yuan
from wuye.intake.services import finding_open_or_update
from wuye.kernel.actors import SystemActor
from wuye.kernel.taxonomy import Category
from wuye.registry.models import Estate
from wuye.registry.selectors import estate_setting, setting_range
from wuye.revenue.models import Disclosure, Entry, IncomeSource
from wuye.revenue.periods import period_from_key
from wuye.revenue.selectors import SIGNED

from .models import (
    EMERGENCY_WORK,
    FUND_ALLOWED_WORK,
    RENEWAL_AWAITING_FUNDS,
    RENEWAL_STARTED,
    Elevator,
    ElevatorFault,
    FaultKind,
    FundRoute,
    FundUse,
    FundUseStatus,
    Handover,
    HandoverStatus,
    InspectionResult,
    ItemStatus,
    ParkingSpace,
    SpaceKind,
)
from .selectors import age_years
from .votes import FUND_USE_ITEM, motion_passed

ACTOR = SystemActor("assets_checks")


@dataclass(frozen=True)
class Finding:
    key: str
    estate: Estate
    category: str
    text: str
    evidence: dict[str, Any]
    urgent: bool = False


def _where(e: Elevator) -> str:
    parts = [e.estate.name, e.building.name if e.building else "", e.unit_label]
    return "".join(p for p in parts if p) + f"（{e.reg_code}）"


# --- elevators ----------------------------------------------------------------------------------------------


def check_maintenance(on: dt.date) -> Iterator[Finding]:
    """3.1: no maintenance for more than ELEVATOR_MAINTENANCE_DAYS (the interval counts from installation when none
    was ever recorded). Keyed by the last visit, so a new lapse after a new visit is a new finding."""
    qs = (
        Elevator.objects.annotate(last=Max("maintenances__done_on"))
        .select_related("estate__town__county", "building")
        .order_by("pk")
    )
    for e in qs:
        days = int(estate_setting("ELEVATOR_MAINTENANCE_DAYS", e.estate))
        last = e.last or e.installed_on
        if last >= on - dt.timedelta(days=days):
            continue
        seen = cn_date(e.last) if e.last else "无记录"
        yield Finding(
            key=f"elevator:maintenance:{e.reg_code}:{last.isoformat()}",
            estate=e.estate,
            category=Category.C3_1,
            text=f"{_where(e)}超过 {days} 天未维护保养（最近一次维保：{seen}；维保单位：{e.maintainer or '未登记'}）。",
            evidence={
                "check": "elevator_maintenance",
                "elevator": e.reg_code,
                "last_maintenance": e.last.isoformat() if e.last else None,
                "interval_days": days,
                "maintainer": e.maintainer,
            },
        )


def _fault_row(f: ElevatorFault) -> dict[str, Any]:
    return {
        "kind": f.get_kind_display(),
        "occurred_at": f.occurred_at.isoformat(),
        "response_minutes": f.response_minutes,
    }


def check_faults(on: dt.date) -> Iterator[Finding]:
    """3.1 urgent: any entrapment within the window, or ELEVATOR_FAULT_COUNT faults within the window (both as
    the estate's county sets them)."""
    widest = dt.timedelta(days=int(setting_range("ELEVATOR_FAULT_WINDOW_DAYS")[1]))
    earliest = dt.datetime.combine(on - widest, dt.time.min).astimezone()
    faults = (
        ElevatorFault.objects.filter(occurred_at__gte=earliest - widest)
        .select_related("elevator__estate__town__county", "elevator__building")
        .order_by("elevator_id", "occurred_at")
    )
    by_elevator: dict[int, list[ElevatorFault]] = defaultdict(list)
    for f in faults:
        by_elevator[f.elevator_id].append(f)
    for rows in by_elevator.values():
        e = rows[0].elevator
        window = dt.timedelta(days=int(estate_setting("ELEVATOR_FAULT_WINDOW_DAYS", e.estate)))
        count = int(estate_setting("ELEVATOR_FAULT_COUNT", e.estate))
        since = dt.datetime.combine(on - window, dt.time.min).astimezone()
        for f in rows:
            if f.kind == FaultKind.ENTRAPMENT and f.occurred_at >= since:
                minutes = f.response_minutes
                arrival = f"救援到场用时 {minutes} 分钟" if minutes is not None else "未登记救援到场时间"
                yield Finding(
                    key=f"elevator:entrapment:{e.reg_code}:{f.pk}",
                    estate=e.estate,
                    category=Category.C3_1,
                    text=f"{_where(e)}于 {cn_date(f.occurred_at)} 发生困人，{arrival}。",
                    evidence={"check": "elevator_entrapment", "elevator": e.reg_code, **_fault_row(f)},
                    urgent=True,
                )
        # the first fault within the window that brings the count to the threshold names the finding
        for i, f in enumerate(rows):
            if f.occurred_at < since:
                continue
            recent = [g for g in rows[: i + 1] if g.occurred_at > f.occurred_at - window]
            if len(recent) >= count:
                yield Finding(
                    key=f"elevator:faults:{e.reg_code}:{f.pk}",
                    estate=e.estate,
                    category=Category.C3_1,
                    text=f"{_where(e)}在 {window.days} 天内发生故障 {len(recent)} 次，须排查隐患。",
                    evidence={
                        "check": "elevator_faults",
                        "elevator": e.reg_code,
                        "faults": [_fault_row(g) for g in recent],
                    },
                    urgent=True,
                )
                break


def check_renewal_due(on: dt.date) -> Iterator[Finding]:
    """3.2: elevators older than OLD_ELEVATOR_YEARS, or with a failed inspection, whose renewal has not started
    (no owners' vote yet). One finding per estate listing the elevators."""
    by_estate: dict[int, list[Elevator]] = defaultdict(list)
    for e in (
        Elevator.objects.exclude(stage__in=RENEWAL_STARTED)
        .select_related("estate__town__county", "building")
        .order_by("pk")
    ):
        years = int(estate_setting("OLD_ELEVATOR_YEARS", e.estate))
        if age_years(e.installed_on, on) >= years or e.inspection_result == InspectionResult.FAIL:
            by_estate[e.estate_id].append(e)
    for rows in by_estate.values():
        estate = rows[0].estate
        years = int(estate_setting("OLD_ELEVATOR_YEARS", estate))
        listed = [
            {
                "elevator": e.reg_code,
                "installed_on": e.installed_on.isoformat(),
                "inspection": e.get_inspection_result_display(),
                "stage": e.get_stage_display(),
            }
            for e in rows
        ]
        old = sum(1 for e in rows if age_years(e.installed_on, on) >= years)
        failed = sum(1 for e in rows if e.inspection_result == InspectionResult.FAIL)
        yield Finding(
            key=f"elevator:renewal_due:{estate.code}",
            estate=estate,
            category=Category.C3_2,
            text=(
                f"{estate.name}有 {len(rows)} 部电梯应更新改造而未启动（使用满 {years} 年 {old} 部，定期检验不合格 "
                f"{failed} 部），尚未经业主表决申报。"
            ),
            evidence={"check": "elevator_renewal_due", "old_years": years, "elevators": listed},
        )


def check_renewal_funds(on: dt.date) -> Iterator[Finding]:
    """3.3: owners voted for a renewal more than ELEVATOR_FUNDING_DAYS ago and the money is not there."""
    shortest = int(setting_range("ELEVATOR_FUNDING_DAYS")[0])
    qs = (
        Elevator.objects.filter(
            stage__in=RENEWAL_AWAITING_FUNDS, stage_since__lt=on - dt.timedelta(days=shortest)
        )
        .select_related("estate__town__county", "building", "motion__assembly")
        .order_by("pk")
    )
    for e in qs:
        assert e.stage_since is not None
        days = int(estate_setting("ELEVATOR_FUNDING_DAYS", e.estate))
        if e.stage_since >= on - dt.timedelta(days=days):
            continue
        yield Finding(
            key=f"elevator:renewal_funds:{e.reg_code}",
            estate=e.estate,
            category=Category.C3_3,
            text=(
                f"{_where(e)}更新改造自 {cn_date(e.stage_since)} 起处于“{e.get_stage_display()}”，超过 {days} 天资金仍未到位"
                f"（资金来源：{e.get_funding_source_display()}）。"
            ),
            evidence={
                "check": "elevator_renewal_funds",
                "elevator": e.reg_code,
                "stage": e.get_stage_display(),
                "since": e.stage_since.isoformat(),
                "funding_source": e.get_funding_source_display(),
                "motion": str(e.motion) if e.motion else None,
                "limit_days": days,
            },
        )


# --- handover -----------------------------------------------------------------------------------------------


def check_handover_overdue(on: dt.date) -> Iterator[Finding]:
    """5: past the deadline with checklist items not confirmed: one lead per handover against the outgoing company,
    its evidence refreshed as items are confirmed."""
    qs = (
        Handover.objects.filter(status=HandoverStatus.OPEN, deadline__lt=on)
        .select_related("estate", "outgoing")
        .prefetch_related("items")
        .order_by("pk")
    )
    for h in qs:
        pending = [i for i in h.items.all() if i.status != ItemStatus.CONFIRMED]
        if not pending:
            continue
        company = h.outgoing.name if h.outgoing else "原管理人"
        yield Finding(
            key=f"handover:{h.pk}:overdue",
            estate=h.estate,
            category=Category.C5,
            text=(
                f"{h.estate.name}移交期限 {cn_date(h.deadline)} 已过，{company}仍有 {len(pending)} 项未移交"
                f"（{'、'.join(i.label for i in pending[:4])}{'等' if len(pending) > 4 else ''}）。"
            ),
            evidence={
                "check": "handover_overdue",
                "handover": h.pk,
                "outgoing": company,
                "incoming": h.incoming_name,
                "deadline": h.deadline.isoformat(),
                "open_items": [{"item": i.label, "status": i.get_status_display()} for i in pending],
            },
        )


# --- maintenance fund ---------------------------------------------------------------------------------------


def check_fund_uses(on: dt.date) -> Iterator[Finding]:
    """6: a use without the owners' vote it needs, on an item the fund may not pay, or by the emergency route
    without the emergency facts."""
    qs = (
        FundUse.objects.exclude(status__in=[FundUseStatus.APPLIED, FundUseStatus.REJECTED])
        .select_related("estate", "motion__assembly")
        .order_by("pk")
    )
    for u in qs:
        base = {
            "fund_use": u.pk,
            "title": u.title,
            "work_kind": u.get_work_kind_display(),
            "amount": f"{u.amount:.2f}",
            "status": u.get_status_display(),
        }
        what = f"{u.estate.name}维修资金使用“{u.title}”（{format_yuan(u.amount)}）"
        if u.work_kind not in FUND_ALLOWED_WORK:
            yield Finding(
                key=f"fund_use:{u.pk}:not_allowed",
                estate=u.estate,
                category=Category.C6,
                text=f"{what}用于“{u.get_work_kind_display()}”，不属于共用部位、共用设施设备的维修更新改造。",
                evidence={"check": "fund_use_not_allowed", **base},
            )
        if u.route == FundRoute.VOTE:
            voted = (
                u.motion is not None
                and u.motion.item == FUND_USE_ITEM
                and u.motion.assembly.estate_id == u.estate_id
                and motion_passed(u.motion)
            )
            if not voted:
                yield Finding(
                    key=f"fund_use:{u.pk}:no_vote",
                    estate=u.estate,
                    category=Category.C6,
                    text=f"{what}未经相关业主专有面积、人数双过半表决通过即已{u.get_status_display().removeprefix('已')}。",
                    evidence={
                        "check": "fund_use_no_vote",
                        "motion": str(u.motion) if u.motion else None,
                        **base,
                    },
                )
        elif not u.emergency_facts or u.work_kind not in EMERGENCY_WORK:
            yield Finding(
                key=f"fund_use:{u.pk}:emergency",
                estate=u.estate,
                category=Category.C6,
                text=f"{what}按应急程序使用，但未说明应急情形或不属于可应急使用的事项。",
                evidence={"check": "fund_use_emergency", "facts": u.emergency_facts, **base},
            )


# --- parking ------------------------------------------------------------------------------------------------


def let_common_spaces(estate_id: int) -> list[ParkingSpace]:
    """Common-part spaces let to someone (a user registered) at a monthly rent: their rent is public revenue."""
    return list(
        ParkingSpace.objects.filter(estate_id=estate_id, kind=SpaceKind.COMMON, monthly_rent__gt=0)
        .exclude(user_label="")
        .order_by("number")
    )


def check_parking_rent(on: dt.date) -> Iterator[Finding]:
    """2.4: for each disclosed period (ended within PARKING_RENT_LOOKBACK_DAYS) the parking income recorded in the
    estate's public-revenue account falls short of the let common-part spaces' rent by more than
    PARKING_RENT_TOLERANCE_PCT. One lead per estate; its evidence lists the short periods."""
    longest = on - dt.timedelta(days=int(setting_range("PARKING_RENT_LOOKBACK_DAYS")[1]))
    estate_ids = (
        ParkingSpace.objects.filter(kind=SpaceKind.COMMON, monthly_rent__gt=0)
        .exclude(user_label="")
        .values_list("estate_id", flat=True)
        .distinct()
    )
    disclosures = (
        Disclosure.objects.filter(
            account__estate_id__in=list(estate_ids), period_end__gte=longest, period_end__lte=on
        )
        .select_related("account__estate__town__county")
        .order_by("account__estate__code", "period_start")
    )
    by_estate: dict[int, list[Disclosure]] = defaultdict(list)
    for d in disclosures:
        by_estate[d.account.estate_id].append(d)
    for estate_id, periods in by_estate.items():
        estate = periods[0].account.estate
        tolerance_pct = int(estate_setting("PARKING_RENT_TOLERANCE_PCT", estate))
        tolerance = Decimal(tolerance_pct) / 100
        since = on - dt.timedelta(days=int(estate_setting("PARKING_RENT_LOOKBACK_DAYS", estate)))
        periods = [d for d in periods if d.period_end >= since]
        spaces = let_common_spaces(estate_id)
        monthly = sum((s.monthly_rent or Decimal(0) for s in spaces), Decimal(0))
        short = []
        for d in periods:
            recorded = Entry.objects.filter(
                account_id=d.account_id,
                source=IncomeSource.PARKING,
                occurred_on__gte=d.period_start,
                occurred_on__lte=d.period_end,
            ).aggregate(t=Sum(SIGNED))["t"] or Decimal(0)
            period = period_from_key(d.period_key)
            expected = monthly * period.months
            if recorded < expected * (1 - tolerance):
                short.append((period, expected, recorded))
        if not short:
            continue
        worst = min(short, key=lambda x: x[2] - x[1])
        yield Finding(
            key=f"parking:rent:{estate.code}",
            estate=estate,
            category=Category.C2_4,
            text=(
                f"{estate.name}出租共有部位车位 {len(spaces)} 个，月租金合计 {format_yuan(monthly)}；"
                f"{len(short)} 个已公示期间公共收益账户停车收入低于应收租金（如{worst[0].label}应收 "
                f"{format_yuan(worst[1])}，仅入账 {format_yuan(worst[2])}）。"
            ),
            evidence={
                "check": "parking_rent",
                "tolerance_pct": tolerance_pct,
                "monthly_expected": f"{monthly:.2f}",
                "periods": [
                    {"period": p.key, "expected": f"{e:.2f}", "recorded": f"{r:.2f}"} for p, e, r in short
                ],
                "spaces": [
                    {"number": s.number, "user": s.user_label, "monthly_rent": f"{s.monthly_rent:.2f}"}
                    for s in spaces
                ],
            },
        )


ELEVATOR_CHECKS = (check_maintenance, check_faults, check_renewal_due, check_renewal_funds)


def run(checks: tuple[Any, ...], *, on: dt.date | None = None) -> dict[str, int]:
    """Run the checks; returns how many findings each category has and how many leads were new."""
    day = on or today()
    counts: dict[str, int] = defaultdict(int)
    for check in checks:
        for f in check(day):
            result = finding_open_or_update(
                actor=ACTOR,
                key=f.key,
                estate=f.estate,
                category=f.category,
                text=f.text,
                evidence=f.evidence,
                urgent=f.urgent,
            )
            counts[str(f.category)] += 1
            counts["new"] += int(result.created)
    return dict(counts)
