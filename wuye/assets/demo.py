"""Demo elevators, handovers, maintenance-fund uses and parking, with a planted problem for every check.

Elevators are registered in about half of the estates with a contract, maintained every 14 days; planted: a lapse
of maintenance (3.1), repeated faults and an entrapment (3.1 urgent), old and failed elevators not yet put to the
owners (3.2), a renewal voted four months ago without funds (3.3). One company's contract ended without a successor
and its handover is past the deadline with items open (5); another estate changed company and its handover is done.
Fund uses without a vote, on an item the fund may not pay, and by the emergency route without the facts (6).

Deterministic for a seed; idempotent: skipped when elevators exist. The demo logins' estates (the first ones) stay
clean; the planted problems go to estates further down the list.
"""

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum

from wuye.common.dates import now, today
from wuye.kernel.actors import SystemActor
from wuye.kernel.conf import county_setting
from wuye.registry import services as registry_services
from wuye.registry.models import Building, ServiceContract
from wuye.registry.selectors import contracts_in_force
from wuye.revenue.models import Disclosure, FundDue

from . import services
from .models import (
    Elevator,
    ElevatorFault,
    ElevatorMaintenance,
    FaultKind,
    FundingSource,
    FundRoute,
    FundUseStatus,
    Handover,
    InspectionResult,
    ParkingSpace,
    RenewalStage,
    SpaceKind,
    WorkKind,
)

DEMO = SystemActor("demo")
MAKERS = [
    ("广州广日电梯工业有限公司", "GRPS-II"),
    ("日立电梯（中国）有限公司", "HGP"),
    ("通力电梯有限公司", "KONE 3000"),
    ("奥的斯电梯（中国）有限公司", "GeN2"),
    ("上海三菱电梯有限公司", "LEHY-III"),
]
MAINTAINERS = ["贺州市安达电梯工程有限公司", "钟山县顺捷电梯维修服务部", "广西迅达电梯安装工程有限公司"]
SAFE_ESTATES = 4  # the demo logins' estates: no planted problem there


def build(*, seed: int, scale: float, out: Any) -> None:
    if Elevator.objects.exists():
        out.write("  电梯与移交：已存在，跳过")
        return
    rng = random.Random(seed * 104729 + 17)
    with transaction.atomic():
        n = _elevators(rng)
        h = _handovers(rng)
        f = _fund_uses()
        p = _parking(rng)
    out.write(f"  电梯与移交：电梯 {n} 部，移交 {h} 个，维修资金使用 {f} 笔，车位 {p} 个")


def _contracts() -> list[ServiceContract]:
    return list(contracts_in_force().select_related("estate", "company").order_by("estate__code"))


def _elevators(rng: random.Random) -> int:
    on, stamp = today(), now()
    order = {c.estate_id: i for i, c in enumerate(_contracts())}
    contracts = [c for i, c in enumerate(_contracts()) if i % 2 == 0 or i < SAFE_ESTATES]
    made: list[Elevator] = []
    for n, c in enumerate(contracts):
        estate = c.estate
        buildings = list(Building.objects.filter(estate=estate).order_by("pk")[:4])
        built = estate.built_year or rng.randint(2000, 2018)
        for b in buildings:
            maker, model = rng.choice(MAKERS)
            installed = dt.date(min(built, on.year - 1), rng.randint(1, 12), rng.randint(1, 28))
            failed = n >= SAFE_ESTATES and rng.random() < 0.06
            made.append(
                Elevator(
                    estate=estate,
                    building=b,
                    unit_label="1单元",
                    reg_code=f"梯11{estate.code[-4:]}{b.pk % 1000:03d}{len(made):04d}",
                    maker=maker,
                    model_name=model,
                    installed_on=installed,
                    last_inspection_on=on - dt.timedelta(days=rng.randint(20, 300)),
                    inspection_result=InspectionResult.FAIL if failed else InspectionResult.PASS,
                    maintainer=MAINTAINERS[n % len(MAINTAINERS)],
                    created_at=stamp,
                )
            )
    Elevator.objects.bulk_create(made)
    elevators = list(Elevator.objects.select_related("estate").order_by("pk"))
    # old elevators: in the safe estates and every third other estate the owners have already voted and the money
    # is there (clean); elsewhere nobody has started (3.2)
    old_years = 15
    for i, e in enumerate(elevators):
        age = on.year - e.installed_on.year
        safe = order[e.estate_id] < SAFE_ESTATES
        if age >= old_years and (safe or i % 3 == 0):
            e.stage, e.stage_since, e.funding_source = (
                RenewalStage.FUNDED,
                on - dt.timedelta(days=40),
                FundingSource.SUBSIDY,
            )
            e.save(update_fields=["stage", "stage_since", "funding_source"])
    # 3.3: a renewal voted 120 days ago, funds applied for but not there
    stuck = next(e for e in reversed(elevators) if order[e.estate_id] >= SAFE_ESTATES)
    stuck.stage, stuck.stage_since, stuck.funding_source = (
        RenewalStage.VOTED,
        on - dt.timedelta(days=120),
        FundingSource.FUND,
    )
    stuck.save(update_fields=["stage", "stage_since", "funding_source"])
    # maintenance every 14 days for the last 90 days; one planted lapse (3.1)
    lapsed = {e.pk for e in elevators[len(elevators) // 2 : len(elevators) // 2 + 1]}
    visits = []
    for e in elevators:
        last = on - dt.timedelta(days=rng.randint(0, 10) + (22 if e.pk in lapsed else 0))
        for k in range(7):
            day = last - dt.timedelta(days=14 * k)
            if day < e.installed_on:
                break
            visits.append(
                ElevatorMaintenance(
                    elevator=e,
                    done_on=day,
                    done_by=e.maintainer,
                    items="半月维护保养：机房、轿厢、层门、底坑检查",
                    created_at=stamp,
                )
            )
    ElevatorMaintenance.objects.bulk_create(visits)
    # 3.1 urgent: three faults within a month on one elevator, an entrapment on another
    noisy, trapped = elevators[-2], elevators[len(elevators) // 3]
    base = stamp.replace(hour=9, minute=0, second=0, microsecond=0)
    faults = [
        ElevatorFault(
            elevator=noisy,
            kind=FaultKind.FAULT,
            occurred_at=base - dt.timedelta(days=d),
            arrived_at=base - dt.timedelta(days=d) + dt.timedelta(minutes=50),
            note="停梯，门机故障",
            created_at=stamp,
        )
        for d in (3, 11, 24)
    ]
    faults.append(
        ElevatorFault(
            elevator=trapped,
            kind=FaultKind.ENTRAPMENT,
            occurred_at=base - dt.timedelta(days=6),
            arrived_at=base - dt.timedelta(days=6) + dt.timedelta(minutes=42),
            note="困 2 人，维保人员到场后解救",
            created_at=stamp,
        )
    )
    ElevatorFault.objects.bulk_create(faults)
    return len(elevators)


def _handovers(rng: random.Random) -> int:
    """Two estates change hands: one completed (a new company since 60 days ago), one overdue (no successor)."""
    on = today()
    contracts = _contracts()
    if len(contracts) < SAFE_ESTATES + 6:
        return 0
    done_c, overdue_c = contracts[SAFE_ESTATES + 3], contracts[SAFE_ESTATES + 5]
    successor = next(c.company for c in contracts if c.company_id != done_c.company_id)
    # completed: the old contract ended 60 days ago, the successor took over the same day
    ended = on - dt.timedelta(days=60)
    registry_services.contract_end(
        actor=DEMO, contract=done_c, end=ended, reason="合同期满，业主大会选聘新物业"
    )
    registry_services.contract_create(
        actor=DEMO,
        estate=done_c.estate,
        company=successor,
        start=ended,
        end=ended.replace(year=ended.year + 3),
        fee_per_m2=done_c.fee_per_m2,
        hiring=ServiceContract.Hiring.values[0],
    )
    h, _ = services.handover_open(
        actor=DEMO,
        estate=done_c.estate,
        source="contract_end",
        contract=done_c,
        deadline=ended + dt.timedelta(days=30),
    )
    for item in h.items.order_by("seq"):
        services.handover_item_confirm(actor=DEMO, item=item, evidence=f"交接单第 {item.seq} 项，双方签字")
    # overdue: ended 45 days ago without a successor (the street manages meanwhile); three items still open
    ended = on - dt.timedelta(days=45)
    registry_services.contract_end(actor=DEMO, contract=overdue_c, end=ended, reason="合同期满未续签")
    h2, _ = services.handover_open(
        actor=DEMO,
        estate=overdue_c.estate,
        source="contract_end",
        contract=overdue_c,
        deadline=ended + dt.timedelta(days=30),
    )
    items = list(h2.items.order_by("seq"))
    for item in items[:5]:
        services.handover_item_confirm(actor=DEMO, item=item, evidence="已清点接收")
    services.handover_item_dispute(actor=DEMO, item=items[6], dispute="公共收益账册缺 2025 年下半年凭证")
    return Handover.objects.count()


def _fund_uses() -> int:
    """Uses in four estates with deposits: one clean, one without a vote, one on cleaning, one emergency without
    the facts."""
    rows = (
        FundDue.objects.filter(deposited_on__isnull=False)
        .values("estate_id")
        .annotate(total=Sum("amount"))
        .order_by("estate_id")
    )
    estates = [r for r in rows if r["total"] >= Decimal("20000")]
    if len(estates) < 4:
        return 0
    plan = [
        (
            "2栋电梯曳引机更换",
            WorkKind.ELEVATOR,
            FundRoute.EMERGENCY,
            "电梯曳引机钢丝绳断股，停梯危及安全",
            True,
        ),
        ("1栋屋面防水层翻新", WorkKind.ROOF, FundRoute.VOTE, "", False),
        ("小区绿化补植及日常保洁", WorkKind.CLEANING, FundRoute.VOTE, "", False),
        ("3栋外墙瓷砖修补", WorkKind.WALL, FundRoute.EMERGENCY, "", False),
    ]
    from wuye.registry.models import Estate

    made = 0
    for r, (title, kind, route, facts, accept) in zip(estates[-4:], plan, strict=True):
        estate = Estate.objects.get(pk=r["estate_id"])
        amount = (r["total"] * Decimal("0.3")).quantize(Decimal("1"))
        use = services.fund_use_apply(
            actor=DEMO,
            estate=estate,
            title=title,
            work_kind=kind,
            amount=amount,
            parts="1栋、2栋全体业主" if route == FundRoute.VOTE else "2栋全体业主",
            route=route,
            emergency_facts=facts,
            applied_on=today() - dt.timedelta(days=50),
        )
        services.fund_use_move(
            actor=DEMO, use=use, to=FundUseStatus.APPROVED, on=today() - dt.timedelta(days=40)
        )
        services.fund_use_move(actor=DEMO, use=use, to=FundUseStatus.PAID, on=today() - dt.timedelta(days=30))
        if accept:
            services.fund_use_move(
                actor=DEMO, use=use, to=FundUseStatus.ACCEPTED, on=today() - dt.timedelta(days=10)
            )
        made += 1
    return made


def _parking(rng: random.Random) -> int:
    stamp = now()
    spaces = []
    for c in _contracts()[SAFE_ESTATES : SAFE_ESTATES + 3]:
        for k in range(40):
            kind = [SpaceKind.OWNED, SpaceKind.OWNED, SpaceKind.COMMON, SpaceKind.RENTED, SpaceKind.PUBLIC][
                k % 5
            ]
            registered = rng.random() < 0.8
            spaces.append(
                ParkingSpace(
                    estate=c.estate,
                    number=f"A{k + 1:03d}",
                    kind=kind,
                    user_label=f"{k % 6 + 1}栋{rng.randint(1, 18)}0{rng.randint(1, 4)}" if registered else "",
                    # 100 a month: at most 800 for the 8 common spaces, never above the ledger's parking income
                    monthly_rent=Decimal("100.00") if kind == SpaceKind.COMMON and registered else None,
                    created_at=stamp,
                )
            )
    planted = _parking_rent_estate()
    if planted is not None:
        # 2.4 planted: 30 common-part spaces let at 300 a month (9 000) against a ledger's parking income of
        # at most 3 200 a month
        for k in range(30):
            spaces.append(
                ParkingSpace(
                    estate=planted,
                    number=f"G{k + 1:03d}",
                    kind=SpaceKind.COMMON,
                    user_label=f"{k % 5 + 1}栋{k % 12 + 1:02d}01",
                    monthly_rent=Decimal("300.00"),
                    created_at=stamp,
                )
            )
    ParkingSpace.objects.bulk_create(spaces)
    targets = _contracts()[SAFE_ESTATES : SAFE_ESTATES + 2]
    if len(targets) == 2:
        services.parking_report(
            actor=DEMO,
            estate=targets[0].estate,
            problem=services.ParkingProblem.GROUND_LOCK,
            text="检查发现 A003、A008 两个车位私装地锁，其他业主无法停放。",
            space_numbers=["A003", "A008"],
        )
        services.parking_report(
            actor=DEMO,
            estate=targets[1].estate,
            problem=services.ParkingProblem.PRIVATE_LETTING,
            text="物业将共有部位车位按月出租，未经业主大会表决，租金未进入公共收益账户。",
            space_numbers=["A003"],
        )
    return len(spaces)


def _parking_rent_estate() -> Any:
    """The first estate after the parking ones whose public-revenue account has a disclosed period in the check's
    look-back: there its let common spaces' rent will exceed the parking income recorded."""
    since = today() - dt.timedelta(days=int(county_setting("PARKING_RENT_LOOKBACK_DAYS")))
    for c in _contracts()[SAFE_ESTATES + 3 :]:
        if Disclosure.objects.filter(account__estate=c.estate, period_end__gte=since).exists():
            return c.estate
    return None
