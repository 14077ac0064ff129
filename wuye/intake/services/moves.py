"""The moves of a lead's life (`workflow.LEAD_MOVES`), one service each: lock the lead, return quietly when it is
already there, check the move, write `update_fields` and the audit entry in the same transaction.

The ledger calls the case moves (`lead_open_case`, `lead_join_case`, `leads_follow_case`, `lead_split_off`) inside
its own transaction after it has locked its cases: cases before leads, each by primary key.
"""

from collections.abc import Sequence

from django.db import transaction
from django.db.models import Model

from wuye.audit.services import audit_record, audit_record_many
from wuye.common.dates import now
from wuye.common.errors import DomainError, InvalidTransition
from wuye.kernel.actors import Actor, requires_actor
from wuye.registry.models import Estate

from ..models import Lead, LeadStatus
from ..ports import CaseRef
from ._check import check_from, check_move, lock_lead


def _text(value: str, *, field: str, label: str, max_len: int) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(f"{label}不能为空", field=field)
    if len(value) > max_len:
        raise DomainError(f"{label}过长（最多 {max_len} 字）", field=field)
    return value


@requires_actor
@transaction.atomic
def lead_open_case(*, actor: Actor, lead: Lead, case: CaseRef, category: str) -> Lead:
    """The case opened from this lead (new → cased)."""
    check_move(actor, "open_case")
    lead = lock_lead(lead)
    if lead.case_id == case.pk:
        return lead
    if lead.status != LeadStatus.NEW:
        raise InvalidTransition(
            f"线索 {lead.tracking_code} 已处理（{lead.get_status_display()}），不能再立案", field="lead"
        )
    lead.case_id, lead.status, lead.category, lead.updated_at = case.pk, LeadStatus.CASED, category, now()
    lead.save(update_fields=["case", "status", "category", "updated_at"])
    audit_record(
        actor=actor,
        action="lead.case",
        obj=lead,
        before={"status": LeadStatus.NEW, "case": None},
        after={"status": lead.status, "case": case.number, "category": category},
    )
    return lead


@requires_actor
@transaction.atomic
def lead_join_case(*, actor: Actor, lead: Lead, case: CaseRef) -> bool:
    """One more report of the case's problem (new → merged). False when the lead is already on the case."""
    check_move(actor, "join_case")
    lead = lock_lead(lead)
    if lead.case_id == case.pk:
        return False
    if lead.status != LeadStatus.NEW:
        raise InvalidTransition(
            f"线索 {lead.tracking_code} 已处理（{lead.get_status_display()}），不能并入", field="lead"
        )
    if lead.estate_id != case.estate_id:
        raise DomainError("只能并入同一小区的事项", field="estate")
    lead.case_id, lead.status, lead.updated_at = case.pk, LeadStatus.MERGED, now()
    lead.category = lead.category or case.category
    lead.save(update_fields=["case", "status", "category", "updated_at"])
    audit_record(
        actor=actor,
        action="lead.merge",
        obj=lead,
        before={"status": LeadStatus.NEW},
        after={"status": lead.status, "case": case.number},
    )
    return True


@requires_actor
@transaction.atomic
def leads_follow_case(*, actor: Actor, source: CaseRef, target: CaseRef) -> list[Lead]:
    """Every lead of `source` follows it into `target` (the ledger merged the cases); returns them by pk."""
    check_move(actor, "follow_case")
    moved = list(Lead.objects.select_for_update().filter(case_id=source.pk).order_by("pk"))
    if not moved:
        return moved
    before = [{"status": lead.status, "case": source.number} for lead in moved]
    stamp = now()
    for lead in moved:
        check_from(lead, "follow_case")
        lead.case_id, lead.status, lead.updated_at = target.pk, LeadStatus.MERGED, stamp
    Lead.objects.bulk_update(moved, ["case", "status", "updated_at"])
    audit_record_many(
        actor=actor,
        action="lead.follow_case",
        objs=list[Model](moved),
        before=before,
        after=[{"status": LeadStatus.MERGED, "case": target.number}] * len(moved),
        reason=[f"事项 {source.number} 并入 {target.number}"] * len(moved),
    )
    return moved


@requires_actor
@transaction.atomic
def lead_split_off(*, actor: Actor, lead: Lead, case: CaseRef, reason: str) -> Lead:
    """Back to the triage queue from the case it was merged into (merged → new)."""
    check_move(actor, "split")
    reason = _text(reason, field="reason", label="拆分理由", max_len=1000)
    lead = lock_lead(lead)
    if lead.case_id is None:
        raise InvalidTransition(f"线索 {lead.tracking_code} 没有并入任何事项", field="lead")
    if lead.case_id != case.pk:
        raise InvalidTransition(
            f"线索 {lead.tracking_code} 已不在事项 {case.number} 中，请刷新页面", field="lead"
        )
    if lead.status != LeadStatus.MERGED:
        raise InvalidTransition(f"线索 {lead.tracking_code} 是该事项的立案来源，不能拆出", field="lead")
    lead.case_id, lead.status, lead.updated_at = None, LeadStatus.NEW, now()
    lead.save(update_fields=["case", "status", "updated_at"])
    audit_record(
        actor=actor,
        action="lead.split",
        obj=lead,
        before={"status": LeadStatus.MERGED, "case": case.number},
        after={"status": lead.status, "case": None},
        reason=reason,
    )
    return lead


@requires_actor
@transaction.atomic
def lead_reject(*, actor: Actor, lead: Lead, reason: str) -> Lead:
    """Not a property-service matter (new → rejected), with the reason the complainant will read."""
    check_move(actor, "reject")
    reason = _text(reason, field="reason", label="不予立案理由", max_len=1000)
    lead = lock_lead(lead)
    if not check_from(lead, "reject"):
        return lead
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
    return lead


@requires_actor
@transaction.atomic
def lead_transfer(*, actor: Actor, lead: Lead, department: str, reason: str) -> Lead:
    """转办 (new → transferred): the receiving body is named; the lead stays listed with department and reason."""
    check_move(actor, "transfer")
    department = _text(department, field="department", label="转办单位", max_len=100)
    reason = _text(reason, field="reason", label="转办理由", max_len=1000)
    lead = lock_lead(lead)
    if lead.status == LeadStatus.TRANSFERRED and lead.transfer_department == department:
        return lead
    if lead.status != LeadStatus.NEW:
        raise InvalidTransition(
            f"线索 {lead.tracking_code} 已处理（{lead.get_status_display()}），不能转办", field="lead"
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
    return lead


@requires_actor
@transaction.atomic
def lead_mark_urgent(*, actor: Actor, lead: Lead, urgent: bool) -> Lead:
    """Staff set or clear the urgent flag of a new lead; the triage queue's order follows it."""
    check_move(actor, "mark_urgent")
    lead = lock_lead(lead)
    if lead.status != LeadStatus.NEW:
        raise InvalidTransition(
            f"线索 {lead.tracking_code} 已被处理（{lead.get_status_display()}），请刷新分拣台", field="lead"
        )
    if lead.urgent == urgent:
        return lead
    before = {"urgent": lead.urgent}
    lead.urgent, lead.updated_at = urgent, now()
    lead.save(update_fields=["urgent", "updated_at"])
    audit_record(actor=actor, action="lead.urgent_set", obj=lead, before=before, after={"urgent": urgent})
    return lead


@requires_actor
@transaction.atomic
def leads_flag_urgent(
    *, actor: Actor, leads: Sequence[Lead], model_version: str, reasons: Sequence[str]
) -> list[Lead]:
    """The triage model's urgent mark on new leads not yet urgent (one UPDATE and one chained audit write for the
    batch). `reasons[i]` is the model's reason for `leads[i]`. Returns the leads it marked."""
    check_move(actor, "mark_urgent")
    why = {lead.pk: reason[:300] for lead, reason in zip(leads, reasons, strict=True)}
    flag = list(
        Lead.objects.select_for_update()
        .filter(pk__in=list(why), status=LeadStatus.NEW, urgent=False)
        .only("id", "urgent", "status")
        .order_by("pk")
    )
    if not flag:
        return flag
    stamp = now()
    Lead.objects.filter(pk__in=[lead.pk for lead in flag]).update(urgent=True, updated_at=stamp)
    for lead in flag:
        lead.urgent = True
    audit_record_many(
        actor=actor,
        action="lead.triage_urgent",
        objs=list[Model](flag),
        before=[{"urgent": False}] * len(flag),
        after=[{"urgent": True, "model": model_version}] * len(flag),
        reason=[why[lead.pk] for lead in flag],
    )
    return flag


@requires_actor
@transaction.atomic
def lead_estate_assign(*, actor: Actor, lead: Lead, estate: Estate) -> Lead:
    """Staff confirm or assign the estate of a lead whose address matched fuzzily or not at all."""
    check_move(actor, "assign_estate")
    lead = lock_lead(lead)
    if lead.estate_id == estate.pk and not lead.estate_needs_confirmation:
        return lead
    before = {"estate": lead.estate_id, "estate_needs_confirmation": lead.estate_needs_confirmation}
    lead.estate, lead.estate_needs_confirmation, lead.updated_at = estate, False, now()
    lead.save(update_fields=["estate", "estate_needs_confirmation", "updated_at"])
    audit_record(
        actor=actor,
        action="lead.estate_assign",
        obj=lead,
        before=before,
        after={"estate": estate.pk, "estate_needs_confirmation": False},
    )
    return lead
