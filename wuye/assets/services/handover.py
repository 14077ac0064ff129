"""移交: a company's exit. Opening (from a contract's end, the owners' dismissal vote, or the ledger's record),
the receiving side's confirmations, the outgoing side's answers, completion."""

import datetime as dt
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from wuye.accounts.models import BUREAU_ROLES, Role, User
from wuye.audit.services import audit_record
from wuye.cases.models import HandoverRecord
from wuye.cases.services.handover import handover_record_close
from wuye.common.dates import cn_date, now, today
from wuye.common.errors import DomainError, InvalidTransition, NotAllowed
from wuye.common.uploads import check_upload
from wuye.kernel.actors import Actor, SystemActor, requires_actor
from wuye.notify.services import notify
from wuye.registry.models import Estate, PropertyCompany, ServiceContract
from wuye.voting.models import Motion

from ..models import (
    Handover,
    HandoverItem,
    HandoverStatus,
    IncomingKind,
    ItemKind,
    ItemStatus,
)
from ._common import acting_user

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

# the legal checklist (Civil Code art. 949; 物业管理条例 art. 29, 38): one row per thing to hand over
CHECKLIST: tuple[tuple[str, str], ...] = (
    (ItemKind.ROOMS, "物业服务用房"),
    (ItemKind.FACILITIES, "共用设施设备（电梯、消防、供水、监控、道闸等）及清单"),
    (ItemKind.DOCUMENTS, "竣工总平面图及单体建筑、结构、设备竣工图"),
    (ItemKind.DOCUMENTS, "设施设备台账、安装使用维护保养技术资料及保修文件"),
    (ItemKind.DOCUMENTS, "业主名册"),
    (ItemKind.DOCUMENTS, "物业质量保修文件和物业使用说明文件"),
    (ItemKind.REVENUE, "公共收益账户余额及收支账册"),
    (ItemKind.FUND, "住宅专项维修资金使用记录"),
    (ItemKind.KEYS, "钥匙、门禁卡及系统管理密码"),
)


@requires_actor
@transaction.atomic
def handover_open(
    *,
    actor: Actor,
    estate: Estate,
    source: str,
    deadline: dt.date,
    contract: ServiceContract | None = None,
    record: HandoverRecord | None = None,
    motion: Motion | None = None,
) -> tuple[Handover, bool]:
    """Open the estate's handover with the legal checklist, or link the source to the one already open."""
    if not isinstance(actor, SystemActor):
        user = acting_user(actor, what="开启移交")
        if user is not None and user.role not in BUREAU_ROLES:
            raise NotAllowed("只有专班人员可以开启移交")
    open_one = Handover.objects.select_for_update().filter(estate=estate, status=HandoverStatus.OPEN).first()
    if open_one is not None:
        changed = []
        for name, value in (("contract", contract), ("record", record), ("motion", motion)):
            if value is not None and getattr(open_one, f"{name}_id") is None:
                setattr(open_one, name, value)
                changed.append(name)
        if changed:
            open_one.save(update_fields=changed)
            audit_record(
                actor=actor,
                action="handover.link",
                obj=open_one,
                after={n: getattr(open_one, f"{n}_id") for n in changed},
            )
        return open_one, False
    contract = contract or (record.contract if record else None)
    outgoing = contract.company if contract else None
    successor = (
        ServiceContract.objects.filter(
            estate=estate, start__gte=contract.end if contract and contract.end else today()
        )
        .exclude(pk=contract.pk if contract else 0)
        .exclude(company=outgoing)
        .select_related("company")
        .order_by("start")
        .first()
    )
    incoming: PropertyCompany | None = successor.company if successor else None
    handover = Handover(
        estate=estate,
        source=source,
        contract=contract,
        record=record,
        motion=motion,
        outgoing=outgoing,
        incoming_kind=IncomingKind.COMPANY if incoming else IncomingKind.INTERIM,
        incoming=incoming,
        incoming_name=incoming.name if incoming else f"{estate.town.name}（临时管理）",
        deadline=deadline,
        created_at=now(),
    )
    try:
        with transaction.atomic():
            handover.save()
    except IntegrityError:  # opened at the same moment by another source
        return Handover.objects.get(estate=estate, status=HandoverStatus.OPEN), False
    stamp = now()
    HandoverItem.objects.bulk_create(
        HandoverItem(handover=handover, seq=i, kind=kind, label=label, updated_at=stamp)
        for i, (kind, label) in enumerate(CHECKLIST, start=1)
    )
    audit_record(
        actor=actor,
        action="handover.open",
        obj=handover,
        after={
            "estate": estate.code,
            "source": source,
            "contract": contract.pk if contract else None,
            "outgoing": outgoing.name if outgoing else None,
            "incoming": handover.incoming_name,
            "deadline": deadline,
        },
    )
    return handover, True


@requires_actor
@transaction.atomic
def handover_set_incoming(
    *, actor: Actor, handover: Handover, kind: str, company: PropertyCompany | None = None, name: str = ""
) -> Handover:
    """The bureau names who takes over: a company, the owners themselves, or the street's interim manager."""
    user = acting_user(actor, what="指定接管方")
    if user is not None and user.role not in BUREAU_ROLES:
        raise NotAllowed("只有专班人员可以指定接管方")
    handover = Handover.objects.select_for_update().get(pk=handover.pk)
    if handover.status != HandoverStatus.OPEN:
        raise InvalidTransition("移交已完成，不能再更改接管方")
    if kind not in IncomingKind.values:
        raise DomainError("请选择接管方类型", field="kind")
    if kind == IncomingKind.COMPANY and company is None:
        raise DomainError("接管方为物业服务企业时须选择企业", field="company")
    if company is not None and company.pk == handover.outgoing_id:
        raise DomainError("接管企业不能是退出企业", field="company")
    label = company.name if kind == IncomingKind.COMPANY and company else name.strip()
    if not label:
        raise DomainError("请填写接管方名称", field="name")
    before = {"kind": handover.incoming_kind, "incoming": handover.incoming_name}
    handover.incoming_kind = kind
    handover.incoming = company if kind == IncomingKind.COMPANY else None
    handover.incoming_name = label
    handover.save(update_fields=["incoming_kind", "incoming", "incoming_name"])
    audit_record(
        actor=actor,
        action="handover.incoming",
        obj=handover,
        before=before,
        after={"kind": kind, "incoming": label},
    )
    return handover


def is_receiving_side(user: User, handover: Handover) -> bool:
    """The incoming company's staff; for self-management the estate's committee; for the interim manager the bureau
    (the street acts through the task force). The bureau may always record for the receiving side."""
    if user.role in BUREAU_ROLES:
        return True
    if handover.incoming_kind == IncomingKind.COMPANY:
        return (
            user.role == Role.COMPANY_STAFF
            and handover.incoming_id is not None
            and user.company_id == handover.incoming_id
        )
    if handover.incoming_kind == IncomingKind.SELF:
        return user.role == Role.COMMITTEE_MEMBER and user.estate_id == handover.estate_id
    return False


def is_outgoing_side(user: User, handover: Handover) -> bool:
    return (
        user.role == Role.COMPANY_STAFF
        and handover.outgoing_id is not None
        and user.company_id == handover.outgoing_id
    )


def _lock_item(item: HandoverItem) -> tuple[HandoverItem, Handover]:
    handover = Handover.objects.select_for_update().get(pk=item.handover_id)
    item = HandoverItem.objects.select_for_update().get(pk=item.pk)
    if handover.status != HandoverStatus.OPEN:
        raise InvalidTransition("移交已完成，清单不能再更改")
    return item, handover


@requires_actor
@transaction.atomic
def handover_item_confirm(
    *, actor: Actor, item: HandoverItem, evidence: str, evidence_file: "UploadedFile[bytes] | None" = None
) -> HandoverItem:
    """The receiving side confirms it received the item, with the evidence (a note and optionally a photo or PDF).
    When the last item is confirmed the handover is complete."""
    user = acting_user(actor, what="确认接收移交事项")
    item, handover = _lock_item(item)
    if user is not None and not is_receiving_side(user, handover):
        raise NotAllowed("只有接管方可以确认接收移交事项")
    if item.status == ItemStatus.CONFIRMED:
        return item
    if not evidence.strip():
        raise DomainError("请填写接收凭证说明（如交接单编号、清点情况）", field="evidence")
    if evidence_file is not None:
        checked = check_upload(evidence_file, field="evidence_file")
        item.evidence_file.save(checked.name, ContentFile(checked.data), save=False)
    before = {"status": item.status}
    item.status, item.evidence, item.updated_at = ItemStatus.CONFIRMED, evidence.strip(), now()
    item.save(update_fields=["status", "evidence", "evidence_file", "updated_at"])
    audit_record(
        actor=actor,
        action="handover.item_confirm",
        obj=item,
        before=before,
        after={"status": item.status, "evidence": item.evidence},
    )
    if not handover.items.exclude(status=ItemStatus.CONFIRMED).exists():
        _complete(actor=actor, handover=handover)
    return item


@requires_actor
@transaction.atomic
def handover_item_dispute(*, actor: Actor, item: HandoverItem, dispute: str) -> HandoverItem:
    """The receiving side says what is missing or wrong."""
    user = acting_user(actor, what="对移交事项提出争议")
    item, handover = _lock_item(item)
    if user is not None and not is_receiving_side(user, handover):
        raise NotAllowed("只有接管方可以对移交事项提出争议")
    if item.status == ItemStatus.CONFIRMED:
        raise InvalidTransition("该事项已确认接收")
    if not dispute.strip():
        raise DomainError("请说明争议内容", field="dispute")
    before = {"status": item.status, "dispute": item.dispute}
    item.status, item.dispute, item.answer, item.updated_at = ItemStatus.DISPUTED, dispute.strip(), "", now()
    item.save(update_fields=["status", "dispute", "answer", "updated_at"])
    audit_record(
        actor=actor, action="handover.item_dispute", obj=item, before=before, after={"dispute": item.dispute}
    )
    return item


@requires_actor
@transaction.atomic
def handover_item_answer(*, actor: Actor, item: HandoverItem, answer: str) -> HandoverItem:
    """The outgoing company answers a dispute (如实告知, art. 949)."""
    user = acting_user(actor, what="答复移交争议")
    item, handover = _lock_item(item)
    if user is not None and not is_outgoing_side(user, handover):
        raise NotAllowed("只有退出方物业企业可以答复移交争议")
    if item.status != ItemStatus.DISPUTED:
        raise InvalidTransition("该事项没有待答复的争议")
    if not answer.strip():
        raise DomainError("请填写答复内容", field="answer")
    before = {"answer": item.answer}
    item.answer, item.updated_at = answer.strip(), now()
    item.save(update_fields=["answer", "updated_at"])
    audit_record(
        actor=actor, action="handover.item_answer", obj=item, before=before, after={"answer": item.answer}
    )
    return item


@requires_actor
def _complete(*, actor: Actor, handover: Handover) -> None:
    handover.status, handover.completed_on = HandoverStatus.DONE, today()
    handover.save(update_fields=["status", "completed_on"])
    audit_record(
        actor=actor,
        action="handover.complete",
        obj=handover,
        after={"completed_on": handover.completed_on, "incoming": handover.incoming_name},
    )
    if handover.record_id is not None:
        handover_record_close(actor=actor, record=HandoverRecord(pk=handover.record_id))


@requires_actor
@transaction.atomic
def handover_mark_overdue(*, actor: Actor, handover: Handover, on: dt.date) -> bool:
    """Record the overdue fact once (the first day found past the deadline with items open)."""
    handover = Handover.objects.select_for_update().get(pk=handover.pk)
    if (
        handover.overdue_since is not None
        or handover.status != HandoverStatus.OPEN
        or handover.deadline >= on
    ):
        return False
    handover.overdue_since = on
    handover.save(update_fields=["overdue_since"])
    audit_record(actor=actor, action="handover.overdue", obj=handover, after={"overdue_since": on})
    if handover.outgoing_id is not None:
        pending = handover.items.exclude(status=ItemStatus.CONFIRMED).count()
        staff = User.objects.filter(role=Role.COMPANY_STAFF, company_id=handover.outgoing_id, is_active=True)
        for user in staff.order_by("pk"):
            notify(
                actor=actor,
                key=f"handover:{handover.pk}:overdue:{user.pk}",
                event="handover_overdue",
                context={
                    "estate": handover.estate.name,
                    "deadline": cn_date(handover.deadline),
                    "open": pending,
                },
                user=user,
                link=f"/assets/handovers/{handover.pk}/",
            )
    return True
