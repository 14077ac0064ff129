"""回访: the complainant rates the handling after closure, or says the problem is not fixed."""

from typing import Any

from django.db import transaction

from wuye.audit.services import audit_record
from wuye.common.dates import now
from wuye.common.errors import DomainError
from wuye.kernel.actors import Actor, requires_actor

from ..models import Lead, LeadFeedback
from ..ports import case_side
from ..selectors import effective_case, lead_is_closed
from .creation import lead_create


def _lock(lead: Lead) -> tuple[Lead, LeadFeedback | None, LeadFeedback | None]:
    """The lead locked (one complainant's answers are serialised), with its latest answer and latest "not fixed"."""
    # the case is read after the lock, not joined to it: a row joined to a SELECT … FOR UPDATE that waited comes
    # from the old snapshot (PostgreSQL re-reads only the locked row), and would still say "accepted"
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    answers = LeadFeedback.objects.filter(lead=locked).order_by("-created_at", "-id")
    return locked, answers.first(), answers.filter(not_fixed=True).first()


@requires_actor
@transaction.atomic
def feedback_rate(*, actor: Actor, lead: Lead, rating: Any, comment: str = "") -> LeadFeedback:
    """回访满意度 1–5 with a comment, after closure: once per closure (again after a reopened case is closed)."""
    try:
        value = int(str(rating).strip())
    except (TypeError, ValueError):
        raise DomainError("满意度请选择 1 到 5 分", field="rating") from None
    if not 1 <= value <= 5:
        raise DomainError("满意度请选择 1 到 5 分", field="rating")
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise DomainError("评价过长（最多 1000 字）", field="comment")
    lead, _, last_not_fixed = _lock(lead)
    if not lead_is_closed(lead):
        raise DomainError("问题办结后才能评价满意度", field="rating")
    rated = LeadFeedback.objects.filter(lead=lead, rating__isnull=False)
    if last_not_fixed is not None:
        rated = rated.filter(created_at__gt=last_not_fixed.created_at)
    if rated.exists():
        raise DomainError("您已评价过满意度，感谢您的反馈", field="rating")
    stamp = now()
    fb = LeadFeedback.objects.create(
        lead=lead, rating=value, comment=comment, created_at=stamp, updated_at=stamp
    )
    audit_record(
        actor=actor,
        action="lead.feedback_rate",
        obj=fb,
        after={"lead": lead.tracking_code, "rating": value, "comment": comment},
    )
    return fb


@requires_actor
@transaction.atomic
def feedback_not_fixed(*, actor: Actor, lead: Lead, comment: str = "") -> LeadFeedback:
    """ "问题没有解决": the same case is reopened (the ledger's `reopen` move, through the port), the complainant
    keeps their tracking code and reads "已重新办理"; their words stay with their answer (staff see them on the case
    page). A lead with no case (rejected or transferred) opens a linked follow-up lead for the task force."""
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise DomainError("说明过长（最多 1000 字）", field="comment")
    lead, latest, _ = _lock(lead)
    if latest is not None and latest.not_fixed and (latest.followup_lead_id or not lead_is_closed(lead)):
        return latest  # a repeated click: the case (or the follow-up lead) is already being handled again
    if not lead_is_closed(lead):
        raise DomainError("问题还在办理中，办结后才能反映“没有解决”", field="comment")
    stamp = now()
    case = effective_case(lead)
    after: dict[str, Any] = {"lead": lead.tracking_code, "comment": comment}
    fb = LeadFeedback(lead=lead, not_fixed=True, comment=comment, created_at=stamp, updated_at=stamp)
    if case is not None:
        fb.reopened = case_side().reopen_not_fixed(actor, case, lead.tracking_code, comment)
        after.update(case=case.number, reopened=fb.reopened)
    else:
        fb.followup_lead = _followup_lead(actor=actor, lead=lead, comment=comment)
        after["followup"] = fb.followup_lead.tracking_code
    fb.save()
    audit_record(actor=actor, action="lead.not_fixed", obj=fb, after=after)
    return fb


@requires_actor
def _followup_lead(*, actor: Actor, lead: Lead, comment: str) -> Lead:
    text = (
        f"群众反映问题没有解决（线索 {lead.tracking_code} 已办结）。"
        + (f"群众说明：{comment}" if comment else "")
        + f"\n原反映内容：{lead.text[:500]}"
    )
    return lead_create(
        actor=actor,
        channel=lead.channel,
        text=text,
        estate=lead.estate,
        source_ref=f"reopen:{lead.tracking_code}:{LeadFeedback.objects.filter(lead=lead).count()}",
        category_hint=lead.category or lead.category_hint,
        complainant_name=lead.complainant_name,
        complainant_phone=lead.complainant_phone,
        anonymous=lead.anonymous,
        evidence={"reopen_of_lead": lead.tracking_code},
    ).lead
