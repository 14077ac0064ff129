"""Writes of the elevator registry: elevators, maintenance visits, faults and entrapments, the renewal stage."""

import datetime as dt
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from wuye.audit.services import audit_record
from wuye.common.dates import now, today
from wuye.common.errors import DomainError, InvalidTransition
from wuye.common.uploads import check_upload
from wuye.kernel.actors import Actor, requires_actor
from wuye.registry.models import Building, Estate
from wuye.voting.models import Motion

from ..models import (
    RENEWAL_STARTED,
    Elevator,
    ElevatorFault,
    ElevatorMaintenance,
    FaultKind,
    FundingSource,
    InspectionResult,
    RenewalStage,
)
from ..votes import motion_passed
from ._common import require_bureau, require_committee_or_bureau, require_company_or_bureau

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

# the renewal moves forward one step at a time, or back to "needed" when a step fails
STAGE_ORDER = [s.value for s in RenewalStage]


def _check_dates(*, installed_on: dt.date, last_inspection_on: dt.date | None) -> None:
    if installed_on > today():
        raise DomainError("安装日期不能晚于今天", field="installed_on")
    if last_inspection_on is not None:
        if last_inspection_on > today():
            raise DomainError("最近定期检验日期不能晚于今天", field="last_inspection_on")
        if last_inspection_on < installed_on:
            raise DomainError("最近定期检验日期不能早于安装日期", field="last_inspection_on")


@requires_actor
@transaction.atomic
def elevator_save(
    *,
    actor: Actor,
    estate: Estate,
    reg_code: str,
    installed_on: dt.date,
    building: Building | None = None,
    unit_label: str = "",
    maker: str = "",
    model_name: str = "",
    last_inspection_on: dt.date | None = None,
    inspection_result: str = InspectionResult.NONE,
    maintainer: str = "",
) -> tuple[Elevator, bool]:
    """Register an elevator or update it by its registration code. Returns (elevator, changed)."""
    require_bureau(actor, what="登记电梯")
    reg_code = reg_code.strip()
    if not reg_code:
        raise DomainError("使用登记证编号不能为空", field="reg_code")
    if building is not None and building.estate_id != estate.pk:
        raise DomainError("楼栋不属于该小区", field="building")
    _check_dates(installed_on=installed_on, last_inspection_on=last_inspection_on)
    values = {
        "estate_id": estate.pk,
        "building_id": building.pk if building else None,
        "unit_label": unit_label.strip(),
        "maker": maker.strip(),
        "model_name": model_name.strip(),
        "installed_on": installed_on,
        "last_inspection_on": last_inspection_on,
        "inspection_result": inspection_result,
        "maintainer": maintainer.strip(),
    }
    existing = Elevator.objects.select_for_update().filter(reg_code=reg_code).first()
    if existing is None:
        elevator = Elevator.objects.create(reg_code=reg_code, created_at=now(), **values)
        audit_record(
            actor=actor, action="elevator.create", obj=elevator, after={"reg_code": reg_code, **values}
        )
        return elevator, True
    before = {k: getattr(existing, k) for k in values}
    if before == values:
        return existing, False
    for k, v in values.items():
        setattr(existing, k, v)
    existing.save(update_fields=[k.removesuffix("_id") for k in values])
    audit_record(actor=actor, action="elevator.update", obj=existing, before=before, after=values)
    return existing, True


@requires_actor
@transaction.atomic
def maintenance_record(
    *,
    actor: Actor,
    elevator: Elevator,
    done_on: dt.date,
    done_by: str,
    items: str = "",
    sheet: "UploadedFile[bytes] | None" = None,
) -> tuple[ElevatorMaintenance, bool]:
    """A maintenance visit entered by the company (or imported); the same elevator and day is recorded once."""
    user = require_company_or_bureau(actor, elevator.estate, what="登记电梯维保记录")
    if done_on > today():
        raise DomainError("维保日期不能晚于今天", field="done_on")
    if done_on < elevator.installed_on:
        raise DomainError("维保日期不能早于电梯安装日期", field="done_on")
    if not done_by.strip():
        raise DomainError("请填写维保人员或单位", field="done_by")
    existing = ElevatorMaintenance.objects.filter(elevator=elevator, done_on=done_on).first()
    if existing is not None:
        return existing, False
    record = ElevatorMaintenance(
        elevator=elevator,
        done_on=done_on,
        done_by=done_by.strip(),
        items=items.strip(),
        created_by=user,
        created_at=now(),
    )
    if sheet is not None:
        checked = check_upload(sheet, field="sheet")
        from django.core.files.base import ContentFile

        record.sheet.save(checked.name, ContentFile(checked.data), save=False)
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:  # the same visit entered twice at once
        return ElevatorMaintenance.objects.get(elevator=elevator, done_on=done_on), False
    audit_record(
        actor=actor,
        action="elevator.maintenance",
        obj=record,
        after={"elevator": elevator.reg_code, "done_on": done_on, "done_by": record.done_by},
    )
    return record, True


@requires_actor
@transaction.atomic
def fault_record(
    *,
    actor: Actor,
    elevator: Elevator,
    kind: str,
    occurred_at: dt.datetime,
    arrived_at: dt.datetime | None = None,
    note: str = "",
) -> tuple[ElevatorFault, bool]:
    """A fault or an entrapment (困人) with the time help arrived."""
    user = require_company_or_bureau(actor, elevator.estate, what="登记电梯故障")
    if kind not in FaultKind.values:
        raise DomainError("请选择故障类型", field="kind")
    if occurred_at > now():
        raise DomainError("发生时间不能晚于现在", field="occurred_at")
    if arrived_at is not None and arrived_at < occurred_at:
        raise DomainError("到场时间不能早于发生时间", field="arrived_at")
    existing = ElevatorFault.objects.filter(elevator=elevator, occurred_at=occurred_at).first()
    if existing is not None:
        return existing, False
    fault = ElevatorFault.objects.create(
        elevator=elevator,
        kind=kind,
        occurred_at=occurred_at,
        arrived_at=arrived_at,
        note=note.strip(),
        created_by=user,
        created_at=now(),
    )
    audit_record(
        actor=actor,
        action="elevator.fault",
        obj=fault,
        after={
            "elevator": elevator.reg_code,
            "kind": kind,
            "occurred_at": occurred_at,
            "arrived_at": arrived_at,
        },
    )
    return fault, True


@requires_actor
@transaction.atomic
def renewal_set(
    *,
    actor: Actor,
    elevator: Elevator,
    stage: str,
    funding_source: str = "",
    motion: Motion | None = None,
    since: dt.date | None = None,
) -> Elevator:
    """Move the renewal to a stage. From "owners voted" on a passed motion of the estate is required."""
    require_committee_or_bureau(actor, elevator.estate, what="登记电梯更新改造进度")
    elevator = Elevator.objects.select_for_update().get(pk=elevator.pk)
    if stage not in STAGE_ORDER:
        raise InvalidTransition("更新改造阶段无效")
    if funding_source not in FundingSource.values:
        raise DomainError("资金来源无效", field="funding_source")
    day = since or today()
    if day > today():
        raise DomainError("进入阶段的日期不能晚于今天", field="since")
    if stage in RENEWAL_STARTED:
        motion = motion or elevator.motion
        if motion is None:
            raise DomainError("业主表决同意后才能进入此阶段：请选择业主大会的表决事项", field="motion")
        if motion.assembly.estate_id != elevator.estate_id:
            raise DomainError("表决事项不属于本小区的业主大会", field="motion")
        if not motion_passed(motion):
            raise DomainError("所选表决事项未获通过（或尚未计票）", field="motion")
    if stage in (RenewalStage.FUNDED, RenewalStage.DONE) and not funding_source:
        raise DomainError("资金到位须注明资金来源", field="funding_source")
    before = {
        "stage": elevator.stage,
        "funding_source": elevator.funding_source,
        "motion": elevator.motion_id,
        "since": elevator.stage_since,
    }
    after = {
        "stage": stage,
        "funding_source": funding_source,
        "motion": motion.pk if motion else None,
        "since": day if stage != elevator.stage else elevator.stage_since,
    }
    if before == after:
        return elevator
    elevator.stage, elevator.funding_source, elevator.motion = stage, funding_source, motion
    elevator.stage_since = day if stage != before["stage"] else elevator.stage_since
    elevator.save(update_fields=["stage", "funding_source", "motion", "stage_since"])
    audit_record(actor=actor, action="elevator.renewal", obj=elevator, before=before, after=after)
    return elevator
