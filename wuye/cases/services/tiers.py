"""A case's time-limit tier (紧急 / 一般 / 复杂) and the company's 签收 (wuye.cases.timelimits holds the rule)."""

from django.db import transaction

from wuye.common.dates import cn_date, now
from wuye.common.errors import DomainError, InvalidTransition
from wuye.kernel.actors import Actor, actor_user, requires_actor

from .. import timelimits, workflow
from ..models import OPEN_STATES, TIER_LABELS, Case
from .base import check_role, clean_text, record_event, save, snap
from .locks import lock_case


@requires_actor
@transaction.atomic
def case_sign(*, actor: Actor, case: Case, note: str = "") -> Case:
    """The company signs for (签收) a case of its own: once; a second click changes nothing."""
    check_role(actor, None, workflow.SIGN_ROLES, "签收事项")
    note = clean_text(note, field="note", label="说明", required=False, max_len=1000)
    case = lock_case(case)
    check_role(actor, case, workflow.SIGN_ROLES, "签收事项")
    if case.signed_at is not None:
        return case
    if case.status not in OPEN_STATES:
        raise InvalidTransition(f"事项 {case.number} 已办结，无需签收", field="status")
    before = snap(case) | {"signed_at": None}
    stamp = now()
    due = timelimits.sign_due(
        created_at=case.created_at, urgent=case.urgent, county=timelimits.county_of(case)
    )
    case.signed_at, case.signed_by = stamp, actor_user(actor)
    save(case, "signed_at", "signed_by")
    late = stamp > due
    record_event(
        case=case,
        actor=actor,
        kind="sign",
        title="物业企业签收" + ("（超时）" if late else ""),
        text=note,
        before=before,
        data={"signed_at": stamp.isoformat(), "sign_due": due.isoformat(), "late": late},
    )
    return case


@requires_actor
@transaction.atomic
def case_set_tier(*, actor: Actor, case: Case, tier: str, reason: str) -> Case:
    """The task force marks a case urgent, complex or ordinary. An open rectification whose deadline came from
    the tier keeps its date; a new urgent tier sets the hour only when no deadline is set yet (the plan does)."""
    check_role(actor, None, workflow.TIER_ROLES, "设定事项紧急程度")
    if tier not in timelimits.TIERS:
        raise DomainError("请选择紧急、一般或复杂", field="tier")
    reason = clean_text(reason, field="reason", label="理由", max_len=1000)
    case = lock_case(case)
    if case.status not in OPEN_STATES:
        raise InvalidTransition(f"事项 {case.number} 已办结，不能再设定紧急程度", field="status")
    if case.tier == tier:
        return case
    before = snap(case) | {"tier": case.tier}
    old = case.tier_label
    case.urgent, case.complex = tier == "urgent", tier == "complex"
    fields = ["urgent", "complex"]
    if tier != "urgent" and case.due_at is not None:
        case.due_at = None  # the deadline day stands, to its end
        fields.append("due_at")
    save(case, *fields)
    record_event(
        case=case,
        actor=actor,
        kind="tier",
        title=f"办理时限类别：{old} → {TIER_LABELS[tier]}",
        text=f"理由：{reason}"
        + (
            f"\n完成时限 {cn_date(case.deadline)}"
            if case.deadline
            else f"\n办理时限 {timelimits.handle_limit_words(tier, timelimits.county_of(case))}"
        ),
        before=before,
        data={"tier": tier, "old_tier": before["tier"]},
        reason=reason,
    )
    return case


@requires_actor
def carry_urgency(*, actor: Actor, case: Case, lead_code: str) -> None:
    """An urgent lead opens or joins the (locked) case: the case becomes urgent, noted on its timeline."""
    if case.urgent:
        return
    before = snap(case) | {"tier": case.tier}
    case.urgent, case.complex = True, False
    save(case, "urgent", "complex")
    record_event(
        case=case,
        actor=actor,
        kind="tier",
        title="标记为紧急事项",
        text=f"反映 {lead_code} 为紧急问题，本事项按紧急事项办理"
        f"（{timelimits.sign_hours(True)} 小时内签收，{timelimits.handle_limit_words('urgent')}内办结）。",
        before=before,
        data={"tier": "urgent", "old_tier": before["tier"], "lead": lead_code},
    )
