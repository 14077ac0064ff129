"""Reads of the assets app, scoped per role through the registry's estate scope."""

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404

from wuye.accounts.models import COUNTY_READ_ROLES, STAFF_ROLES, Role, User
from wuye.cases.models import Case
from wuye.common.dates import today
from wuye.intake.models import Lead, LeadStatus
from wuye.kernel.case_states import OPEN_STATES
from wuye.registry.models import Estate
from wuye.registry.selectors import estate_in_counties_of, estate_setting, estates_visible_to

from .fundbalance import fund_balance
from .models import (
    RENEWAL_STARTED,
    Elevator,
    FundUse,
    Handover,
    HandoverStatus,
    InspectionResult,
    ParkingSpace,
    RenewalStage,
    SpaceKind,
)

AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("10年以下", 0, 10),
    ("10–15年", 10, 15),
    ("15–20年", 15, 20),
    ("20年及以上", 20, None),
)


def age_years(installed_on: dt.date, on: dt.date | None = None) -> int:
    day = on or today()
    return day.year - installed_on.year - ((day.month, day.day) < (installed_on.month, installed_on.day))


def age_band(years: int) -> str:
    for label, low, high in AGE_BANDS:
        if years >= low and (high is None or years < high):
            return label
    return AGE_BANDS[0][0]


def staff_estates(user: User) -> QuerySet[Estate]:
    """The estates whose asset pages a staff user may open (owners read the public estate page instead)."""
    if user.role not in STAFF_ROLES:
        return Estate.objects.none()
    return estates_visible_to(user)


def estate_get_staff(user: User, *, code: str) -> Estate:
    estate = staff_estates(user).filter(code=code).first()
    if estate is None:
        raise Http404("没有找到该小区，或您无权查看")
    return estate


def elevators_visible_to(user: User) -> QuerySet[Elevator]:
    return (
        Elevator.objects.filter(estate__in=staff_estates(user))
        .select_related("estate", "building", "motion__assembly")
        .annotate(last_maintenance=Max("maintenances__done_on"))
        .order_by("estate__code", "reg_code")
    )


def elevator_get_visible(user: User, *, pk: int) -> Elevator:
    elevator = elevators_visible_to(user).filter(pk=pk).first()
    if elevator is None:
        raise Http404("没有找到该电梯，或您无权查看")
    return elevator


def elevators_of(estate: Estate) -> QuerySet[Elevator]:
    return (
        Elevator.objects.filter(estate=estate)
        .select_related("building")
        .annotate(last_maintenance=Max("maintenances__done_on"))
        .order_by("reg_code")
    )


def elevator_county_table(user: User) -> list[dict[str, Any]]:
    """Per estate: elevators by age band and renewal stage, and how many are due for renewal but not started;
    the worst estates first."""
    if user.role not in COUNTY_READ_ROLES:
        return []
    day = today()
    rows: dict[int, dict[str, Any]] = {}
    elevators = Elevator.objects.filter(estate_in_counties_of(user))
    for e in elevators.select_related("estate__town__county").order_by("estate__code", "pk"):
        old = int(estate_setting("OLD_ELEVATOR_YEARS", e.estate))  # the estate's county's rule
        row = rows.setdefault(
            e.estate_id,
            {
                "estate": e.estate,
                "total": 0,
                "bands": defaultdict(int),
                "stages": defaultdict(int),
                "due": 0,
                "failed": 0,
            },
        )
        years = age_years(e.installed_on, day)
        row["total"] += 1
        row["bands"][age_band(years)] += 1
        row["stages"][e.stage] += 1
        if e.inspection_result == InspectionResult.FAIL:
            row["failed"] += 1
        if (years >= old or e.inspection_result == InspectionResult.FAIL) and e.stage not in RENEWAL_STARTED:
            row["due"] += 1
    out = []
    for row in rows.values():
        row["band_counts"] = [row["bands"][label] for label, _, _ in AGE_BANDS]
        row["stage_counts"] = [row["stages"][s] for s in RenewalStage.values]
        out.append(row)
    out.sort(key=lambda r: (-r["due"], -r["failed"], -r["band_counts"][-1], r["estate"].code))
    return out


# --- handover -------------------------------------------------------------------------------------------------


def handovers_visible_to(user: User) -> QuerySet[Handover]:
    qs = Handover.objects.select_related("estate", "outgoing", "incoming").order_by(
        "status", "deadline", "pk"
    )
    if user.role in COUNTY_READ_ROLES:
        return qs.filter(estate_in_counties_of(user))
    if user.role == Role.COMPANY_STAFF and user.company_id:
        return qs.filter(Q(outgoing_id=user.company_id) | Q(incoming_id=user.company_id))
    if user.role == Role.COMMITTEE_MEMBER and user.estate_id:
        return qs.filter(estate_id=user.estate_id)
    return qs.none()


def handover_get_visible(user: User, *, pk: int) -> Handover:
    handover = handovers_visible_to(user).filter(pk=pk).first()
    if handover is None:
        raise Http404("没有找到该移交，或您无权查看")
    return handover


# --- fund use -------------------------------------------------------------------------------------------------


def fund_uses_of(estate: Estate) -> QuerySet[FundUse]:
    return (
        FundUse.objects.filter(estate=estate)
        .select_related("motion__assembly")
        .order_by("-applied_on", "-pk")
    )


def fund_use_get_visible(user: User, *, pk: int) -> FundUse:
    use = FundUse.objects.filter(estate__in=staff_estates(user), pk=pk).select_related("estate").first()
    if use is None:
        raise Http404("没有找到该维修资金使用记录，或您无权查看")
    return use


def estate_fund_balance(estate: Estate) -> dict[str, Any]:
    return fund_balance(estate)


# --- parking --------------------------------------------------------------------------------------------------


def parking_summary(estate: Estate) -> dict[str, Any]:
    """Spaces by type, how many have their user registered, and the expected monthly rent of let common spaces."""
    spaces = ParkingSpace.objects.filter(estate=estate)
    agg = spaces.aggregate(total=Count("pk"), registered=Count("pk", filter=~Q(user_label="")))
    by_kind = dict(spaces.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    common_let = spaces.filter(kind=SpaceKind.COMMON).exclude(user_label="")
    rent = sum((s.monthly_rent or 0 for s in common_let), start=0)
    total = agg["total"] or 0
    return {
        "total": total,
        "registered": agg["registered"] or 0,
        "completeness": round(100 * (agg["registered"] or 0) / total) if total else None,
        "kinds": [(label, by_kind.get(value, 0)) for value, label in SpaceKind.choices],
        "common_let": common_let.count(),
        "expected_rent": rent,
    }


def open_handover_of(estate: Estate) -> Handover | None:
    return (
        Handover.objects.filter(estate=estate, status=HandoverStatus.OPEN).select_related("outgoing").first()
    )


PARKING_CATEGORIES = ("4", "2.2")


def parking_disputes(estate: Estate) -> dict[str, Any]:
    """Open parking matters of the estate: cases of category 4 (and 2.2, unauthorised letting) not closed, and
    leads not yet sorted. Titles and numbers only: complaint texts stay in the ledger."""
    cases = Case.objects.filter(
        estate=estate, category__in=PARKING_CATEGORIES, status__in=OPEN_STATES
    ).order_by("-pk")
    leads = Lead.objects.filter(estate=estate, category__in=PARKING_CATEGORIES, status=LeadStatus.NEW)
    return {"cases": list(cases[:50]), "leads": leads.count()}
