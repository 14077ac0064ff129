"""督办措施: interviews, penalties, referrals, restrictions on honours, and guiding owners to dismiss the company."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from wuye.common.dates import cn_date, now
from wuye.common.errors import DomainError, InvalidTransition
from wuye.common.money import parse_yuan
from wuye.kernel.actors import Actor, actor_user, requires_actor

from .. import workflow
from ..models import ActionKind, Case, CaseAction
from .base import check_files, check_role, clean_text, past_date, record_event, snap
from .handover import handover_open
from .locks import lock_case


def _amount(value: Any) -> Any:
    if value is None or not str(value).strip():
        raise DomainError("罚款金额不能为空", field="amount")
    return parse_yuan(value, field="amount")


@requires_actor
@transaction.atomic
def case_action_record(
    *,
    actor: Actor,
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
    attachments: Sequence["UploadedFile[bytes]"] = (),
) -> CaseAction:
    """约谈 / 限制评优评先 / 行政处罚 / 移送 / 引导业主解聘 (the last opens a handover record for the estate)."""
    check_role(actor, None, workflow.ACTION_ROLES, "登记督办措施")
    if kind not in ActionKind.values:
        raise DomainError("请选择督办措施", field="kind")
    date = past_date(date, field="date", label="措施日期")
    note = clean_text(note, field="note", label="说明", required=False, max_len=5000)
    fields: dict[str, Any] = {"note": note}
    if kind == ActionKind.INTERVIEW:
        fields.update(
            interviewee=clean_text(interviewee, field="interviewee", label="约谈对象", max_len=100),
            interviewers=clean_text(interviewers, field="interviewers", label="约谈人", max_len=200),
            minutes=clean_text(minutes, field="minutes", label="约谈纪要", max_len=10000),
        )
        summary = (
            f"约谈 {fields['interviewee']}（约谈人：{fields['interviewers']}）。纪要：{fields['minutes']}"
        )
    elif kind == ActionKind.PENALTY:
        fields.update(
            amount=_amount(amount),
            legal_basis=clean_text(legal_basis, field="legal_basis", label="法律依据", max_len=300),
            decision_number=clean_text(
                decision_number, field="decision_number", label="处罚决定书文号", max_len=100
            ),
        )
        summary = (
            f"行政处罚：罚款 {fields['amount']:,.2f} 元，依据 {fields['legal_basis']}，"
            f"决定书 {fields['decision_number']}。"
        )
    elif kind == ActionKind.REFERRAL:
        fields.update(department=clean_text(department, field="department", label="移送单位", max_len=100))
        summary = f"移送 {fields['department']}。"
    elif kind == ActionKind.RESTRICT_HONOURS:
        if period_end is not None and period_end <= date:
            raise DomainError("限制期至必须晚于措施日期", field="period_end")
        fields.update(period_end=period_end)
        summary = "限制评优评先" + (f"，至 {cn_date(period_end)}。" if period_end else "。")
    else:
        summary = "引导业主依法解聘物业服务企业，启动移交。"
    if note:
        summary += f"\n{note}"
    files = check_files(attachments)
    case = lock_case(case)
    check_role(actor, case, workflow.ACTION_ROLES, "登记督办措施")
    if case.status not in workflow.ACTION_STATES:
        raise InvalidTransition(
            f"事项当前状态为“{case.get_status_display()}”，不能登记督办措施", field="status"
        )
    handover = None
    if kind == ActionKind.DISMISSAL:
        handover = handover_open(actor=actor, estate=case.estate, from_case=case)
        summary += f"移交期限 {cn_date(handover.deadline)}。"
    label = ActionKind(kind).label
    event = record_event(
        case=case,
        actor=actor,
        kind=f"action_{kind}",
        title=label,
        text=summary,
        before=snap(case),
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
        created_by=actor_user(actor),
        created_at=now(),
        **fields,
    )
