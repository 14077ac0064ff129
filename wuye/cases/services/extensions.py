"""Deadlines: the company asks for more time, the bureau decides."""

import datetime as dt

from django.db import transaction

from wuye.common.dates import cn_date, now
from wuye.common.errors import DomainError, InvalidTransition
from wuye.kernel.actors import Actor, actor_user, requires_actor

from .. import workflow
from ..models import Case, CaseExtension, ExtensionStatus
from .base import acting_user, check_role, clean_text, future_date, record_event, save, snap
from .locks import lock_case


@requires_actor
@transaction.atomic
def extension_request(*, actor: Actor, case: Case, requested_deadline: dt.date, reason: str) -> CaseExtension:
    check_role(actor, None, workflow.EXTENSION_REQUEST_ROLES, "申请延期")
    reason = clean_text(reason, field="reason", label="申请理由", max_len=2000)
    requested_deadline = future_date(requested_deadline, field="requested_deadline", label="申请延至日期")
    case = lock_case(case)
    check_role(actor, case, workflow.EXTENSION_REQUEST_ROLES, "申请延期")
    if case.status not in workflow.EXTENSION_STATES:
        raise InvalidTransition(f"事项当前状态为“{case.get_status_display()}”，不能申请延期", field="status")
    if case.deadline is None:  # a rectifying case always has one; the column may not be empty
        raise InvalidTransition(f"事项 {case.number} 没有完成时限，不能申请延期", field="status")
    if requested_deadline <= case.deadline:
        raise DomainError(
            f"申请延至日期必须晚于现完成时限（{cn_date(case.deadline)}）", field="requested_deadline"
        )
    if case.extensions.filter(status=ExtensionStatus.PENDING).exists():
        raise DomainError("已有一份延期申请待审批，请等待审批结果", field="extension")
    ext = CaseExtension.objects.create(
        case=case,
        old_deadline=case.deadline,
        requested_deadline=requested_deadline,
        reason=reason,
        requested_by=acting_user(actor, "申请延期"),
        requested_at=now(),
    )
    record_event(
        case=case,
        actor=actor,
        kind="extension_request",
        title="申请延期",
        text=f"申请将完成时限由 {cn_date(case.deadline)} 延至 {cn_date(requested_deadline)}。理由：{reason}",
        before=snap(case),
        data={"extension": ext.pk, "requested_deadline": requested_deadline.isoformat()},
        reason=reason,
    )
    return ext


@requires_actor
@transaction.atomic
def extension_decide(
    *,
    actor: Actor,
    extension: CaseExtension,
    approve: bool,
    reason: str = "",
    granted_deadline: dt.date | None = None,
) -> CaseExtension:
    check_role(actor, None, workflow.EXTENSION_DECIDE_ROLES, "审批延期")
    ext = CaseExtension.objects.select_for_update().get(pk=extension.pk)
    case = lock_case(ext.case)
    check_role(actor, case, workflow.EXTENSION_DECIDE_ROLES, "审批延期")
    if ext.status != ExtensionStatus.PENDING:
        raise InvalidTransition(f"该延期申请已{ext.get_status_display()}", field="extension")
    reason = clean_text(reason, field="reason", label="审批意见", required=not approve, max_len=2000)
    before = snap(case)
    ext.decided_by, ext.decided_at, ext.decision_reason = actor_user(actor), now(), reason
    if approve:
        granted = future_date(
            granted_deadline or ext.requested_deadline, field="granted_deadline", label="批准延至日期"
        )
        if case.status not in workflow.EXTENSION_STATES:
            raise InvalidTransition(f"事项当前状态为“{case.get_status_display()}”，无需延期", field="status")
        ext.status, ext.granted_deadline = ExtensionStatus.APPROVED, granted
        old = case.deadline
        case.deadline, case.due_at, case.overdue_marked_at = granted, None, None
        save(case, "deadline", "due_at", "overdue_marked_at")
        ext.save(update_fields=["status", "granted_deadline", "decided_by", "decided_at", "decision_reason"])
        record_event(
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
        record_event(
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
