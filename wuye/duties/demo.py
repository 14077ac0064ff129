"""Demo duty records: every estate under a current contract gets its company's records, mostly complete, and a few
estates carry one planted gap for each check, so that `manage.py tick` opens leads of 1.2, 1.3, 2.2 and 7.

Deterministic for a seed (dates relative to today); idempotent: skipped when plans exist.
"""

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction

from wuye.accounts.models import Role, User
from wuye.audit.services import audit_record
from wuye.common.dates import now, today
from wuye.kernel.actors import SystemActor
from wuye.registry.models import ServiceContract
from wuye.registry.selectors import contracts_in_force

from .models import (
    ConfinedSpaceWork,
    DisclosureItem,
    DisclosureKind,
    Drill,
    EmergencyPlan,
    EmergencySupply,
    FeeChange,
    FireCheck,
    FireFacility,
    HazardCheck,
    PlanKind,
    Renovation,
    RenovationViolation,
    ServiceRoom,
    ServiceStandard,
)
from .services import grade_clauses

GAPS = [
    "fire_unfixed",
    "fee_rise",
    "disclosure",
    "exit_blocked",
    "plan_missing",
    "supply_expired",
    "renovation_violation",
    "no_drill",
    "hazard_open",
    "confined_unfiled",
    "room_use",
    "plan_review",
    "renovation_notice",
    "fee_rise",
    "disclosure",
]
# estates that never entered some records (readiness gaps without a lead of their own)
SPARSE = ("standard", "rooms", "hazard_check", "fire_check")
SUPPLIES = [("灭火器", "具"), ("应急照明灯", "盏"), ("防汛沙袋", "袋"), ("急救箱", "个"), ("消防水带", "盘")]
UNITS = ["1栋", "2栋", "3栋", "5栋", "6栋"]


class _Estate:
    """Collects the rows of one estate before one bulk insert per model."""

    def __init__(
        self, contract: ServiceContract, staff: User | None, rng: random.Random, on: dt.date
    ) -> None:
        self.c, self.staff, self.rng, self.on = contract, staff, rng, on
        self.rows: dict[type, list[Any]] = {}

    def ago(self, days: int) -> dt.date:
        return self.on - dt.timedelta(days=days)

    def add(self, model: type, **values: Any) -> Any:
        row = model(
            estate=self.c.estate, company=self.c.company, entered_by=self.staff, created_at=now(), **values
        )
        self.rows.setdefault(model, []).append(row)
        return row


def _complete(b: _Estate, *, skip: set[str]) -> None:
    rng = b.rng
    if "standard" not in skip:
        grade = rng.choice(["一级", "二级", "二级", "三级"])
        b.add(ServiceStandard, contract=b.c, grade=grade, clauses=grade_clauses(grade))
    for kind in DisclosureKind:
        b.add(
            DisclosureItem,
            kind=kind,
            summary={
                DisclosureKind.SERVICE: "保洁、绿化、秩序维护、共用设施设备维修养护，按合同约定标准提供",
                DisclosureKind.PERSONS: "项目负责人、客服主管、工程主管",
                DisclosureKind.FEES: f"物业服务费 {b.c.fee_per_m2} 元/㎡·月；车位管理费 60 元/个·月",
                DisclosureKind.FUND: "本年度未动用住宅专项维修资金",
                DisclosureKind.REPORT: "年度物业服务工作报告（已送业委会）",
            }[kind],
            published_on=b.ago(rng.randint(10, 200)),
            person_title="项目经理" if kind == DisclosureKind.PERSONS else "",
            duty_phone=f"0774-89{rng.randint(10000, 99999)}" if kind == DisclosureKind.PERSONS else "",
            approval_ref=f"钟价〔{b.on.year - 1}〕{rng.randint(3, 40)}号"
            if kind == DisclosureKind.FEES
            else "",
        )
    for plan_kind in PlanKind:
        adopted = b.ago(rng.randint(60, 300))
        b.add(
            EmergencyPlan,
            kind=plan_kind,
            title=plan_kind.label,
            adopted_on=adopted,
            review_due=adopted + dt.timedelta(days=730),
        )
    for name, unit in rng.sample(SUPPLIES, 3):
        b.add(
            EmergencySupply,
            name=name,
            quantity=Decimal(rng.randint(5, 60)),
            unit_label=unit,
            expires_on=b.ago(-rng.randint(60, 700)),
            location="物业服务中心仓库",
        )
    b.add(
        Drill,
        kind="drill",
        plan_kind=PlanKind.FIRE,
        held_on=b.ago(rng.randint(20, 300)),
        attendance=rng.randint(15, 80),
        summary="消防疏散演练",
    )
    b.add(
        Drill,
        kind="training",
        plan_kind=PlanKind.WEATHER,
        held_on=b.ago(rng.randint(20, 300)),
        attendance=rng.randint(8, 30),
        summary="防汛培训",
    )
    if "hazard_check" not in skip:
        b.add(HazardCheck, checked_on=b.ago(rng.randint(5, 60)), scope="配电房、水泵房、电梯机房")
    if "fire_check" not in skip:
        for facility in FireFacility:
            b.add(FireCheck, facility=facility, checked_on=b.ago(rng.randint(2, 25)), passed=True)
    if "rooms" not in skip:
        b.add(
            ServiceRoom,
            location="1栋架空层",
            area=Decimal(rng.randint(40, 160)),
            use="service",
            surveyed_on=b.ago(rng.randint(10, 90)),
        )
    if rng.random() < 0.5:
        b.add(
            Renovation,
            unit=f"{rng.choice(UNITS)}{rng.randint(1, 18)}0{rng.randint(1, 4)}",
            start=b.ago(rng.randint(5, 60)),
            end=b.ago(-rng.randint(10, 60)),
            works="室内装修",
            contractor="钟山县安居装饰工程有限公司",
            notice_signed_on=b.ago(61),
        )


def _plant(b: _Estate, gap: str) -> None:
    rows = b.rows
    if gap == "fire_unfixed":
        b.add(
            FireCheck,
            facility=FireFacility.HYDRANT,
            checked_on=b.ago(9),
            passed=False,
            finding="3栋消火栓无水压",
        )
    elif gap == "exit_blocked":
        b.add(
            FireCheck,
            facility=FireFacility.EXIT,
            checked_on=b.ago(6),
            passed=False,
            finding="2栋一楼安全出口堆放电动车和杂物",
        )
    elif gap == "fee_rise":
        b.add(
            FeeChange,
            item="物业服务费",
            old_rate=b.c.fee_per_m2,
            new_rate=b.c.fee_per_m2 + Decimal("0.30"),
            effective_on=b.ago(45),
            approval="none",
        )
    elif gap == "disclosure":
        rows[DisclosureItem] = [
            d for d in rows[DisclosureItem] if d.kind not in (DisclosureKind.FUND, DisclosureKind.REPORT)
        ]
        for d in rows[DisclosureItem]:
            if d.kind == DisclosureKind.FEES:
                d.published_on = b.ago(420)
    elif gap == "plan_missing":
        rows[EmergencyPlan] = [p for p in rows[EmergencyPlan] if p.kind != PlanKind.PUBLIC_HEALTH]
    elif gap == "plan_review":
        for p in rows[EmergencyPlan]:
            if p.kind == PlanKind.WEATHER:
                p.adopted_on, p.review_due = b.ago(800), b.ago(70)
    elif gap == "supply_expired":
        b.add(
            EmergencySupply,
            name="防毒面具",
            quantity=Decimal(20),
            unit_label="个",
            expires_on=b.ago(40),
            location="消防控制室",
        )
    elif gap == "no_drill":
        rows[Drill] = [d for d in rows[Drill] if d.kind != "drill"]
    elif gap == "hazard_open":
        b.add(
            HazardCheck,
            checked_on=b.ago(30),
            scope="地下车库",
            hazard="排水沟盖板破损、照明损坏",
            fix_deadline=b.ago(16),
        )
    elif gap == "confined_unfiled":
        b.add(ConfinedSpaceWork, work="雨污水管网清淤", starts_on=b.ago(4))
    elif gap == "room_use":
        b.add(
            ServiceRoom,
            location="3栋一楼",
            area=Decimal("52.00"),
            use="leased",
            use_note="出租给便利店经营",
            surveyed_on=b.ago(12),
        )
    elif gap == "renovation_notice":
        b.add(
            Renovation,
            unit="6栋502",
            start=b.ago(8),
            end=b.ago(-50),
            works="全屋装修",
            contractor="个人施工队",
        )
    elif gap == "renovation_violation":
        r = b.add(
            Renovation,
            unit="2栋301",
            start=b.ago(25),
            end=b.ago(-30),
            works="厨卫改造",
            notice_signed_on=b.ago(26),
        )
        b.add(RenovationViolation, renovation=r, kind="load_bearing", found_on=b.ago(12))


@transaction.atomic
def build(*, seed: int, scale: float, out: Any) -> None:
    if EmergencyPlan.objects.exists():
        out.write("  履约台账：已存在，跳过")
        return
    rng = random.Random(seed * 104729 + 18)
    on = today()
    contracts = list(contracts_in_force(on=on).select_related("estate", "company").order_by("estate__code"))
    if not contracts:
        out.write("  履约台账：没有现行合同的小区，跳过")
        return
    staff_of: dict[int | None, User] = {}
    for u in User.objects.filter(role=Role.COMPANY_STAFF).order_by("id"):
        staff_of.setdefault(u.company_id, u)
    # the first estates (the demo logins') stay clean; gaps go to the estates after them
    plan: dict[int, str] = {}
    step = max(1, (len(contracts) - 3) // len(GAPS))
    for i, gap in enumerate(GAPS):
        idx = 3 + i * step
        if idx < len(contracts):
            plan[contracts[idx].estate_id] = gap
    builders = []
    for n, c in enumerate(contracts):
        b = _Estate(c, staff_of.get(c.company_id), rng, on)
        skip = {SPARSE[n % len(SPARSE)]} if n >= 3 and n % 3 == 2 else set()
        _complete(b, skip=skip)
        if c.estate_id in plan:
            _plant(b, plan[c.estate_id])
        builders.append(b)
    counts: dict[str, int] = {}
    order = [
        ServiceStandard,
        DisclosureItem,
        EmergencyPlan,
        EmergencySupply,
        Drill,
        HazardCheck,
        ConfinedSpaceWork,
        FireCheck,
        FeeChange,
        ServiceRoom,
        Renovation,
        RenovationViolation,
    ]
    for model in order:
        rows = [r for b in builders for r in b.rows.get(model, [])]
        if model is RenovationViolation:
            for r in rows:
                r.renovation_id = r.renovation.pk  # saved just above
        model._default_manager.bulk_create(rows)
        counts[str(model._meta.verbose_name)] = len(rows)
    audit_record(
        actor=SystemActor("demo"),
        action="duties.demo_build",
        object_type="duties",
        object_id="demo",
        after={"estates": len(contracts), "planted": sorted(set(plan.values()))},
    )
    out.write(
        f"  履约台账：{len(contracts)} 个小区，埋设问题 {len(plan)} 处（"
        + "、".join(f"{k} {v}" for k, v in counts.items())
        + "）"
    )
