"""Writes to the ledger. Every operation is one transaction, one timeline event and one audit entry.

Moves are checked against `workflow.MOVES`; a refused move raises a Chinese `DomainError` and changes nothing.
"""

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count

from wuye.accounts.models import Role
from wuye.audit.services import audit_record
from wuye.common.dates import cn_date, now, today
from wuye.common.errors import DomainError, InvalidTransition, NotAllowed
from wuye.common.money import parse_yuan
from wuye.common.uploads import CheckedFile, check_upload
from wuye.intake.models import Channel, Lead, LeadStatus
from wuye.kernel.conf import county_setting
from wuye.registry.models import Estate, ServiceContract
from wuye.registry.selectors import company_serves_estate, estate_serving_company_id

from . import workflow
from .models import (
    ActionKind,
    Case,
    CaseAction,
    CaseAttachment,
    CaseEvent,
    CaseExtension,
    CaseSequence,
    CaseStatus,
    ExtensionStatus,
    HandoverRecord,
    HandoverStatus,
    Revisit,
    RevisitBatch,
    RevisitResult,
)
from .selectors import case_is_overdue
from .taxonomy import Category

MAX_ATTACHMENTS = 9
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
SEED_MAX = 2**31 - 1  # RevisitBatch.seed is a 32-bit integer column
CASE_FIELDS = (
    "status",
    "target",
    "measures",
    "responsible",
    "deadline",
    "progress",
    "closed_reason",
    "report_count",
    "merged_into",
)


# --- helpers --------------------------------------------------------------------------------------------------


def _label(actor: Any) -> str:
    if actor is None:
        return "系统"
    label = getattr(actor, "audit_label", None)
    return str(label() if callable(label) else actor)


def _role_name(role: str) -> str:
    return Role(role).label if role in Role.values else role


def _company_serves(actor: Any, case: Case) -> bool:
    """A company user acts only on its own company's cases at estates it still serves under a current contract."""
    if not actor.company_id or case.company_id != actor.company_id:
        return False
    return company_serves_estate(actor.company_id, case.estate_id)


def _check_role(actor: Any, case: Case | None, roles: frozenset[str], what: str) -> None:
    if actor is None:
        return  # the system (scheduler, commands)
    role = getattr(actor, "role", "")
    if role not in roles:
        raise NotAllowed(f"{_role_name(role) or '当前用户'}不能{what}")
    if role == Role.COMPANY_STAFF and case is not None and not _company_serves(actor, case):
        raise NotAllowed(f"只能对本企业现服务小区的事项{what}")


def _text(value: str | None, *, field: str, required: bool = True, max_len: int = 5000) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError("不能为空", field=field)
    if len(value) > max_len:
        raise DomainError(f"过长（最多 {max_len} 字）", field=field)
    return value


def _future_date(value: Any, *, field: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise DomainError("请填写日期", field=field)
    if value <= today():
        raise DomainError(f"必须晚于今天（{cn_date(today())}）", field=field)
    return value


def _past_date(value: Any, *, field: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise DomainError("请填写日期", field=field)
    if value > today():
        raise DomainError("不能晚于今天", field=field)
    return value


def check_files(files: Sequence[UploadedFile] | None, *, field: str = "附件") -> list[CheckedFile]:
    """Check every upload by content before anything is written (images and PDF, size-limited)."""
    files = list(files or [])
    if len(files) > MAX_ATTACHMENTS:
        raise DomainError(f"最多上传 {MAX_ATTACHMENTS} 个文件", field=field)
    return [check_upload(f, field=field, allow_pdf=True, max_bytes=MAX_ATTACHMENT_BYTES) for f in files]


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _snap(case: Case) -> dict[str, Any]:
    return {
        "status": case.status,
        "target": case.target,
        "measures": case.measures,
        "responsible": case.responsible,
        "deadline": case.deadline.isoformat() if case.deadline else None,
        "progress": case.progress,
        "closed_reason": case.closed_reason,
        "report_count": case.report_count,
        "merged_into": case.merged_into_id,
    }


def _event(
    *,
    case: Case,
    actor: Any,
    kind: str,
    title: str,
    text: str = "",
    before: dict[str, Any] | None = None,
    public: bool = False,
    public_text: str = "",
    from_status: str = "",
    data: dict[str, Any] | None = None,
    files: Sequence[CheckedFile] = (),
    reason: str = "",
) -> CaseEvent:
    """The timeline entry, its attachments and the audit entry of one operation (inside its transaction)."""
    stamp = now()
    event = CaseEvent.objects.create(
        case=case,
        at=stamp,
        kind=kind,
        title=title,
        text=text,
        public=public,
        public_text=public_text,
        from_status=from_status,
        to_status=case.status if from_status else "",
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=_label(actor),
        data=data or {},
    )
    names = []
    for f in files:
        att = CaseAttachment(
            case=case,
            event=event,
            original_name=f.name[:200],
            content_type=f.content_type,
            size=len(f.data),
            uploaded_by=event.actor,
            created_at=stamp,
        )
        att.file.save(f.name[-80:], ContentFile(f.data), save=False)
        att.save()
        names.append(att.original_name)
    after = _snap(case)
    if data:
        after["data"] = data
    if names:
        after["attachments"] = names
    audit_record(
        actor=actor, action=f"case.{kind}", obj=case, before=before, after=after, reason=reason or text
    )
    return event


def _precheck(actor: Any, name: str) -> None:
    """The role part of a move's permission, checked before any input so a wrong role always hears "not allowed"."""
    move = workflow.MOVES[name]
    _check_role(actor, None, move.roles, f"“{move.label}”")


def _move(case: Case, name: str, actor: Any, roles: frozenset[str] | None = None) -> tuple[Case, str | None]:
    """Lock the case and check the move (`roles` overrides the move's roles). Returns (locked case, previous
    status) or (case, None) when the case is already where the move leads (a repeated click changes nothing)."""
    move = workflow.MOVES[name]
    locked = _lock(case)
    _check_role(actor, locked, roles or move.roles, f"“{move.label}”")
    if locked.status not in move.moves:
        if locked.status in move.targets:
            return locked, None
        raise InvalidTransition(
            f"事项 {locked.number} 当前状态为“{locked.get_status_display()}”，不能“{move.label}”",
            field="状态",
        )
    return locked, locked.status


def _save(case: Case, *fields: str) -> None:
    case.updated_at = now()
    case.save(update_fields=[*fields, "updated_at"])


# --- numbering and creation -----------------------------------------------------------------------------------


def _next_number(year: int) -> tuple[int, str]:
    """Lock the year's counter row (creating it race-free) and take the next number. Gap-free: the counter and
    the case are written in the same transaction, so a rollback returns the number."""
    seq_row = CaseSequence.objects.select_for_update().filter(year=year).first()
    if seq_row is None:
        try:
            with transaction.atomic():
                CaseSequence.objects.create(year=year, last=0)
        except IntegrityError:
            pass  # another transaction created it first; the lock below waits for it
        seq_row = CaseSequence.objects.select_for_update().get(year=year)
    seq_row.last += 1
    seq_row.save(update_fields=["last"])
    return seq_row.last, f"{county_setting('CASE_NUMBER_PREFIX')}{year}-{seq_row.last:05d}"


def _current_company_id(estate: Estate) -> int | None:
    return estate_serving_company_id(estate.pk)


@transaction.atomic
def case_create(
    *,
    actor: Any,
    estate: Estate,
    category: str,
    description: str,
    source_channel: str = "",
    title: str = "",
    attachments: Sequence[UploadedFile] = (),
) -> Case:
    _check_role(actor, None, workflow.CREATE_ROLES, "立案")
    if not isinstance(estate, Estate):
        raise DomainError("请选择小区", field="小区")
    if category not in Category.values:
        raise DomainError("请选择问题类别（1.1 至 7）", field="问题类别")
    description = _text(description, field="问题描述")
    title = _text(title, field="标题", required=False, max_len=120)
    if source_channel and source_channel not in Channel.values:
        raise DomainError("问题来源不正确", field="问题来源")
    files = check_files(attachments)
    year = today().year
    seq, number = _next_number(year)
    stamp = now()
    case = Case.objects.create(
        number=number,
        year=year,
        seq=seq,
        estate=estate,
        company_id=_current_company_id(estate),
        category=category,
        title=title or description[:40],
        description=description,
        source_channel=source_channel or "",
        status=CaseStatus.RECEIVED,
        created_by=actor if getattr(actor, "pk", None) else None,
        created_at=stamp,
        updated_at=stamp,
    )
    _event(
        case=case,
        actor=actor,
        kind="create",
        title="立案受理",
        text=description,
        public=True,
        public_text=f"已受理并登记为整治台账事项（{Category(category).label}）。",
        from_status="-",
        files=files,
        data={"number": number, "company": case.company_id},
    )
    return case


def _recount(case: Case) -> None:
    case.report_count = Lead.objects.filter(case=case).count()


@transaction.atomic
def case_create_from_lead(*, actor: Any, lead: Lead, category: str, description: str | None = None) -> Case:
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.status != LeadStatus.NEW:
        raise InvalidTransition(
            f"线索 {lead.tracking_code} 已处理（{lead.get_status_display()}），不能再立案", field="线索"
        )
    if lead.estate_id is None:
        raise DomainError("线索尚未确定小区，请先确认小区再立案", field="小区")
    case = case_create(
        actor=actor,
        estate=lead.estate,
        category=category,
        description=description if description is not None else lead.text,
        source_channel=lead.channel,
    )
    before = {"status": lead.status, "case": None}
    lead.case, lead.status, lead.category, lead.updated_at = case, LeadStatus.CASED, category, now()
    lead.save(update_fields=["case", "status", "category", "updated_at"])
    audit_record(
        actor=actor,
        action="lead.case",
        obj=lead,
        before=before,
        after={"status": lead.status, "case": case.number, "category": category},
    )
    case.report_count = 1
    _save(case, "report_count")
    return case


# --- leads: merge, split, reject, transfer --------------------------------------------------------------------


@transaction.atomic
def lead_merge_into_case(*, actor: Any, lead: Lead, case: Case) -> None:
    _check_role(actor, None, workflow.BUREAU, "合并线索")
    case = _lock(case)  # cases before leads, the order case_merge_into_case uses
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.case_id == case.pk:
        return
    if lead.status != LeadStatus.NEW:
        raise InvalidTransition(
            f"线索 {lead.tracking_code} 已处理（{lead.get_status_display()}），不能并入", field="线索"
        )
    if lead.estate_id != case.estate_id:
        raise DomainError("只能并入同一小区的事项", field="小区")
    if case.status == CaseStatus.MERGED:
        raise InvalidTransition(f"事项 {case.number} 已并入 {case.merged_into}，请并入该事项", field="事项")
    before = _snap(case)
    lead.case, lead.status, lead.updated_at = case, LeadStatus.MERGED, now()
    lead.category = lead.category or case.category
    lead.save(update_fields=["case", "status", "category", "updated_at"])
    audit_record(
        actor=actor,
        action="lead.merge",
        obj=lead,
        before={"status": LeadStatus.NEW},
        after={"status": lead.status, "case": case.number},
    )
    _recount(case)
    _save(case, "report_count")
    _event(
        case=case,
        actor=actor,
        kind="lead_merge",
        title="并入一条反映",
        before=before,
        text=f"一条{lead.get_channel_display()}反映并入本事项，累计反映 {case.report_count} 人次。",
        data={"lead": lead.tracking_code},
    )


@transaction.atomic
def lead_split_from_case(*, actor: Any, lead: Lead, reason: str) -> None:
    _check_role(actor, None, workflow.BUREAU, "拆分线索")
    reason = _text(reason, field="拆分理由", max_len=1000)
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.case_id is None:
        raise InvalidTransition(f"线索 {lead.tracking_code} 没有并入任何事项", field="线索")
    if lead.status != LeadStatus.MERGED:
        raise InvalidTransition(f"线索 {lead.tracking_code} 是该事项的立案来源，不能拆出", field="线索")
    case = _lock(Case(pk=lead.case_id))
    before = _snap(case)
    lead.case, lead.status, lead.updated_at = None, LeadStatus.NEW, now()
    lead.save(update_fields=["case", "status", "updated_at"])
    audit_record(
        actor=actor,
        action="lead.split",
        obj=lead,
        before={"status": LeadStatus.MERGED, "case": case.number},
        after={"status": lead.status, "case": None},
        reason=reason,
    )
    _recount(case)
    _save(case, "report_count")
    _event(
        case=case,
        actor=actor,
        kind="lead_split",
        title="拆出一条反映",
        before=before,
        reason=reason,
        text=f"一条{lead.get_channel_display()}反映从本事项拆出，退回待分拣。理由：{reason}",
        data={"lead": lead.tracking_code},
    )


@transaction.atomic
def lead_reject(*, actor: Any, lead: Lead, reason: str) -> None:
    _check_role(actor, None, workflow.BUREAU, "不予立案")
    reason = _text(reason, field="不予立案理由", max_len=1000)
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.status == LeadStatus.REJECTED:
        return
    if lead.status != LeadStatus.NEW:
        raise InvalidTransition(
            f"线索 {lead.tracking_code} 已处理（{lead.get_status_display()}）", field="线索"
        )
    lead.status, lead.reject_reason, lead.updated_at = LeadStatus.REJECTED, reason, now()
    lead.save(update_fields=["status", "reject_reason", "updated_at"])
    audit_record(
        actor=actor,
        action="lead.reject",
        obj=lead,
        before={"status": LeadStatus.NEW},
        after={"status": lead.status},
        reason=reason,
    )


@transaction.atomic
def lead_transfer(*, actor: Any, lead: Lead, department: str, reason: str) -> None:
    """转办: the receiving body is named; the lead stays listed as transferred, with department and reason."""
    _check_role(actor, None, workflow.BUREAU, "转办")
    department = _text(department, field="转办单位", max_len=100)
    reason = _text(reason, field="转办理由", max_len=1000)
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.status == LeadStatus.TRANSFERRED and lead.transfer_department == department:
        return
    if lead.status != LeadStatus.NEW:
        raise InvalidTransition(
            f"线索 {lead.tracking_code} 已处理（{lead.get_status_display()}）", field="线索"
        )
    lead.status, lead.transfer_department, lead.reject_reason = LeadStatus.TRANSFERRED, department, reason
    lead.updated_at = now()
    lead.save(update_fields=["status", "transfer_department", "reject_reason", "updated_at"])
    audit_record(
        actor=actor,
        action="lead.transfer",
        obj=lead,
        before={"status": LeadStatus.NEW},
        after={"status": lead.status, "department": department},
        reason=reason,
    )


@transaction.atomic
def case_merge_into_case(*, actor: Any, case: Case, target: Case, reason: str = "") -> Case:
    """The case closes as merged, keeps its number and points at the target; its reports move to the target."""
    if case.pk == target.pk:
        raise DomainError("不能并入自身", field="目标事项")
    first, second = sorted([case.pk, target.pk])
    locked = {c.pk: c for c in Case.objects.select_for_update().filter(pk__in=[first, second]).order_by("pk")}
    src, dst = locked[case.pk], locked[target.pk]
    _check_role(actor, src, workflow.MOVES["merge"].roles, "合并事项")
    if src.status == CaseStatus.MERGED and src.merged_into_id == dst.pk:
        return src
    if src.estate_id != dst.estate_id:
        raise DomainError("只能并入同一小区的事项", field="目标事项")
    if dst.status == CaseStatus.MERGED:
        raise InvalidTransition(f"目标事项 {dst.number} 本身已并入其他事项", field="目标事项")
    src, from_status = _move(src, "merge", actor)
    if from_status is None:
        return src
    reason = _text(reason, field="合并理由", required=False, max_len=1000)
    before_src, before_dst = _snap(src), _snap(dst)
    moved = list(Lead.objects.select_for_update().filter(case=src).order_by("pk"))
    for lead in moved:
        lead.case, lead.status, lead.updated_at = dst, LeadStatus.MERGED, now()
        lead.save(update_fields=["case", "status", "updated_at"])
    src.status, src.merged_into, src.closed_at = CaseStatus.MERGED, dst, now()
    src.closed_reason = f"与 {dst.number} 为同一问题，已并入该事项办理。" + (reason and f"（{reason}）")
    _recount(src)
    _save(src, "status", "merged_into", "closed_at", "closed_reason", "report_count")
    _recount(dst)
    _save(dst, "report_count")
    codes = [lead.tracking_code for lead in moved]
    _event(
        case=src,
        actor=actor,
        kind="merge",
        title=f"并入事项 {dst.number}",
        text=src.closed_reason,
        before=before_src,
        from_status=from_status,
        public=True,
        public_text=f"同一问题已合并到事项 {dst.number} 统一办理。",
        data={"target": dst.number, "leads": codes},
        reason=reason,
    )
    _event(
        case=dst,
        actor=actor,
        kind="merge_in",
        title=f"事项 {src.number} 并入",
        text=f"事项 {src.number} 并入本事项，{len(codes)} 条反映随之并入，累计反映 {dst.report_count} 人次。",
        before=before_dst,
        data={"source": src.number, "leads": codes},
        reason=reason,
    )
    return src


# --- the state machine ----------------------------------------------------------------------------------------


@transaction.atomic
def case_verify(*, actor: Any, case: Case, note: str = "") -> Case:
    _precheck(actor, "verify")
    case, from_status = _move(case, "verify", actor)
    if from_status is None:
        return case
    note = _text(note, field="说明", required=False, max_len=2000)
    before = _snap(case)
    case.status = CaseStatus.VERIFYING
    _save(case, "status")
    _event(
        case=case,
        actor=actor,
        kind="verify",
        title="开始核查",
        text=note,
        before=before,
        from_status=from_status,
        public=True,
        public_text="专班已安排核查。",
    )
    return case


@transaction.atomic
def case_mark_unfounded(
    *, actor: Any, case: Case, reason: str, attachments: Sequence[UploadedFile] = ()
) -> Case:
    _precheck(actor, "mark_unfounded")
    reason = _text(reason, field="核查结论", max_len=2000)
    files = check_files(attachments)
    case, from_status = _move(case, "mark_unfounded", actor)
    if from_status is None:
        return case
    before = _snap(case)
    case.status, case.closed_reason, case.closed_at = CaseStatus.UNFOUNDED, reason, now()
    _save(case, "status", "closed_reason", "closed_at")
    _event(
        case=case,
        actor=actor,
        kind="unfounded",
        title="核查不属实，办结",
        text=reason,
        before=before,
        from_status=from_status,
        public=True,
        public_text=f"经核查，反映问题不属实。说明：{reason}",
        files=files,
        reason=reason,
    )
    return case


def _plan(target: str, measures: str, responsible: str, deadline: Any) -> tuple[str, str, str, dt.date]:
    return (
        _text(target, field="整改目标", max_len=2000),
        _text(measures, field="整改措施/路径", max_len=5000),
        _text(responsible, field="整改责任人", max_len=60),
        _future_date(deadline, field="完成时限"),
    )


@transaction.atomic
def case_start_rectification(
    *,
    actor: Any,
    case: Case,
    target: str,
    measures: str,
    responsible: str,
    deadline: dt.date,
    note: str = "",
) -> Case:
    _precheck(actor, "start_rectification")
    target, measures, responsible, deadline = _plan(target, measures, responsible, deadline)
    case, from_status = _move(case, "start_rectification", actor)
    if from_status is None:
        return case
    before = _snap(case)
    case.status = CaseStatus.RECTIFYING
    case.target, case.measures, case.responsible, case.deadline = target, measures, responsible, deadline
    case.overdue_marked_at = None
    _save(case, "status", "target", "measures", "responsible", "deadline", "overdue_marked_at")
    _event(
        case=case,
        actor=actor,
        kind="rectify",
        title="核查属实，下达整改",
        text=f"整改目标：{target}\n整改措施：{measures}\n责任人：{responsible}\n完成时限：{cn_date(deadline)}"
        + (f"\n{note.strip()}" if note and note.strip() else ""),
        before=before,
        from_status=from_status,
        public=True,
        public_text=f"经核查问题属实，已责令整改，完成时限 {cn_date(deadline)}。",
        data={"new_deadline": deadline.isoformat()},
    )
    return case


@transaction.atomic
def case_submit(*, actor: Any, case: Case, progress: str, attachments: Sequence[UploadedFile] = ()) -> Case:
    """The company reports what it did, with evidence (photos, PDF)."""
    submit_roles = workflow.BUREAU if case.company_id is None else workflow.MOVES["submit"].roles
    _check_role(actor, None, submit_roles, "“提交整改材料”")
    progress = _text(progress, field="整改情况", max_len=5000)
    files = check_files(attachments, field="整改材料")
    if not files:
        raise DomainError("请上传整改前后照片或证明材料", field="整改材料")
    # An estate with no company under contract (自管): the task force files the evidence itself.
    case, from_status = _move(case, "submit", actor, submit_roles)
    if from_status is None:
        return case
    before = _snap(case)
    case.status, case.progress = CaseStatus.SUBMITTED, progress
    _save(case, "status", "progress")
    _event(
        case=case,
        actor=actor,
        kind="submit",
        title="提交整改材料，申请验收",
        text=progress,
        before=before,
        from_status=from_status,
        public=True,
        public_text="责任单位已报告整改完成，等待专班验收。",
        files=files,
    )
    return case


@transaction.atomic
def case_accept(*, actor: Any, case: Case, note: str, attachments: Sequence[UploadedFile] = ()) -> Case:
    _precheck(actor, "accept")
    note = _text(note, field="验收意见", max_len=2000)
    files = check_files(attachments)
    case, from_status = _move(case, "accept", actor)
    if from_status is None:
        return case
    before = _snap(case)
    case.status, case.closed_reason, case.closed_at = CaseStatus.ACCEPTED, note, now()
    _save(case, "status", "closed_reason", "closed_at")
    _event(
        case=case,
        actor=actor,
        kind="accept",
        title="验收合格，销号",
        text=note,
        before=before,
        from_status=from_status,
        public=True,
        public_text=f"经专班验收整改到位，已销号。验收意见：{note}",
        files=files,
        reason=note,
    )
    return case


@transaction.atomic
def case_return(
    *,
    actor: Any,
    case: Case,
    reason: str,
    deadline: dt.date | None = None,
    attachments: Sequence[UploadedFile] = (),
) -> Case:
    _precheck(actor, "return")
    reason = _text(reason, field="退回理由", max_len=2000)
    new_deadline = _future_date(deadline, field="完成时限") if deadline is not None else None
    files = check_files(attachments)
    case, from_status = _move(case, "return", actor)
    if from_status is None:
        return case
    before = _snap(case)
    case.status = CaseStatus.RETURNED
    fields = ["status"]
    data: dict[str, Any] = {}
    if new_deadline is not None and new_deadline != case.deadline:
        data = {
            "old_deadline": case.deadline.isoformat() if case.deadline else None,
            "new_deadline": new_deadline.isoformat(),
        }
        case.deadline, case.overdue_marked_at = new_deadline, None
        fields += ["deadline", "overdue_marked_at"]
    _save(case, *fields)
    _event(
        case=case,
        actor=actor,
        kind="return",
        title="验收未通过，退回整改",
        text=reason,
        before=before,
        from_status=from_status,
        public=True,
        public_text="专班验收未通过，已退回继续整改。",
        files=files,
        data=data,
        reason=reason,
    )
    return case


@transaction.atomic
def case_reopen(*, actor: Any, case: Case, reason: str, deadline: dt.date | None = None) -> Case:
    """Accepted → rectifying (failed 回头看, resident says "not fixed"); unfounded → verifying (re-check).
    A reopened rectification gets a new deadline: the one given, else today + CASE_REOPEN_DAYS."""
    _precheck(actor, "reopen")
    reason = _text(reason, field="重新整改理由", max_len=2000)
    new_deadline = _future_date(deadline, field="完成时限") if deadline is not None else None
    case, from_status = _move(case, "reopen", actor)
    if from_status is None:
        return case
    before = _snap(case)
    case.status = workflow.MOVES["reopen"].moves[from_status]
    case.closed_at = None
    fields = ["status", "closed_at"]
    data: dict[str, Any] = {}
    if case.status == CaseStatus.RECTIFYING:
        new_deadline = new_deadline or today() + dt.timedelta(days=county_setting("CASE_REOPEN_DAYS"))
        data = {
            "old_deadline": case.deadline.isoformat() if case.deadline else None,
            "new_deadline": new_deadline.isoformat(),
        }
        case.deadline, case.overdue_marked_at = new_deadline, None
        fields += ["deadline", "overdue_marked_at"]
        public_text = f"复查发现问题仍未解决，已重新责令整改，完成时限 {cn_date(new_deadline)}。"
    else:
        public_text = "已重新核查。"
    _save(case, *fields)
    _event(
        case=case,
        actor=actor,
        kind="reopen",
        title="重新整改" if data else "重新核查",
        text=reason,
        before=before,
        from_status=from_status,
        public=True,
        public_text=public_text,
        data=data,
        reason=reason,
    )
    return case


@transaction.atomic
def case_progress_update(
    *, actor: Any, case: Case, progress: str, attachments: Sequence[UploadedFile] = ()
) -> Case:
    """进展情况: the company (or the task force) reports progress without changing the status."""
    _check_role(actor, None, workflow.PROGRESS_ROLES, "报告进展")
    progress = _text(progress, field="进展情况", max_len=5000)
    files = check_files(attachments)
    case = _lock(case)
    _check_role(actor, case, workflow.PROGRESS_ROLES, "报告进展")
    if case.status not in workflow.PROGRESS_STATES:
        raise InvalidTransition(f"事项当前状态为“{case.get_status_display()}”，不能报告进展", field="状态")
    before = _snap(case)
    case.progress = progress
    _save(case, "progress")
    _event(
        case=case,
        actor=actor,
        kind="progress",
        title="报告整改进展",
        text=progress,
        before=before,
        public=True,
        public_text="责任单位报告了整改进展。",
        files=files,
    )
    return case


@transaction.atomic
def case_note_add(
    *, actor: Any, case: Case, text: str, attachments: Sequence[UploadedFile] = ()
) -> CaseEvent:
    """A staff-internal note (never on the public timeline)."""
    _check_role(actor, None, workflow.BUREAU, "添加内部备注")
    text = _text(text, field="备注", max_len=5000)
    files = check_files(attachments)
    case = _lock(case)
    _check_role(actor, case, workflow.BUREAU, "添加内部备注")
    return _event(case=case, actor=actor, kind="note", title="内部备注", text=text, files=files)


# --- deadlines ------------------------------------------------------------------------------------------------


@transaction.atomic
def extension_request(*, actor: Any, case: Case, requested_deadline: dt.date, reason: str) -> CaseExtension:
    _check_role(actor, None, workflow.EXTENSION_REQUEST_ROLES, "申请延期")
    reason = _text(reason, field="申请理由", max_len=2000)
    requested_deadline = _future_date(requested_deadline, field="申请延至")
    case = _lock(case)
    _check_role(actor, case, workflow.EXTENSION_REQUEST_ROLES, "申请延期")
    if case.status not in workflow.EXTENSION_STATES:
        raise InvalidTransition(f"事项当前状态为“{case.get_status_display()}”，不能申请延期", field="状态")
    if case.deadline and requested_deadline <= case.deadline:
        raise DomainError(f"必须晚于现完成时限（{cn_date(case.deadline)}）", field="申请延至")
    if case.extensions.filter(status=ExtensionStatus.PENDING).exists():
        raise DomainError("已有一份延期申请待审批，请等待审批结果", field="延期申请")
    ext = CaseExtension.objects.create(
        case=case,
        old_deadline=case.deadline,
        requested_deadline=requested_deadline,
        reason=reason,
        requested_by=actor,
        requested_at=now(),
    )
    _event(
        case=case,
        actor=actor,
        kind="extension_request",
        title="申请延期",
        text=f"申请将完成时限由 {cn_date(case.deadline)} 延至 {cn_date(requested_deadline)}。理由：{reason}",
        before=_snap(case),
        data={"extension": ext.pk, "requested_deadline": requested_deadline.isoformat()},
        reason=reason,
    )
    return ext


@transaction.atomic
def extension_decide(
    *,
    actor: Any,
    extension: CaseExtension,
    approve: bool,
    reason: str = "",
    granted_deadline: dt.date | None = None,
) -> CaseExtension:
    _check_role(actor, None, workflow.EXTENSION_DECIDE_ROLES, "审批延期")
    ext = CaseExtension.objects.select_for_update().get(pk=extension.pk)
    case = _lock(ext.case)
    _check_role(actor, case, workflow.EXTENSION_DECIDE_ROLES, "审批延期")
    if ext.status != ExtensionStatus.PENDING:
        raise InvalidTransition(f"该延期申请已{ext.get_status_display()}", field="延期申请")
    reason = _text(reason, field="审批意见", required=not approve, max_len=2000)
    before = _snap(case)
    ext.decided_by, ext.decided_at, ext.decision_reason = actor, now(), reason
    if approve:
        granted = _future_date(granted_deadline or ext.requested_deadline, field="批准延至")
        if case.status not in workflow.EXTENSION_STATES:
            raise InvalidTransition(f"事项当前状态为“{case.get_status_display()}”，无需延期", field="状态")
        ext.status, ext.granted_deadline = ExtensionStatus.APPROVED, granted
        old = case.deadline
        case.deadline, case.overdue_marked_at = granted, None
        _save(case, "deadline", "overdue_marked_at")
        ext.save(update_fields=["status", "granted_deadline", "decided_by", "decided_at", "decision_reason"])
        _event(
            case=case,
            actor=actor,
            kind="extension_approve",
            title="同意延期",
            text=f"完成时限由 {cn_date(old)} 延至 {cn_date(granted)}。" + (reason and f"意见：{reason}"),
            before=before,
            public=True,
            public_text=f"完成时限调整为 {cn_date(granted)}。",
            data={
                "extension": ext.pk,
                "old_deadline": old.isoformat() if old else None,
                "new_deadline": granted.isoformat(),
            },
            reason=reason,
        )
    else:
        ext.status = ExtensionStatus.REFUSED
        ext.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        _event(
            case=case,
            actor=actor,
            kind="extension_refuse",
            title="不同意延期",
            text=f"完成时限仍为 {cn_date(case.deadline)}。意见：{reason}",
            before=before,
            data={"extension": ext.pk},
            reason=reason,
        )
    return ext


@transaction.atomic
def case_mark_overdue(*, case: Case) -> bool:
    """Record the overdue event once (the scheduler's `tick`); False when there is nothing to record."""
    case = _lock(case)
    if case.overdue_marked_at is not None or not case_is_overdue(case):
        return False
    before = _snap(case)
    case.overdue_marked_at = now()
    _save(case, "overdue_marked_at")
    _event(
        case=case,
        actor=None,
        kind="overdue",
        title="逾期未完成整改",
        text=f"完成时限 {cn_date(case.deadline)} 已过，整改尚未验收。",
        before=before,
        public=True,
        public_text="已超过完成时限，专班正在督办。",
        data={"deadline": case.deadline.isoformat()},
    )
    return True


# --- escalation actions ---------------------------------------------------------------------------------------


@transaction.atomic
def case_action_record(
    *,
    actor: Any,
    case: Case,
    kind: str,
    date: dt.date,
    interviewee: str = "",
    interviewers: str = "",
    minutes: str = "",
    amount: Any = None,
    legal_basis: str = "",
    decision_number: str = "",
    department: str = "",
    period_end: dt.date | None = None,
    note: str = "",
    attachments: Sequence[UploadedFile] = (),
) -> CaseAction:
    """约谈 / 限制评优评先 / 行政处罚 / 移送 / 引导业主解聘 (the last opens a handover record for the estate)."""
    _check_role(actor, None, workflow.ACTION_ROLES, "登记督办措施")
    if kind not in ActionKind.values:
        raise DomainError("请选择督办措施", field="措施")
    date = _past_date(date, field="日期")
    note = _text(note, field="说明", required=False, max_len=5000)
    fields: dict[str, Any] = {"note": note}
    if kind == ActionKind.INTERVIEW:
        fields.update(
            interviewee=_text(interviewee, field="约谈对象", max_len=100),
            interviewers=_text(interviewers, field="约谈人", max_len=200),
            minutes=_text(minutes, field="约谈纪要", max_len=10000),
        )
        summary = (
            f"约谈 {fields['interviewee']}（约谈人：{fields['interviewers']}）。纪要：{fields['minutes']}"
        )
    elif kind == ActionKind.PENALTY:
        fields.update(
            amount=parse_yuan(amount, field="罚款金额"),
            legal_basis=_text(legal_basis, field="法律依据", max_len=300),
            decision_number=_text(decision_number, field="处罚决定书文号", max_len=100),
        )
        summary = (
            f"行政处罚：罚款 {fields['amount']:,.2f} 元，依据 {fields['legal_basis']}，"
            f"决定书 {fields['decision_number']}。"
        )
    elif kind == ActionKind.REFERRAL:
        fields.update(department=_text(department, field="移送单位", max_len=100))
        summary = f"移送 {fields['department']}。"
    elif kind == ActionKind.RESTRICT_HONOURS:
        if period_end is not None and period_end <= date:
            raise DomainError("必须晚于措施日期", field="限制期至")
        fields.update(period_end=period_end)
        summary = "限制评优评先" + (f"，至 {cn_date(period_end)}。" if period_end else "。")
    else:
        summary = "引导业主依法解聘物业服务企业，启动移交。"
    if note:
        summary += f"\n{note}"
    files = check_files(attachments)
    case = _lock(case)
    _check_role(actor, case, workflow.ACTION_ROLES, "登记督办措施")
    if case.status not in workflow.ACTION_STATES:
        raise InvalidTransition(
            f"事项当前状态为“{case.get_status_display()}”，不能登记督办措施", field="状态"
        )
    handover = None
    if kind == ActionKind.DISMISSAL:
        handover = handover_open(actor=actor, estate=case.estate, from_case=case)
        summary += f"移交期限 {cn_date(handover.deadline)}。"
    label = ActionKind(kind).label
    event = _event(
        case=case,
        actor=actor,
        kind=f"action_{kind}",
        title=label,
        text=summary,
        before=_snap(case),
        public=kind in (ActionKind.PENALTY, ActionKind.INTERVIEW, ActionKind.REFERRAL),
        public_text=f"专班已对责任单位采取督办措施：{label}。",
        data={
            "kind": kind,
            "date": date.isoformat(),
            "amount": str(fields["amount"]) if fields.get("amount") is not None else None,
        },
        files=files,
    )
    return CaseAction.objects.create(
        case=case,
        company_id=case.company_id,
        kind=kind,
        date=date,
        handover=handover,
        event=event,
        created_by=actor if getattr(actor, "pk", None) else None,
        created_at=now(),
        **fields,
    )


def handover_open(*, actor: Any, estate: Estate, from_case: Case | None = None) -> HandoverRecord:
    """Open (or return the open) handover record of an estate. Runs inside the caller's transaction."""
    existing = (
        HandoverRecord.objects.select_for_update().filter(estate=estate, status=HandoverStatus.OPEN).first()
    )
    if existing is not None:
        return existing
    contract = ServiceContract.objects.filter(estate=estate, is_current=True).first()
    record = HandoverRecord.objects.create(
        estate=estate,
        contract=contract,
        opened_from_case=from_case,
        deadline=today() + dt.timedelta(days=county_setting("HANDOVER_DAYS")),
        created_by=actor if getattr(actor, "pk", None) else None,
        created_at=now(),
    )
    audit_record(
        actor=actor,
        action="handover.open",
        obj=record,
        after={
            "estate": estate.pk,
            "contract": contract.pk if contract else None,
            "case": from_case.number if from_case else None,
            "deadline": record.deadline,
        },
    )
    return record


# --- 回头看 ----------------------------------------------------------------------------------------------------


def revisit_candidates(*, per_estate: int, seed: int, category: str = "") -> list[int]:
    """A reproducible sample: for each estate (by id), `per_estate` accepted cases drawn with Random(seed)
    from the estate's accepted cases ordered by id."""
    qs = Case.objects.filter(status=CaseStatus.ACCEPTED)
    if category:
        qs = qs.filter(category=category)
    by_estate: dict[int, list[int]] = {}
    for case_id, estate_id in qs.order_by("estate_id", "id").values_list("id", "estate_id"):
        by_estate.setdefault(estate_id, []).append(case_id)
    rng = random.Random(seed)
    chosen: list[int] = []
    for estate_id in sorted(by_estate):
        ids = by_estate[estate_id]
        chosen.extend(sorted(rng.sample(ids, min(per_estate, len(ids)))))
    return chosen


@transaction.atomic
def revisit_sample_draw(
    *, actor: Any, per_estate: int, seed: int, category: str = ""
) -> tuple[RevisitBatch, bool]:
    """Draw a sample (or return the batch already drawn with the same parameters). Returns (batch, created)."""
    _check_role(actor, None, workflow.BUREAU, "抽取回头看样本")
    if not isinstance(per_estate, int) or per_estate < 1 or per_estate > 50:
        raise DomainError("每小区抽取数量应为 1 至 50", field="每小区抽取")
    if category and category not in Category.values:
        raise DomainError("问题类别不正确", field="问题类别")
    if not isinstance(seed, int) or not 0 <= seed <= SEED_MAX:
        raise DomainError(f"应为 0 至 {SEED_MAX} 的整数", field="随机种子")
    params = {"seed": seed, "per_estate": per_estate, "category": category}
    existing = RevisitBatch.objects.filter(**params).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            batch = RevisitBatch.objects.create(
                **params, drawn_at=now(), drawn_by=actor if getattr(actor, "pk", None) else None
            )
    except IntegrityError:
        # A double submit drew the same batch a moment earlier: show that one.
        return RevisitBatch.objects.get(**params), False
    ids = revisit_candidates(per_estate=per_estate, seed=seed, category=category)
    Revisit.objects.bulk_create([Revisit(batch=batch, case_id=i) for i in ids])
    audit_record(
        actor=actor,
        action="revisit.draw",
        obj=batch,
        after={"seed": seed, "per_estate": per_estate, "category": category, "cases": len(ids)},
    )
    return batch, True


@transaction.atomic
def revisit_record(*, actor: Any, revisit: Revisit, passed: bool, finding: str) -> Revisit:
    _check_role(actor, None, workflow.BUREAU, "登记复查结果")
    finding = _text(finding, field="复查情况", max_len=5000)
    rv = Revisit.objects.select_for_update().select_related("case").get(pk=revisit.pk)
    if rv.result != RevisitResult.PENDING:
        raise InvalidTransition(f"该事项的复查结果已登记（{rv.get_result_display()}）", field="复查结果")
    rv.result = RevisitResult.PASSED if passed else RevisitResult.FAILED
    rv.finding, rv.recorded_by, rv.recorded_at = finding, actor, now()
    rv.save(update_fields=["result", "finding", "recorded_by", "recorded_at"])
    audit_record(
        actor=actor,
        action="revisit.record",
        obj=rv,
        before={"result": RevisitResult.PENDING},
        after={"result": rv.result, "case": rv.case.number},
        reason=finding,
    )
    case = _lock(rv.case)
    if passed:
        _event(
            case=case,
            actor=actor,
            kind="revisit_pass",
            title="回头看复查合格",
            text=finding,
            public=True,
            public_text="专班回头看复查：整改成果保持良好。",
            data={"revisit": rv.pk},
        )
    else:
        case_reopen(actor=actor, case=case, reason=f"回头看复查不合格：{finding}")
    return rv


def report_counts_refresh(case_ids: Sequence[int]) -> None:
    """Recompute report_count from the leads (used by bulk builders)."""
    counts = dict(
        Lead.objects.filter(case_id__in=case_ids)
        .values("case_id")
        .annotate(n=Count("id"))
        .values_list("case_id", "n")
    )
    for case in Case.objects.filter(pk__in=case_ids):
        n = counts.get(case.pk, 0)
        if case.report_count != n:
            Case.objects.filter(pk=case.pk).update(report_count=n)
