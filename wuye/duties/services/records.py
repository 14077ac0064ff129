"""The service standard, disclosure (信息公示), renovation management, fee changes and the service rooms."""

import datetime as dt
import re
from decimal import Decimal

from django.db import transaction

from wuye.accounts.models import User
from wuye.audit.services import audit_record
from wuye.common.dates import now
from wuye.common.errors import DomainError
from wuye.kernel.actors import Actor, requires_actor
from wuye.kernel.conf import county_setting
from wuye.registry.models import Estate, Owner, ServiceContract
from wuye.registry.selectors import estate_current_contract

from ..models import (
    DisclosureItem,
    DisclosureKind,
    FeeApproval,
    FeeChange,
    Renovation,
    RenovationViolation,
    RoomUse,
    ServiceRoom,
    ServiceStandard,
    ViolationKind,
)
from .base import company_acting, create_record, not_future, not_negative, optional_text, required_text

# a work line: a fixed line with its area code, or a 400/800/95xxx service number (spaces and hyphens allowed)
WORK_PHONE_RE = re.compile(r"^(0\d{2,3}-?\d{7,8}(-\d{1,6})?|[48]00-?\d{3}-?\d{4}|95\d{3,6})$")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


# --- 1. the service standard -------------------------------------------------------------------------------


def grade_clauses(grade: str) -> list[dict[str, str]]:
    grades = county_setting("DUTIES_SERVICE_GRADES")
    if grade not in grades:
        raise DomainError("请选择本县规定的服务等级", field="grade")
    return [{"code": c, "item": item, "text": text} for c, item, text in grades[grade]]


def parse_clauses(text: str) -> list[dict[str, str]]:
    """Clauses typed from the contract, one a line: `项目：标准` (the code is the line's number)."""
    out: list[dict[str, str]] = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        item, sep, standard = line.replace(":", "：").partition("：")
        if not sep or not item.strip() or not standard.strip():
            raise DomainError(f"第 {n} 行应写成“项目：标准”，如“清洁：楼道每日清扫 1 次”", field="clauses")
        out.append({"code": f"c{len(out) + 1}", "item": item.strip()[:20], "text": standard.strip()[:200]})
    return out


@requires_actor
@transaction.atomic
def standard_set(*, actor: Actor, estate: Estate, grade: str = "", clauses: str = "") -> ServiceStandard:
    """The current contract's service standard: picked from a county grade, or typed clause by clause."""
    user, company_id = company_acting(actor, estate)
    contract = estate_current_contract(estate)
    if contract is None:
        raise DomainError("该小区没有现行物业服务合同", field="grade")
    if grade:
        items = grade_clauses(grade)
    else:
        items = parse_clauses(clauses)
        if not items:
            raise DomainError("请选择服务等级，或逐条填写合同约定的服务标准", field="clauses")
    # the contract row serialises two first entries of its standard (the one-to-one would refuse the second)
    ServiceContract.objects.select_for_update().filter(pk=contract.pk).first()
    existing = ServiceStandard.objects.select_for_update().filter(contract=contract).first()
    before = None
    if existing is None:
        std = ServiceStandard.objects.create(
            contract=contract,
            estate=estate,
            company_id=company_id,
            entered_by=user,
            created_at=now(),
            grade=grade,
            clauses=items,
        )
    else:
        before = {"grade": existing.grade, "clauses": existing.clauses}
        existing.grade, existing.clauses, existing.entered_by = grade, items, user
        existing.save(update_fields=["grade", "clauses", "entered_by"])
        std = existing
    audit_record(
        actor=actor,
        action="duties.standard_set",
        obj=std,
        before=before,
        after={"grade": grade, "clauses": items},
    )
    return std


# --- 2. disclosure --------------------------------------------------------------------------------------------


def clean_duty_phone(phone: str) -> str:
    """The duty phone published with the persons in charge is the company's work line: a fixed line or service
    number, never a person's mobile (a number registered to a user or an owner is refused by name)."""
    value = (
        (phone or "")
        .strip()
        .replace(" ", "")
        .translate(str.maketrans("０１２３４５６７８９－", "0123456789-"))
    )
    if not value:
        raise DomainError("请填写值班电话（企业工作电话）", field="duty_phone")
    digits = value.replace("-", "")
    if MOBILE_RE.match(digits):
        if User.objects.filter(phone=digits).exists() or Owner.objects.filter(phone=digits).exists():
            raise DomainError(
                "值班电话不能填写个人手机号（该号码已登记为个人号码），请填写企业值班电话", field="duty_phone"
            )
        raise DomainError(
            "值班电话须为企业的工作电话（固定电话或服务热线），不能填写手机号", field="duty_phone"
        )
    if not WORK_PHONE_RE.match(value):
        raise DomainError(
            "值班电话格式不正确，应为区号加号码（如 0774-8981234）或服务热线", field="duty_phone"
        )
    return value


@requires_actor
@transaction.atomic
def disclosure_post(
    *,
    actor: Actor,
    estate: Estate,
    kind: str,
    summary: str,
    published_on: dt.date,
    person_title: str = "",
    duty_phone: str = "",
    approval_ref: str = "",
) -> DisclosureItem:
    """Record a piece of required public information as posted in the estate (or a report to the assembly)."""
    if kind not in DisclosureKind.values:
        raise DomainError("请选择公示事项", field="kind")
    summary = required_text(summary, field="summary", label="公示内容", max_length=2000)
    not_future(published_on, field="published_on", label="公示日期")
    person_title = optional_text(person_title, field="person_title", label="负责人职务", max_length=40)
    approval_ref = optional_text(approval_ref, field="approval_ref", label="价格批准文件文号", max_length=80)
    if kind == DisclosureKind.PERSONS:
        if not person_title:
            raise DomainError("请填写负责人职务（如项目经理）", field="person_title")
        duty_phone = clean_duty_phone(duty_phone)
    else:
        duty_phone = ""
    if kind == DisclosureKind.FEES and not approval_ref:
        raise DomainError("收费项目和标准须附价格批准文件（或业主大会决定）文号", field="approval_ref")
    item: DisclosureItem = create_record(
        actor=actor,
        model=DisclosureItem,
        estate=estate,
        action="duties.disclosure_post",
        kind=kind,
        summary=summary,
        published_on=published_on,
        person_title=person_title,
        duty_phone=duty_phone,
        approval_ref=approval_ref,
    )
    return item


# --- 3. renovation management -----------------------------------------------------------------------------


@requires_actor
@transaction.atomic
def renovation_register(
    *,
    actor: Actor,
    estate: Estate,
    unit: str,
    start: dt.date,
    end: dt.date,
    works: str,
    contractor: str = "",
    notice_signed_on: dt.date | None = None,
) -> Renovation:
    unit = required_text(unit, field="unit", label="房号", max_length=40)
    works = required_text(works, field="works", label="装修内容", max_length=200)
    if end < start:
        raise DomainError("完工日期不能早于开工日期", field="end")
    not_future(notice_signed_on, field="notice_signed_on", label="告知书签收日期")
    row: Renovation = create_record(
        actor=actor,
        model=Renovation,
        estate=estate,
        action="duties.renovation_register",
        unit=unit,
        start=start,
        end=end,
        works=works,
        contractor=optional_text(contractor, field="contractor", label="施工单位", max_length=120),
        notice_signed_on=notice_signed_on,
    )
    return row


@requires_actor
@transaction.atomic
def violation_record(
    *,
    actor: Actor,
    renovation: Renovation,
    kind: str,
    found_on: dt.date,
    dissuaded_on: dt.date | None = None,
    stopped: bool = False,
    reported_on: dt.date | None = None,
    authority: str = "",
) -> RenovationViolation:
    """A violation found on patrol, with the dissuasion and (when it failed) the report to the authority."""
    if kind not in ViolationKind.values:
        raise DomainError("请选择违规行为", field="kind")
    not_future(found_on, field="found_on", label="发现日期")
    for value, field, label in (
        (dissuaded_on, "dissuaded_on", "劝阻日期"),
        (reported_on, "reported_on", "报告日期"),
    ):
        not_future(value, field=field, label=label)
        if value is not None and value < found_on:
            raise DomainError(f"{label}不能早于发现日期", field=field)
    authority = optional_text(authority, field="authority", label="主管部门", max_length=80)
    if reported_on is not None and not authority:
        raise DomainError("请填写报告的主管部门", field="authority")
    row: RenovationViolation = create_record(
        actor=actor,
        model=RenovationViolation,
        estate=renovation.estate,
        action="duties.violation_record",
        renovation=renovation,
        kind=kind,
        found_on=found_on,
        dissuaded_on=dissuaded_on,
        stopped=bool(stopped and dissuaded_on),
        reported_on=reported_on,
        authority=authority,
    )
    return row


@requires_actor
@transaction.atomic
def violation_act(
    *,
    actor: Actor,
    violation: RenovationViolation,
    dissuaded_on: dt.date | None = None,
    stopped: bool = False,
    reported_on: dt.date | None = None,
    authority: str = "",
) -> RenovationViolation:
    """Record the dissuasion of a violation found earlier, or (when it failed) the report to the authority."""
    row = RenovationViolation.objects.select_for_update().select_related("estate").get(pk=violation.pk)
    company_acting(actor, row.estate)
    if dissuaded_on is None and reported_on is None:
        raise DomainError("请填写劝阻制止日期或报告主管部门的日期", field="dissuaded_on")
    for value, field, label in (
        (dissuaded_on, "dissuaded_on", "劝阻日期"),
        (reported_on, "reported_on", "报告日期"),
    ):
        not_future(value, field=field, label=label)
        if value is not None and value < row.found_on:
            raise DomainError(f"{label}不能早于发现日期", field=field)
    authority = optional_text(authority, field="authority", label="主管部门", max_length=80)
    if reported_on is not None and not (authority or row.authority):
        raise DomainError("请填写报告的主管部门", field="authority")
    before = {"dissuaded_on": row.dissuaded_on, "stopped": row.stopped, "reported_on": row.reported_on}
    if dissuaded_on is not None:
        row.dissuaded_on, row.stopped = dissuaded_on, stopped
    if reported_on is not None:
        row.reported_on, row.authority = reported_on, authority or row.authority
    row.save(update_fields=["dissuaded_on", "stopped", "reported_on", "authority"])
    audit_record(
        actor=actor,
        action="duties.violation_act",
        obj=row,
        before=before,
        after={"dissuaded_on": row.dissuaded_on, "stopped": row.stopped, "reported_on": row.reported_on},
    )
    return row


# --- 5. fees and the service rooms -----------------------------------------------------------------------


@requires_actor
@transaction.atomic
def fee_change_record(
    *,
    actor: Actor,
    estate: Estate,
    item: str,
    old_rate: Decimal,
    new_rate: Decimal,
    effective_on: dt.date,
    approval: str,
    approval_ref: str = "",
    rate_unit: str = "元/㎡·月",
) -> FeeChange:
    item = required_text(item, field="item", label="收费项目", max_length=60)
    old_rate = not_negative(old_rate, field="old_rate", label="原标准")
    new_rate = not_negative(new_rate, field="new_rate", label="新标准")
    if approval not in FeeApproval.values:
        raise DomainError("请选择批准依据", field="approval")
    approval_ref = optional_text(approval_ref, field="approval_ref", label="批准文号", max_length=80)
    if approval != FeeApproval.NONE and not approval_ref:
        raise DomainError("请填写批准文件或业主大会决定的文号", field="approval_ref")
    row: FeeChange = create_record(
        actor=actor,
        model=FeeChange,
        estate=estate,
        action="duties.fee_change_record",
        item=item,
        old_rate=old_rate,
        new_rate=new_rate,
        rate_unit=required_text(rate_unit, field="rate_unit", label="计费单位", max_length=20),
        effective_on=effective_on,
        approval=approval,
        approval_ref=approval_ref,
    )
    return row


@requires_actor
@transaction.atomic
def room_record(
    *,
    actor: Actor,
    estate: Estate,
    location: str,
    area: Decimal,
    use: str,
    surveyed_on: dt.date,
    use_note: str = "",
) -> ServiceRoom:
    location = required_text(location, field="location", label="位置", max_length=120)
    area = not_negative(area, field="area", label="面积")
    if area == 0:
        raise DomainError("面积须大于 0", field="area")
    if use not in RoomUse.values:
        raise DomainError("请选择现用途", field="use")
    use_note = optional_text(use_note, field="use_note", label="用途说明", max_length=200)
    if use != RoomUse.SERVICE and not use_note:
        raise DomainError("非物业服务用途的，请写明用途", field="use_note")
    not_future(surveyed_on, field="surveyed_on", label="核查日期")
    row: ServiceRoom = create_record(
        actor=actor,
        model=ServiceRoom,
        estate=estate,
        action="duties.room_record",
        location=location,
        area=area,
        use=use,
        use_note=use_note,
        surveyed_on=surveyed_on,
    )
    return row
