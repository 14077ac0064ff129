"""The state machine of a case (`workflow.MOVES`): one service per move, plus progress reports, internal notes
and the scheduler's overdue mark."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from wuye.common.dates import cn_date, now
from wuye.common.display import cn_datetime
from wuye.common.errors import DomainError, InvalidTransition
from wuye.kernel.actors import Actor, requires_actor

from .. import notices, timelimits, workflow
from ..models import Case, CaseEvent, CaseStatus
from ..selectors import case_is_overdue
from .base import check_files, check_role, clean_text, future_date, move, precheck, record_event, save, snap
from .locks import lock_case


@requires_actor
@transaction.atomic
def case_verify(*, actor: Actor, case: Case, note: str = "") -> Case:
    precheck(actor, "verify")
    case, from_status = move(case, "verify", actor)
    if from_status is None:
        return case
    note = clean_text(note, field="note", label="说明", required=False, max_len=2000)
    before = snap(case)
    case.status = CaseStatus.VERIFYING
    save(case, "status")
    record_event(
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


@requires_actor
@transaction.atomic
def case_mark_unfounded(
    *, actor: Actor, case: Case, reason: str, attachments: Sequence["UploadedFile[bytes]"] = ()
) -> Case:
    precheck(actor, "mark_unfounded")
    reason = clean_text(reason, field="reason", label="核查结论", max_len=2000)
    files = check_files(attachments)
    case, from_status = move(case, "mark_unfounded", actor)
    if from_status is None:
        return case
    before = snap(case)
    case.status, case.closed_reason, case.closed_at = CaseStatus.UNFOUNDED, reason, now()
    save(case, "status", "closed_reason", "closed_at")
    record_event(
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


def _plan(
    target: str, measures: str, responsible: str, deadline: Any
) -> tuple[str, str, str, dt.date | None]:
    return (
        clean_text(target, field="target", label="整改目标", max_len=2000),
        clean_text(measures, field="measures", label="整改措施/路径", max_len=5000),
        clean_text(responsible, field="responsible", label="整改责任人", max_len=60),
        future_date(deadline, field="deadline", label="完成时限") if deadline is not None else None,
    )


def _set_deadline(case: Case, given: dt.date | None) -> list[str]:
    """The deadline given by the task force (due at the end of that day), else the tier's handling limit from now
    (to the hour for an urgent case): wuye.cases.timelimits."""
    if given is not None:
        case.deadline, case.due_at = given, None
    else:
        case.deadline, case.due_at = timelimits.handle_due(case.tier, county=timelimits.county_of(case))
    case.overdue_marked_at = None
    return ["deadline", "due_at", "overdue_marked_at"]


def _deadline_words(case: Case) -> str:
    if case.due_at is not None:
        return cn_datetime(case.due_at)
    return cn_date(case.deadline)


@requires_actor
@transaction.atomic
def case_start_rectification(
    *,
    actor: Actor,
    case: Case,
    target: str,
    measures: str,
    responsible: str,
    deadline: dt.date | None = None,
    note: str = "",
) -> Case:
    """The plan; without a deadline, the tier's handling limit (紧急 24 小时 / 一般 7 天 / 复杂 15 天 by default)."""
    precheck(actor, "start_rectification")
    target, measures, responsible, given = _plan(target, measures, responsible, deadline)
    case, from_status = move(case, "start_rectification", actor)
    if from_status is None:
        return case
    before = snap(case)
    case.status = CaseStatus.RECTIFYING
    case.target, case.measures, case.responsible = target, measures, responsible
    fields = _set_deadline(case, given)
    save(case, "status", "target", "measures", "responsible", *fields)
    assert case.deadline is not None
    when = _deadline_words(case)
    event = record_event(
        case=case,
        actor=actor,
        kind="rectify",
        title="核查属实，下达整改",
        text=f"整改目标：{target}\n整改措施：{measures}\n责任人：{responsible}\n完成时限：{when}"
        + (f"\n{note.strip()}" if note and note.strip() else ""),
        before=before,
        from_status=from_status,
        public=True,
        public_text=f"经核查问题属实，已责令整改，完成时限 {when}。",
        data={"new_deadline": case.deadline.isoformat()},
    )
    notices.tell_complainants(actor=actor, case=case, event=event)
    return case


@requires_actor
@transaction.atomic
def case_submit(
    *, actor: Actor, case: Case, progress: str, attachments: Sequence["UploadedFile[bytes]"] = ()
) -> Case:
    """The company reports what it did, with evidence (photos, PDF)."""
    submit_roles = workflow.submit_roles(case.company_id)
    check_role(actor, None, submit_roles, "“提交整改材料”")
    progress = clean_text(progress, field="progress", label="整改情况", max_len=5000)
    files = check_files(attachments, label="整改材料")
    if not files:
        raise DomainError("请上传整改材料：整改前后照片或证明材料", field="attachments")
    case, from_status = move(case, "submit", actor, submit_roles)
    if from_status is None:
        return case
    before = snap(case)
    case.status, case.progress = CaseStatus.SUBMITTED, progress
    save(case, "status", "progress")
    event = record_event(
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
    notices.tell_complainants(actor=actor, case=case, event=event)
    return case


@requires_actor
@transaction.atomic
def case_accept(
    *, actor: Actor, case: Case, note: str, attachments: Sequence["UploadedFile[bytes]"] = ()
) -> Case:
    precheck(actor, "accept")
    note = clean_text(note, field="note", label="验收意见", max_len=2000)
    files = check_files(attachments)
    case, from_status = move(case, "accept", actor)
    if from_status is None:
        return case
    before = snap(case)
    case.status, case.closed_reason, case.closed_at = CaseStatus.ACCEPTED, note, now()
    save(case, "status", "closed_reason", "closed_at")
    event = record_event(
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
    notices.tell_complainants(actor=actor, case=case, event=event)
    return case


@requires_actor
@transaction.atomic
def case_return(
    *,
    actor: Actor,
    case: Case,
    reason: str,
    deadline: dt.date | None = None,
    attachments: Sequence["UploadedFile[bytes]"] = (),
) -> Case:
    precheck(actor, "return")
    reason = clean_text(reason, field="reason", label="退回理由", max_len=2000)
    new_deadline = future_date(deadline, field="deadline", label="完成时限") if deadline is not None else None
    files = check_files(attachments)
    case, from_status = move(case, "return", actor)
    if from_status is None:
        return case
    before = snap(case)
    case.status = CaseStatus.RETURNED
    fields = ["status"]
    data: dict[str, Any] = {}
    if new_deadline is not None and new_deadline != case.deadline:
        data = {
            "old_deadline": case.deadline.isoformat() if case.deadline else None,
            "new_deadline": new_deadline.isoformat(),
        }
        fields += _set_deadline(case, new_deadline)
    save(case, *fields)
    event = record_event(
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
    notices.tell_complainants(actor=actor, case=case, event=event)
    notices.tell_company(
        actor=actor, case=case, key=f"case_event:{event.pk}", event="company_returned", reason=reason
    )
    return case


@requires_actor
@transaction.atomic
def case_reopen(*, actor: Actor, case: Case, reason: str, deadline: dt.date | None = None) -> Case:
    """Accepted → rectifying (failed 回头看, resident says "not fixed"); unfounded → verifying (re-check).
    A reopened rectification gets a new deadline: the one given, else the tier's handling limit from now."""
    precheck(actor, "reopen")
    reason = clean_text(reason, field="reason", label="重新整改理由", max_len=2000)
    new_deadline = future_date(deadline, field="deadline", label="完成时限") if deadline is not None else None
    case, from_status = move(case, "reopen", actor)
    if from_status is None:
        return case
    _reopen(
        case=case,
        from_status=from_status,
        actor=actor,
        text=reason,
        reason=reason,
        deadline=new_deadline,
        public_rectify="复查发现问题仍未解决，已重新责令整改，完成时限 {deadline}。",
        public_verify="已重新核查。",
    )
    return case


@requires_actor
@transaction.atomic
def case_reopen_not_fixed(*, actor: Actor, case: Case, lead_code: str, comment: str = "") -> bool:
    """The complainant's "问题没有解决" (their tracking page): the same case is reopened at once, accepted →
    rectifying with a new deadline, unfounded → verifying. The timeline (which the company reads) says that a
    complainant reported it, not who nor in which words; the audit entry keeps both. False when the case was
    already reopened (another complainant, a repeated click)."""
    check_role(actor, None, workflow.NOT_FIXED_REOPEN_ROLES, "“重新办理”")
    case, from_status = move(case, "reopen", actor, roles=workflow.NOT_FIXED_REOPEN_ROLES)
    if from_status is None:
        return False
    _reopen(
        case=case,
        from_status=from_status,
        actor=actor,
        text="群众回访反映问题没有解决，事项重新办理。",
        reason=f"群众回访反映问题没有解决（查询码 {lead_code}）" + (f"：{comment}" if comment else ""),
        data={"lead": lead_code, "not_fixed": True},
        public_rectify="群众反映问题没有解决，已重新办理：重新责令整改，完成时限 {deadline}。",
        public_verify="群众反映问题没有解决，已重新办理：重新核查。",
    )
    return True


@requires_actor
def _reopen(
    *,
    case: Case,
    from_status: str,
    actor: Actor,
    text: str,
    reason: str,
    public_rectify: str,
    public_verify: str,
    deadline: dt.date | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """The reopen move on a locked case (`workflow.MOVES["reopen"]`): status, deadline, the timeline and audit."""
    before = snap(case)
    case.status = workflow.MOVES["reopen"].moves[from_status]
    case.closed_at = None
    fields = ["status", "closed_at"]
    data = dict(data or {})
    if case.status == CaseStatus.RECTIFYING:
        data["old_deadline"] = case.deadline.isoformat() if case.deadline else None
        fields += _set_deadline(case, deadline)
        assert case.deadline is not None
        data["new_deadline"] = case.deadline.isoformat()
        public_text = public_rectify.format(deadline=_deadline_words(case))
        title = "重新整改"
    else:
        public_text = public_verify
        title = "重新核查"
    save(case, *fields)
    event = record_event(
        case=case,
        actor=actor,
        kind="reopen",
        title=title,
        text=text,
        before=before,
        from_status=from_status,
        public=True,
        public_text=public_text,
        data=data,
        reason=reason,
    )
    if case.status == CaseStatus.RECTIFYING:
        # the company rectifies again: it hears why in the timeline's words (a resident's own are not theirs to
        # read) and by when
        notices.tell_company(
            actor=actor,
            case=case,
            key=f"case_event:{event.pk}",
            event="company_reopened",
            reason=text.rstrip("。"),
        )


@requires_actor
@transaction.atomic
def case_progress_update(
    *, actor: Actor, case: Case, progress: str, attachments: Sequence["UploadedFile[bytes]"] = ()
) -> Case:
    """进展情况: the company (or the task force) reports progress without changing the status."""
    check_role(actor, None, workflow.PROGRESS_ROLES, "报告进展")
    progress = clean_text(progress, field="progress", label="进展情况", max_len=5000)
    files = check_files(attachments)
    case = lock_case(case)
    check_role(actor, case, workflow.PROGRESS_ROLES, "报告进展")
    if case.status not in workflow.PROGRESS_STATES:
        raise InvalidTransition(f"事项当前状态为“{case.get_status_display()}”，不能报告进展", field="status")
    before = snap(case)
    case.progress = progress
    save(case, "progress")
    record_event(
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


@requires_actor
@transaction.atomic
def case_note_add(
    *, actor: Actor, case: Case, text: str, attachments: Sequence["UploadedFile[bytes]"] = ()
) -> CaseEvent:
    """A staff-internal note (never on the public timeline)."""
    check_role(actor, None, workflow.BUREAU, "添加内部备注")
    text = clean_text(text, field="text", label="备注", max_len=5000)
    files = check_files(attachments)
    case = lock_case(case)
    check_role(actor, case, workflow.BUREAU, "添加内部备注")
    return record_event(case=case, actor=actor, kind="note", title="内部备注", text=text, files=files)


@requires_actor
@transaction.atomic
def case_mark_overdue(*, actor: Actor, case: Case) -> bool:
    """Record the overdue event once (the scheduler's `tick`); False when there is nothing to record."""
    check_role(actor, None, workflow.OVERDUE_ROLES, "标记逾期")
    case = lock_case(case)
    if case.overdue_marked_at is not None or not case_is_overdue(case):
        return False
    before = snap(case)
    case.overdue_marked_at = now()
    save(case, "overdue_marked_at")
    record_event(
        case=case,
        actor=actor,
        kind="overdue",
        title="逾期未完成整改",
        text=f"完成时限 {_deadline_words(case)} 已过，整改尚未验收。",
        before=before,
        public=True,
        public_text="已超过完成时限，专班正在督办。",
        data={"deadline": case.deadline.isoformat() if case.deadline else None},
    )
    deadline_key = case.due_at.isoformat() if case.due_at else str(case.deadline)
    notices.tell_company(
        actor=actor, case=case, key=f"case:{case.pk}:overdue:{deadline_key}", event="company_overdue"
    )
    return True
