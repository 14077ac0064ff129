"""维修资金使用: applications, approval, payment and acceptance of maintenance-fund uses (R4)."""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from wuye.accounts.models import BUREAU_ROLES, Role
from wuye.audit.services import audit_record
from wuye.common.dates import now, today
from wuye.common.errors import DomainError, InvalidTransition, NotAllowed
from wuye.common.money import format_yuan
from wuye.kernel.actors import Actor, requires_actor
from wuye.registry.models import Estate
from wuye.registry.selectors import company_serves_estate
from wuye.voting.models import Motion

from ..fundbalance import fund_balance
from ..models import FundRoute, FundUse, FundUseStatus, WorkKind
from ._common import acting_user, require_bureau, require_committee_or_bureau

# each move: from which states
MOVES: dict[str, frozenset[str]] = {
    FundUseStatus.APPROVED: frozenset({FundUseStatus.APPLIED}),
    FundUseStatus.PAID: frozenset({FundUseStatus.APPROVED}),
    FundUseStatus.ACCEPTED: frozenset({FundUseStatus.PAID}),
    FundUseStatus.REJECTED: frozenset({FundUseStatus.APPLIED, FundUseStatus.APPROVED}),
}
DATE_FIELD: dict[str, str] = {
    FundUseStatus.APPROVED: "approved_on",
    FundUseStatus.PAID: "paid_on",
    FundUseStatus.ACCEPTED: "accepted_on",
}


def _refuse_over_balance(estate: Estate, amount: Decimal, *, exclude: int | None = None) -> None:
    balance = fund_balance(estate, exclude=exclude)
    if amount > balance["available"]:
        raise DomainError(
            f"申请使用金额 {format_yuan(amount)} 超过本小区维修资金可用余额 {format_yuan(balance['available'])}"
            f"（已存入专户 {format_yuan(balance['deposited'])}，已使用及在途 "
            f"{format_yuan(balance['spent'] + balance['committed'])}）",
            field="amount",
        )


@requires_actor
@transaction.atomic
def fund_use_apply(
    *,
    actor: Actor,
    estate: Estate,
    title: str,
    work_kind: str,
    amount: Decimal,
    parts: str,
    route: str,
    motion: Motion | None = None,
    emergency_facts: str = "",
    applied_on: dt.date | None = None,
) -> FundUse:
    """An application by the company serving the estate, the committee or the bureau."""
    user = acting_user(actor, what="申请使用维修资金")
    if user is not None and user.role not in BUREAU_ROLES:
        allowed = (user.role == Role.COMMITTEE_MEMBER and user.estate_id == estate.pk) or (
            user.role == Role.COMPANY_STAFF and company_serves_estate(user.company_id, estate.pk)
        )
        if not allowed:
            raise NotAllowed("只有本小区的物业企业、业委会（物管会）或专班人员可以申请使用维修资金")
    Estate.objects.select_for_update().filter(pk=estate.pk).first()  # one application at a time per estate
    if not title.strip():
        raise DomainError("请填写使用项目", field="title")
    if work_kind not in WorkKind.values:
        raise DomainError("请选择项目类别", field="work_kind")
    if route not in FundRoute.values:
        raise DomainError("请选择使用程序", field="route")
    if amount <= 0:
        raise DomainError("金额必须大于零", field="amount")
    if not parts.strip():
        raise DomainError("请填写涉及的部位及业主范围", field="parts")
    if motion is not None and motion.assembly.estate_id != estate.pk:
        raise DomainError("表决事项不属于本小区的业主大会", field="motion")
    day = applied_on or today()
    if day > today():
        raise DomainError("申请日期不能晚于今天", field="applied_on")
    _refuse_over_balance(estate, amount)
    use = FundUse.objects.create(
        estate=estate,
        title=title.strip(),
        work_kind=work_kind,
        amount=amount,
        parts=parts.strip(),
        route=route,
        motion=motion,
        emergency_facts=emergency_facts.strip(),
        applied_on=day,
        created_by=user,
        created_at=now(),
    )
    audit_record(
        actor=actor,
        action="fund_use.apply",
        obj=use,
        after={
            "estate": estate.code,
            "title": use.title,
            "amount": amount,
            "route": route,
            "motion": use.motion_id,
        },
    )
    return use


@requires_actor
@transaction.atomic
def fund_use_move(*, actor: Actor, use: FundUse, to: str, on: dt.date | None = None) -> FundUse:
    """Approve, pay or reject (the bureau, which holds the special account), or accept the work (the committee or
    the bureau)."""
    use = FundUse.objects.select_for_update().get(pk=use.pk)
    if to == FundUseStatus.ACCEPTED:
        require_committee_or_bureau(actor, use.estate, what="验收维修资金使用项目")
    else:
        require_bureau(actor, what="审核或划拨维修资金")
    if use.status == to:
        return use
    if to not in MOVES or use.status not in MOVES[to]:
        raise InvalidTransition(f"“{use.get_status_display()}”的申请不能改为“{FundUseStatus(to).label}”")
    day = on or today()
    if day > today():
        raise DomainError("日期不能晚于今天", field="on")
    if to == FundUseStatus.PAID:
        _refuse_over_balance(use.estate, use.amount, exclude=use.pk)
    before = {"status": use.status}
    use.status = to
    fields = ["status"]
    if to in DATE_FIELD:
        setattr(use, DATE_FIELD[to], day)
        fields.append(DATE_FIELD[to])
    use.save(update_fields=fields)
    audit_record(
        actor=actor, action=f"fund_use.{to}", obj=use, before=before, after={"status": to, "on": day}
    )
    return use
