"""The ledger's side of a lead joining, leaving or following a case. Intake makes the lead's move (and audits it);
the ledger locks its cases first (`locks.lock_rows`: cases before leads, each by pk), recounts the reports and writes
the timeline."""

from django.db import transaction

from wuye.common.dates import now
from wuye.common.errors import DomainError, InvalidTransition
from wuye.intake import services as intake
from wuye.intake.models import Lead
from wuye.kernel.actors import Actor, requires_actor

from .. import workflow
from ..models import OPEN_STATES, Case, CaseStatus
from .base import check_role, clean_text, move, record_event, save, snap
from .locks import lock_rows
from .tiers import carry_urgency


def _recount(case: Case) -> None:
    case.report_count = Lead.objects.filter(case=case).count()


@requires_actor
@transaction.atomic
def lead_merge_into_case(*, actor: Actor, lead: Lead, case: Case) -> None:
    """One more report of the case's problem: the lead (new) joins the case (a resident from the QR form, too)."""
    check_role(actor, None, workflow.LEAD_JOIN_ROLES, "合并线索")
    cases, leads = lock_rows(cases=[case.pk], leads=[lead.pk])
    case, lead = cases[case.pk], leads[lead.pk]
    if lead.case_id == case.pk:
        return
    if case.status == CaseStatus.MERGED:
        raise InvalidTransition(f"事项 {case.number} 已并入 {case.merged_into}，请并入该事项", field="case")
    before = snap(case)
    intake.lead_join_case(actor=actor, lead=lead, case=case)
    _recount(case)
    save(case, "report_count")
    record_event(
        case=case,
        actor=actor,
        kind="lead_merge",
        title="并入一条反映",
        before=before,
        text=f"一条{lead.get_channel_display()}反映并入本事项，累计反映 {case.report_count} 人次。",
        data={"lead": lead.tracking_code},
    )
    if lead.urgent and case.status in OPEN_STATES:
        carry_urgency(actor=actor, case=case, lead_code=lead.tracking_code)


@requires_actor
@transaction.atomic
def lead_split_from_case(*, actor: Actor, lead: Lead, reason: str) -> None:
    """A lead merged into a case by mistake goes back to the triage queue."""
    check_role(actor, None, workflow.BUREAU, "拆分线索")
    reason = clean_text(reason, field="reason", label="拆分理由", max_len=1000)
    # read (unlocked) which case to lock: the case first, then the lead; intake re-checks under the lock
    case_id = Lead.objects.values_list("case_id", flat=True).get(pk=lead.pk)
    if case_id is None:
        raise InvalidTransition(f"线索 {lead.tracking_code} 没有并入任何事项", field="lead")
    cases, leads = lock_rows(cases=[case_id], leads=[lead.pk])
    case, lead = cases[case_id], leads[lead.pk]
    before = snap(case)
    intake.lead_split_off(actor=actor, lead=lead, case=case, reason=reason)
    _recount(case)
    save(case, "report_count")
    record_event(
        case=case,
        actor=actor,
        kind="lead_split",
        title="拆出一条反映",
        before=before,
        reason=reason,
        text=f"一条{lead.get_channel_display()}反映从本事项拆出，退回待分拣。理由：{reason}",
        data={"lead": lead.tracking_code},
    )


@requires_actor
@transaction.atomic
def case_merge_into_case(*, actor: Actor, case: Case, target: Case, reason: str = "") -> Case:
    """The case closes as merged, keeps its number and points at the target; its reports move to the target."""
    if case.pk == target.pk:
        raise DomainError("不能并入自身：请填写另一事项的编号", field="target")
    locked, _ = lock_rows(cases=[case.pk, target.pk])
    src, dst = locked[case.pk], locked[target.pk]
    check_role(actor, src, workflow.MOVES["merge"].roles, "合并事项")
    if src.status == CaseStatus.MERGED and src.merged_into_id == dst.pk:
        return src
    if src.estate_id != dst.estate_id:
        raise DomainError("只能并入同一小区的事项", field="target")
    if dst.status == CaseStatus.MERGED:
        raise InvalidTransition(f"目标事项 {dst.number} 本身已并入其他事项", field="target")
    src, from_status = move(src, "merge", actor)
    if from_status is None:
        return src
    reason = clean_text(reason, field="reason", label="合并理由", required=False, max_len=1000)
    before_src, before_dst = snap(src), snap(dst)
    moved = intake.leads_follow_case(actor=actor, source=src, target=dst)
    src.status, src.merged_into, src.closed_at = CaseStatus.MERGED, dst, now()
    src.closed_reason = f"与 {dst.number} 为同一问题，已并入该事项办理。" + (reason and f"（{reason}）")
    _recount(src)
    save(src, "status", "merged_into", "closed_at", "closed_reason", "report_count")
    _recount(dst)
    save(dst, "report_count")
    codes = [lead.tracking_code for lead in moved]
    urgent_code = next((lead.tracking_code for lead in moved if lead.urgent), "")
    if (src.urgent or urgent_code) and dst.status in OPEN_STATES:
        carry_urgency(actor=actor, case=dst, lead_code=urgent_code or src.number)
    record_event(
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
    record_event(
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
