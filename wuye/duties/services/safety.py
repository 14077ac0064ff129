"""应急防范 (seed 二(一)3): safety rules and plans, supplies, drills, hazard checks, confined-space work, fire checks."""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from wuye.audit.services import audit_record
from wuye.common.dates import cn_date, today
from wuye.common.errors import DomainError
from wuye.kernel.actors import Actor, requires_actor
from wuye.registry.models import Estate

from ..models import (
    ConfinedSpaceWork,
    Drill,
    DrillKind,
    EmergencyPlan,
    EmergencySupply,
    FireCheck,
    FireFacility,
    HazardCheck,
    PlanKind,
)
from .base import company_acting, create_record, not_future, not_negative, optional_text, required_text


@requires_actor
@transaction.atomic
def plan_record(
    *, actor: Actor, estate: Estate, kind: str, title: str, adopted_on: dt.date, review_due: dt.date
) -> EmergencyPlan:
    if kind not in PlanKind.values:
        raise DomainError("请选择制度或预案的类型", field="kind")
    title = required_text(title, field="title", label="名称", max_length=120)
    not_future(adopted_on, field="adopted_on", label="制定日期")
    if review_due <= adopted_on:
        raise DomainError("下次修订日期须晚于制定日期", field="review_due")
    plan: EmergencyPlan = create_record(
        actor=actor,
        model=EmergencyPlan,
        estate=estate,
        action="duties.plan_record",
        kind=kind,
        title=title,
        adopted_on=adopted_on,
        review_due=review_due,
    )
    return plan


@requires_actor
@transaction.atomic
def supply_record(
    *,
    actor: Actor,
    estate: Estate,
    name: str,
    quantity: Decimal,
    unit_label: str = "件",
    expires_on: dt.date | None = None,
    location: str = "",
) -> EmergencySupply:
    name = required_text(name, field="name", label="物资名称", max_length=60)
    quantity = not_negative(quantity, field="quantity", label="数量")
    supply: EmergencySupply = create_record(
        actor=actor,
        model=EmergencySupply,
        estate=estate,
        action="duties.supply_record",
        name=name,
        quantity=quantity,
        unit_label=required_text(unit_label, field="unit_label", label="单位", max_length=10),
        expires_on=expires_on,
        location=optional_text(location, field="location", label="存放地点", max_length=80),
    )
    return supply


@requires_actor
@transaction.atomic
def drill_record(
    *,
    actor: Actor,
    estate: Estate,
    kind: str,
    plan_kind: str,
    held_on: dt.date,
    attendance: int,
    summary: str = "",
) -> Drill:
    if kind not in DrillKind.values:
        raise DomainError("请选择培训或演练", field="kind")
    if plan_kind not in PlanKind.values:
        raise DomainError("请选择针对的预案", field="plan_kind")
    not_future(held_on, field="held_on", label="培训、演练日期")
    if attendance is None or attendance < 1:
        raise DomainError("参加人数至少 1 人", field="attendance")
    drill: Drill = create_record(
        actor=actor,
        model=Drill,
        estate=estate,
        action="duties.drill_record",
        kind=kind,
        plan_kind=plan_kind,
        held_on=held_on,
        attendance=attendance,
        summary=optional_text(summary, field="summary", label="内容", max_length=200),
    )
    return drill


@requires_actor
@transaction.atomic
def hazard_record(
    *,
    actor: Actor,
    estate: Estate,
    checked_on: dt.date,
    scope: str,
    hazard: str = "",
    fix_deadline: dt.date | None = None,
    fixed_on: dt.date | None = None,
    handling: str = "",
) -> HazardCheck:
    not_future(checked_on, field="checked_on", label="检查日期")
    scope = required_text(scope, field="scope", label="检查部位、设施设备", max_length=120)
    hazard = optional_text(hazard, field="hazard", label="隐患", max_length=200)
    if hazard and fix_deadline is None:
        raise DomainError("发现隐患的，请填写整改期限", field="fix_deadline")
    if fix_deadline is not None and fix_deadline < checked_on:
        raise DomainError("整改期限不能早于检查日期", field="fix_deadline")
    _check_fixed_on(fixed_on, after=checked_on)
    check: HazardCheck = create_record(
        actor=actor,
        model=HazardCheck,
        estate=estate,
        action="duties.hazard_record",
        checked_on=checked_on,
        scope=scope,
        hazard=hazard,
        fix_deadline=fix_deadline if hazard else None,
        fixed_on=fixed_on if hazard else None,
        handling=optional_text(handling, field="handling", label="处理情况", max_length=200),
    )
    return check


def _check_fixed_on(fixed_on: dt.date | None, *, after: dt.date) -> None:
    not_future(fixed_on, field="fixed_on", label="处理完成日期")
    if fixed_on is not None and fixed_on < after:
        raise DomainError("处理完成日期不能早于检查日期", field="fixed_on")


@requires_actor
@transaction.atomic
def hazard_fix(*, actor: Actor, hazard: HazardCheck, fixed_on: dt.date, handling: str = "") -> HazardCheck:
    """The hazard found by a check has been handled."""
    row = HazardCheck.objects.select_for_update().select_related("estate").get(pk=hazard.pk)
    company_acting(actor, row.estate)
    if not row.hazard:
        raise DomainError("该次检查未发现隐患，无需处理", field="fixed_on")
    if row.fixed_on is not None:
        return row
    _check_fixed_on(fixed_on, after=row.checked_on)
    row.fixed_on = fixed_on
    row.handling = optional_text(handling, field="handling", label="处理情况", max_length=200) or row.handling
    row.save(update_fields=["fixed_on", "handling"])
    audit_record(
        actor=actor,
        action="duties.hazard_fix",
        obj=row,
        after={"fixed_on": fixed_on, "handling": row.handling},
    )
    return row


@requires_actor
@transaction.atomic
def confined_work_record(
    *,
    actor: Actor,
    estate: Estate,
    work: str,
    starts_on: dt.date,
    filed_on: dt.date | None = None,
    permit_no: str = "",
    operators: str = "",
) -> ConfinedSpaceWork:
    """A confined-space work; its filing (备案) must come before the work begins, with permit and operators."""
    work = required_text(work, field="work", label="作业内容", max_length=120)
    permit_no = optional_text(permit_no, field="permit_no", label="审批编号", max_length=60)
    operators = optional_text(operators, field="operators", label="持证作业人员", max_length=300)
    if filed_on is not None:
        _check_filing(filed_on=filed_on, starts_on=starts_on, permit_no=permit_no, operators=operators)
    row: ConfinedSpaceWork = create_record(
        actor=actor,
        model=ConfinedSpaceWork,
        estate=estate,
        action="duties.confined_work_record",
        work=work,
        starts_on=starts_on,
        filed_on=filed_on,
        permit_no=permit_no,
        operators=operators,
    )
    return row


def _check_filing(*, filed_on: dt.date, starts_on: dt.date, permit_no: str, operators: str) -> None:
    not_future(filed_on, field="filed_on", label="备案日期")
    if filed_on > starts_on:
        raise DomainError(
            f"备案须在作业开始前完成：作业已于{cn_date(starts_on)}开始，不能补备案", field="filed_on"
        )
    if not permit_no:
        raise DomainError("备案须填写作业审批（许可）编号", field="permit_no")
    if not operators:
        raise DomainError("备案须填写持证作业人员及证书编号", field="operators")


@requires_actor
@transaction.atomic
def confined_work_file(
    *, actor: Actor, work: ConfinedSpaceWork, permit_no: str, operators: str
) -> ConfinedSpaceWork:
    """File a recorded work today (refused once the work has begun)."""
    row = ConfinedSpaceWork.objects.select_for_update().select_related("estate").get(pk=work.pk)
    company_acting(actor, row.estate)
    if row.filed_on is not None:
        return row
    permit_no = optional_text(permit_no, field="permit_no", label="审批编号", max_length=60)
    operators = optional_text(operators, field="operators", label="持证作业人员", max_length=300)
    _check_filing(filed_on=today(), starts_on=row.starts_on, permit_no=permit_no, operators=operators)
    row.filed_on, row.permit_no, row.operators = today(), permit_no, operators
    row.save(update_fields=["filed_on", "permit_no", "operators"])
    audit_record(actor=actor, action="duties.confined_work_file", obj=row, after={"filed_on": row.filed_on})
    return row


@requires_actor
@transaction.atomic
def fire_check_record(
    *,
    actor: Actor,
    estate: Estate,
    facility: str,
    checked_on: dt.date,
    passed: bool,
    finding: str = "",
    fixed_on: dt.date | None = None,
    reported_on: dt.date | None = None,
) -> FireCheck:
    if facility not in FireFacility.values:
        raise DomainError("请选择消防设施或通道", field="facility")
    not_future(checked_on, field="checked_on", label="检查日期")
    finding = optional_text(finding, field="finding", label="发现的问题", max_length=200)
    if not passed and not finding:
        raise DomainError("不合格的，请写明发现的问题（如水压不足、通道被占用）", field="finding")
    if passed:
        fixed_on = reported_on = None
    _check_fixed_on(fixed_on, after=checked_on)
    not_future(reported_on, field="reported_on", label="报告消防救援机构日期")
    row: FireCheck = create_record(
        actor=actor,
        model=FireCheck,
        estate=estate,
        action="duties.fire_check_record",
        facility=facility,
        checked_on=checked_on,
        passed=passed,
        finding=finding,
        fixed_on=fixed_on,
        reported_on=reported_on,
    )
    return row


@requires_actor
@transaction.atomic
def fire_check_fix(
    *, actor: Actor, check: FireCheck, fixed_on: dt.date | None = None, reported_on: dt.date | None = None
) -> FireCheck:
    """A failed facility repaired (an obstruction cleared), or an obstruction reported to the fire service."""
    row = FireCheck.objects.select_for_update().select_related("estate").get(pk=check.pk)
    company_acting(actor, row.estate)
    if row.passed:
        raise DomainError("该次检查合格，无需处理", field="fixed_on")
    if fixed_on is None and reported_on is None:
        raise DomainError("请填写修复日期或报告消防救援机构的日期", field="fixed_on")
    _check_fixed_on(fixed_on, after=row.checked_on)
    not_future(reported_on, field="reported_on", label="报告消防救援机构日期")
    before = {"fixed_on": row.fixed_on, "reported_on": row.reported_on}
    row.fixed_on = row.fixed_on or fixed_on
    row.reported_on = row.reported_on or reported_on
    row.save(update_fields=["fixed_on", "reported_on"])
    audit_record(
        actor=actor,
        action="duties.fire_check_fix",
        obj=row,
        before=before,
        after={"fixed_on": row.fixed_on, "reported_on": row.reported_on},
    )
    return row
