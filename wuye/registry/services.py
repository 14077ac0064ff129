"""Writes to the registry. Each is one transaction with one audit entry."""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from pypinyin import Style, lazy_pinyin

from wuye.audit.services import audit_record, snapshot
from wuye.common.dates import cn_date
from wuye.common.errors import DomainError, NotAllowed
from wuye.kernel.actors import SYSTEM_ROLE, Actor, actor_label, actor_role, requires_actor
from wuye.kernel.roles import BUREAU_ROLES, Role

from .models import (
    Building,
    Committee,
    CommitteeMember,
    Estate,
    Owner,
    Ownership,
    PropertyCompany,
    ServiceContract,
    Town,
    Unit,
    default_county,
)
from .validators import validate_credit_code

ESTATE_FIELDS = ("town", "code", "name", "aliases", "address", "developer", "built_year")
COMPANY_FIELDS = ("name", "credit_code", "legal_representative", "contact_person", "contact_phone", "address")
CONTRACT_FIELDS = ("estate", "company", "start", "end", "fee_per_m2", "hiring", "is_current", "ended_reason")
COMMITTEE_FIELDS = ("estate", "kind", "term_start", "term_end", "has_party_org", "is_current")


# Who may change the registry: the bureau, and the system running an import or the demo. The public never.
REGISTRY_EDIT_ROLES = frozenset({Role.BUREAU_ADMIN, Role.TASK_FORCE, SYSTEM_ROLE})
# Who records a unit's voter: also the estate's own committee (checked against the unit's estate).
VOTER_ROLES = REGISTRY_EDIT_ROLES | {Role.COMMITTEE_MEMBER}


def _require(actor: Actor, roles: frozenset[str], what: str, *, estate_id: int | None = None) -> None:
    role = actor_role(actor)
    if role not in roles:
        raise NotAllowed(f"{actor_label(actor)}无权{what}")
    if role == Role.COMMITTEE_MEMBER and getattr(actor, "estate_id", None) != estate_id:
        raise NotAllowed(f"只能为本小区{what}")
    county_id = _actor_county_id(actor)
    if county_id and estate_id is not None:
        if not Estate.objects.filter(pk=estate_id, town__county_id=county_id).exists():
            raise NotAllowed(f"只能为本县（区）的小区{what}")


def _actor_county_id(actor: Actor) -> int | None:
    """The county of a bureau actor (None for the system, the public and everybody else)."""
    return getattr(actor, "county_id", None) if actor_role(actor) in BUREAU_ROLES else None


def _require_county(actor: Actor, county_id: int | None, what: str) -> None:
    """A bureau user writes in their own county only."""
    own = _actor_county_id(actor)
    if own and county_id != own:
        raise NotAllowed(f"只能{what}本县（区）的记录")


def pinyin_initials(name: str) -> str:
    return "".join(p[0] for p in lazy_pinyin(name, style=Style.FIRST_LETTER) if p and p[0].isalnum()).lower()


def parse_area(value: Any, *, field: str = "面积") -> Decimal:
    text = (
        str(value).strip().replace("㎡", "").replace("m²", "").replace(",", "") if value is not None else ""
    )
    if not text:
        raise DomainError("不能为空", field=field)
    try:
        area = Decimal(text)
    except InvalidOperation:
        raise DomainError(f"“{value}”不是数字", field=field) from None
    if not area.is_finite() or area <= 0:
        raise DomainError("必须大于 0", field=field)
    exponent = area.as_tuple().exponent  # an int: the value is finite
    if isinstance(exponent, int) and exponent < -2:
        raise DomainError("最多保留两位小数", field=field)
    if area >= Decimal("100000000"):
        raise DomainError("数值过大", field=field)
    return area.quantize(Decimal("0.01"))


# --- estates ---------------------------------------------------------------------------------------------


@requires_actor
@transaction.atomic
def estate_save(
    *,
    actor: Actor,
    estate: Estate | None = None,
    town: Town,
    code: str,
    name: str,
    aliases: str = "",
    address: str = "",
    developer: str = "",
    built_year: int | None = None,
) -> Estate:
    _require(actor, REGISTRY_EDIT_ROLES, "编辑小区档案")
    _require_county(actor, town.county_id, "编辑")
    if estate is not None and estate.pk:
        _require_county(actor, Town.objects.get(pk=estate.town_id).county_id, "编辑")
    name = (name or "").strip()
    code = (code or "").strip()
    if not name:
        raise DomainError("小区名称不能为空", field="name")
    if not code:
        raise DomainError("小区编码不能为空", field="code")
    others = Estate.objects.exclude(pk=estate.pk) if estate is not None else Estate.objects.all()
    clash = others.filter(code=code).exists()
    if clash:
        raise DomainError(f"小区编码“{code}”已被其他小区使用", field="code")
    if others.filter(town=town, name=name).exists():
        raise DomainError(f"{town.name}已有名为“{name}”的小区，请换一个小区名称", field="name")
    before = snapshot(estate, ESTATE_FIELDS) if estate else None
    estate = estate or Estate()
    estate.town, estate.code, estate.name, estate.aliases = town, code, name, aliases.strip()
    estate.address, estate.developer, estate.built_year = address.strip(), developer.strip(), built_year
    estate.pinyin_initials = pinyin_initials(name)
    try:
        with transaction.atomic():
            estate.save()
    except IntegrityError:  # a concurrent save took the code or name between the checks and here
        raise DomainError(f"小区编码“{code}”或名称“{name}”刚被其他小区使用", field="code") from None
    after = snapshot(estate, ESTATE_FIELDS)
    if before != after:
        audit_record(actor=actor, action="estate.save", obj=estate, before=before, after=after)
    return estate


# --- companies -------------------------------------------------------------------------------------------


@requires_actor
@transaction.atomic
def company_save(
    *,
    actor: Actor,
    company: PropertyCompany | None = None,
    name: str,
    credit_code: str,
    legal_representative: str,
    contact_person: str = "",
    contact_phone: str = "",
    address: str = "",
) -> PropertyCompany:
    _require(actor, REGISTRY_EDIT_ROLES, "登记物业企业")
    code = validate_credit_code(credit_code, field="credit_code")
    name = (name or "").strip()
    if not name:
        raise DomainError("企业名称不能为空", field="name")
    if not (legal_representative or "").strip():
        raise DomainError("法定代表人不能为空", field="legal_representative")
    others = (
        PropertyCompany.objects.exclude(pk=company.pk)
        if company is not None
        else PropertyCompany.objects.all()
    )
    if others.filter(credit_code=code).exists():
        raise DomainError("该统一社会信用代码已登记为另一家企业", field="credit_code")
    if others.filter(name=name).exists():
        raise DomainError(f"企业名称“{name}”已登记", field="name")
    before = snapshot(company, COMPANY_FIELDS) if company else None
    if company is None:
        company = PropertyCompany(registered_county_id=_actor_county_id(actor) or default_county().pk)
    company.name, company.credit_code = name, code
    company.legal_representative = legal_representative.strip()
    company.contact_person, company.contact_phone, company.address = contact_person, contact_phone, address
    try:
        with transaction.atomic():
            company.save()
    except IntegrityError:  # a double-submitted form: the first request registered it
        raise DomainError(f"企业“{name}”或该统一社会信用代码刚被登记", field="credit_code") from None
    after = snapshot(company, COMPANY_FIELDS)
    if before != after:
        audit_record(actor=actor, action="company.save", obj=company, before=before, after=after)
    return company


# --- contracts -------------------------------------------------------------------------------------------


@requires_actor
@transaction.atomic
def contract_create(
    *,
    actor: Actor,
    estate: Estate,
    company: PropertyCompany,
    start: dt.date,
    end: dt.date | None,
    fee_per_m2: Decimal,
    hiring: str,
) -> ServiceContract:
    """A new current contract. An estate has at most one: end the old one first (the database holds the rule)."""
    _require(actor, REGISTRY_EDIT_ROLES, "登记物业服务合同", estate_id=estate.pk)
    Estate.objects.select_for_update().filter(pk=estate.pk).first()
    if end is not None and end < start:
        raise DomainError("结束日期不能早于开始日期", field="end")
    if fee_per_m2 is None or fee_per_m2 < 0:
        raise DomainError("收费标准不能为负", field="fee_per_m2")
    if hiring not in ServiceContract.Hiring.values:
        raise DomainError("选聘方式不正确：应为招标、协议选聘或前期物业", field="hiring")
    current = ServiceContract.objects.filter(estate=estate, is_current=True).select_related("company").first()
    if current is not None:
        if current.end is None or current.end >= start:
            until = f"至{cn_date(current.end)}" if current.end else "未约定结束日期"
            raise DomainError(
                f"该小区已有现行合同（{current.company.name}，{until}）：新合同应在其结束后开始，"
                "或先终止现行合同再登记新合同",
                field="start",
            )
        # A renewal or a successor after the end date: the old contract steps down as the registry's latest.
        # Whether either binds on a given day is read from the dates (registry.selectors.contracts_in_force).
        before = snapshot(current, CONTRACT_FIELDS)
        current.is_current = False
        current.ended_reason = current.ended_reason or "合同到期，已登记新合同"
        current.save(update_fields=["is_current", "ended_reason"])
        audit_record(
            actor=actor,
            action="contract.succeeded",
            obj=current,
            before=before,
            after=snapshot(current, CONTRACT_FIELDS),
        )
    try:
        with transaction.atomic():
            contract = ServiceContract.objects.create(
                estate=estate,
                company=company,
                start=start,
                end=end,
                fee_per_m2=fee_per_m2,
                hiring=hiring,
                is_current=True,
            )
    except IntegrityError:
        raise DomainError("该小区已有现行合同，请先终止现行合同", field="company") from None
    audit_record(
        actor=actor, action="contract.create", obj=contract, after=snapshot(contract, CONTRACT_FIELDS)
    )
    return contract


@requires_actor
@transaction.atomic
def contract_end(*, actor: Actor, contract: ServiceContract, end: dt.date, reason: str) -> ServiceContract:
    _require(actor, REGISTRY_EDIT_ROLES, "终止物业服务合同", estate_id=contract.estate_id)
    contract = ServiceContract.objects.select_for_update().get(pk=contract.pk)
    if not contract.is_current:
        return contract
    if not (reason or "").strip():
        raise DomainError("请填写终止原因", field="reason")
    if end < contract.start:
        raise DomainError("终止日期不能早于合同开始日期", field="end")
    before = snapshot(contract, CONTRACT_FIELDS)
    contract.end, contract.is_current, contract.ended_reason = end, False, reason.strip()
    contract.save(update_fields=["end", "is_current", "ended_reason"])
    audit_record(
        actor=actor,
        action="contract.end",
        obj=contract,
        before=before,
        after=snapshot(contract, CONTRACT_FIELDS),
        reason=reason,
    )
    return contract


# --- committees ------------------------------------------------------------------------------------------


@requires_actor
@transaction.atomic
def committee_save(
    *,
    actor: Actor,
    estate: Estate,
    kind: str,
    term_start: dt.date,
    term_end: dt.date,
    has_party_org: bool,
    members: list[dict[str, Any]] | None = None,
) -> Committee:
    """Record the estate's current committee (replacing the previous one as not current)."""
    _require(actor, REGISTRY_EDIT_ROLES, "登记业委会/物管会", estate_id=estate.pk)
    if kind not in Committee.Kind.values:
        raise DomainError("业委会/物管会类型不正确", field="kind")
    if term_end <= term_start:
        raise DomainError("任期结束必须晚于任期开始", field="term_end")
    Estate.objects.select_for_update().filter(pk=estate.pk).first()
    current = Committee.objects.filter(estate=estate, is_current=True).first()
    before = snapshot(current, COMMITTEE_FIELDS) if current else None
    if current and (current.kind, current.term_start) == (kind, term_start):
        committee = current
        committee.term_end, committee.has_party_org = term_end, has_party_org
        committee.save(update_fields=["term_end", "has_party_org"])
    else:
        if current:
            current.is_current = False
            current.save(update_fields=["is_current"])
        committee = Committee.objects.create(
            estate=estate,
            kind=kind,
            term_start=term_start,
            term_end=term_end,
            has_party_org=has_party_org,
            is_current=True,
        )
    if members is not None:
        committee.members.all().delete()
        for m in members:
            if not (m.get("name") or "").strip():
                raise DomainError("委员姓名不能为空", field="members")
            CommitteeMember.objects.create(
                committee=committee,
                name=m["name"].strip(),
                position=m.get("position", CommitteeMember.Position.MEMBER),
                phone=m.get("phone", ""),
                is_party_member=bool(m.get("is_party_member")),
            )
    after = snapshot(committee, COMMITTEE_FIELDS) | {"members": [m.get("name") for m in members or []]}
    audit_record(actor=actor, action="committee.save", obj=committee, before=before, after=after)
    return committee


# --- buildings, units, owners (the importer and the demo use these) ----------------------------------------


def building_get_or_create(*, estate: Estate, name: str) -> tuple[Building, bool]:
    return Building.objects.get_or_create(estate=estate, name=name.strip())


@requires_actor
@transaction.atomic
def unit_upsert(
    *, actor: Actor, building: Building, number: str, area: Decimal, developer_held: bool = False
) -> tuple[Unit, str]:
    """Create or update a unit; returns (unit, 'created' | 'updated' | 'unchanged')."""
    _require(actor, REGISTRY_EDIT_ROLES, "编辑房屋档案", estate_id=building.estate_id)
    unit = Unit.objects.filter(building=building, number=number).first()
    if unit is None:
        unit = Unit.objects.create(
            estate_id=building.estate_id,
            building=building,
            number=number,
            area=area,
            developer_held=developer_held,
        )
        audit_record(
            actor=actor,
            action="unit.create",
            obj=unit,
            after={"building": building.pk, "number": number, "area": area},
        )
        return unit, "created"
    if unit.area == area and unit.developer_held == developer_held:
        return unit, "unchanged"
    before = {"area": unit.area, "developer_held": unit.developer_held}
    unit.area, unit.developer_held = area, developer_held
    unit.save(update_fields=["area", "developer_held"])
    audit_record(
        actor=actor,
        action="unit.update",
        obj=unit,
        before=before,
        after={"area": area, "developer_held": developer_held},
    )
    return unit, "updated"


@requires_actor
@transaction.atomic
def owner_link(*, actor: Actor, unit: Unit, name: str, phone: str) -> str:
    """Attach an owner (found by phone, else by name among the unit's owners) to a unit."""
    _require(actor, REGISTRY_EDIT_ROLES, "编辑业主档案")
    owner = None
    if phone:
        owner = Owner.objects.filter(phone=phone).first()
        if owner is not None and owner.name != name:
            raise DomainError(f"手机号 {phone} 已登记为业主“{owner.name}”，与“{name}”不符", field="联系电话")
    if owner is None:
        owner = Owner.objects.filter(ownerships__unit=unit, name=name).first()
    created = False
    if owner is None:
        owner = Owner.objects.create(name=name, phone=phone)
        created = True
    elif phone and not owner.phone:
        owner.phone = phone
        owner.save(update_fields=["phone"])
    _, linked = Ownership.objects.get_or_create(unit=unit, owner=owner)
    if linked:
        audit_record(
            actor=actor,
            action="ownership.create",
            object_type="registry.ownership",
            object_id=f"{unit.pk}:{owner.pk}",
            after={"unit": unit.pk, "owner": owner.pk},
        )
    return "created" if created or linked else "unchanged"


@requires_actor
@transaction.atomic
def ownership_designate_voter(*, actor: Actor, unit: Unit, owner: Owner) -> Ownership:
    """Record which co-owner votes for a unit (co-owners count as one person and cast one ballot, R2)."""
    _require(actor, VOTER_ROLES, "登记房屋的投票人", estate_id=unit.estate_id)
    rows = list(Ownership.objects.select_for_update().filter(unit=unit).order_by("pk"))
    chosen = next((r for r in rows if r.owner_id == owner.pk), None)
    if chosen is None:
        raise DomainError(f"“{owner.name}”不是该房屋的业主，不能登记为投票人", field="owner")
    previous = next((r.owner_id for r in rows if r.is_designated_voter), None)
    if previous == owner.pk:
        return chosen
    Ownership.objects.filter(unit=unit, is_designated_voter=True).update(is_designated_voter=False)
    Ownership.objects.filter(pk=chosen.pk).update(is_designated_voter=True)
    audit_record(
        actor=actor,
        action="ownership.designate_voter",
        obj=unit,
        before={"voter": previous},
        after={"voter": owner.pk},
    )
    chosen.is_designated_voter = True
    return chosen
