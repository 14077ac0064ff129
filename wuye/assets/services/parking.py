"""Parking: the estate's spaces, and reports of parking problems as leads of category 4 (2.2 when the company lets
common-part spaces without the owners' consent) with the parking facts attached."""

from decimal import Decimal

from django.db import transaction
from django.db.models import TextChoices

from wuye.accounts.models import BUREAU_ROLES, Role
from wuye.audit.services import audit_record
from wuye.common.dates import now
from wuye.common.errors import DomainError, NotAllowed
from wuye.intake.models import Channel, Lead
from wuye.intake.services import lead_create
from wuye.kernel.actors import Actor, requires_actor
from wuye.kernel.taxonomy import Category
from wuye.registry.models import Estate

from ..models import ParkingSpace, SpaceKind
from ._common import acting_user, require_company_or_bureau


class ParkingProblem(TextChoices):
    GROUND_LOCK = "ground_lock", "私装地桩地锁"
    OCCUPIED = "occupied", "杂物、废旧车辆占用车位"
    FIRE_LANE = "fire_lane", "占用、堵塞消防通道"
    REGISTER = "register", "车辆登记信息错误"
    PRIVATE_LETTING = "private_letting", "物业擅自出租共有部位车位"


@requires_actor
@transaction.atomic
def parking_space_save(
    *,
    actor: Actor,
    estate: Estate,
    number: str,
    kind: str,
    user_label: str = "",
    plate: str = "",
    monthly_rent: Decimal | None = None,
) -> tuple[ParkingSpace, bool]:
    """Register or update a space by its number (the company serving the estate, or the bureau)."""
    require_company_or_bureau(actor, estate, what="登记停车位")
    number = number.strip()
    if not number:
        raise DomainError("请填写车位号", field="number")
    if kind not in SpaceKind.values:
        raise DomainError("请选择车位类型", field="kind")
    if monthly_rent is not None and monthly_rent < 0:
        raise DomainError("月租金不能为负数", field="monthly_rent")
    if monthly_rent and kind != SpaceKind.COMMON:
        raise DomainError(
            "只有共有部位车位出租时填写月租金（其他车位的租金不属于公共收益）", field="monthly_rent"
        )
    values = {
        "kind": kind,
        "user_label": user_label.strip(),
        "plate": plate.strip(),
        "monthly_rent": monthly_rent,
    }
    # the estate's row lock serialises saves of its spaces: two of the same new number at once make one space
    Estate.objects.select_for_update().filter(pk=estate.pk).first()
    space = ParkingSpace.objects.select_for_update().filter(estate=estate, number=number).first()
    if space is None:
        space = ParkingSpace.objects.create(estate=estate, number=number, created_at=now(), **values)
        audit_record(
            actor=actor, action="parking.space_create", obj=space, after={"number": number, **values}
        )
        return space, True
    before = {k: getattr(space, k) for k in values}
    if before == values:
        return space, False
    for k, v in values.items():
        setattr(space, k, v)
    space.save(update_fields=list(values))
    audit_record(actor=actor, action="parking.space_update", obj=space, before=before, after=values)
    return space, True


@requires_actor
@transaction.atomic
def parking_report(
    *, actor: Actor, estate: Estate, problem: str, text: str, space_numbers: list[str] | None = None
) -> Lead:
    """A parking problem found at an inspection (the bureau) or reported by the committee: a lead with the facts."""
    user = acting_user(actor, what="登记停车问题")
    if user is not None and user.role not in BUREAU_ROLES:
        if not (user.role == Role.COMMITTEE_MEMBER and user.estate_id == estate.pk):
            raise NotAllowed("只有专班人员或本小区业委会（物管会）可以登记停车问题")
    if problem not in ParkingProblem.values:
        raise DomainError("请选择问题类型", field="problem")
    if not text.strip():
        raise DomainError("请描述问题情况", field="text")
    numbers = [n.strip() for n in (space_numbers or []) if n.strip()]
    spaces = {s.number: s for s in ParkingSpace.objects.filter(estate=estate, number__in=numbers)}
    unknown = [n for n in numbers if n not in spaces]
    if unknown:
        raise DomainError(f"本小区没有登记车位：{'、'.join(unknown)}", field="space_numbers")
    total = ParkingSpace.objects.filter(estate=estate).count()
    registered = ParkingSpace.objects.filter(estate=estate).exclude(user_label="").count()
    category = Category.C2_2 if problem == ParkingProblem.PRIVATE_LETTING else Category.C4
    label = ParkingProblem(problem).label
    evidence = {
        "parking": {
            "problem": label,
            "spaces": [
                {
                    "number": s.number,
                    "kind": s.get_kind_display(),
                    "registered_user": bool(s.user_label),
                    "monthly_rent": f"{s.monthly_rent:.2f}" if s.monthly_rent is not None else None,
                }
                for s in (spaces[n] for n in numbers)
            ],
            "spaces_total": total,
            "spaces_registered": registered,
        }
    }
    result = lead_create(
        actor=actor,
        channel=Channel.INSPECTION if user is None or user.role in BUREAU_ROLES else Channel.WEB,
        text=f"{estate.name}：{label}。{text.strip()}",
        estate=estate,
        category_hint=category,
        category=category,
        evidence=evidence,
        urgent=problem == ParkingProblem.FIRE_LANE,
    )
    audit_record(
        actor=actor,
        action="parking.report",
        obj=result.lead,
        after={"problem": problem, "category": category},
    )
    return result.lead
