"""回访: the complainant rates the handling after closure, or says the problem is not fixed."""

from typing import Any

from django.db import transaction

from wuye.audit.services import audit_record
from wuye.common.dates import now
from wuye.common.errors import DomainError
from wuye.kernel.actors import Actor, requires_actor

from ..models import Lead, LeadFeedback
from ..selectors import effective_case, lead_is_closed
from .creation import lead_create


def _feedback_for_update(lead: Lead) -> tuple[Lead, LeadFeedback | None]:
    locked = Lead.objects.select_for_update(of=("self",)).select_related("case").get(pk=lead.pk)
    return locked, LeadFeedback.objects.filter(lead=locked).first()


@requires_actor
@transaction.atomic
def feedback_rate(*, actor: Actor, lead: Lead, rating: Any, comment: str = "") -> LeadFeedback:
    """回访满意度 1–5 with a comment, once per lead, after closure."""
    try:
        value = int(str(rating).strip())
    except (TypeError, ValueError):
        raise DomainError("满意度请选择 1 到 5 分", field="rating") from None
    if not 1 <= value <= 5:
        raise DomainError("满意度请选择 1 到 5 分", field="rating")
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise DomainError("评价过长（最多 1000 字）", field="comment")
    lead, fb = _feedback_for_update(lead)
    if not lead_is_closed(lead):
        raise DomainError("问题办结后才能评价满意度", field="rating")
    if fb is not None and fb.rating is not None:
        raise DomainError("您已评价过满意度，感谢您的反馈", field="rating")
    stamp = now()
    if fb is None:
        fb = LeadFeedback.objects.create(
            lead=lead, rating=value, comment=comment, created_at=stamp, updated_at=stamp
        )
    else:
        fb.rating, fb.updated_at = value, stamp
        fb.comment = "\n".join(x for x in (fb.comment, comment) if x)
        fb.save(update_fields=["rating", "comment", "updated_at"])
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
    """ "问题没有解决": a new lead for the task force, linked to the closed case; the case itself is not reopened
    here (the task force decides, via case_reopen)."""
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise DomainError("说明过长（最多 1000 字）", field="comment")
    lead, fb = _feedback_for_update(lead)
    if not lead_is_closed(lead):
        raise DomainError("问题还在办理中，办结后才能反映“没有解决”", field="comment")
    if fb is not None and fb.not_fixed:
        return fb
    evidence: dict[str, Any] = {"reopen_of_lead": lead.tracking_code}
    case = effective_case(lead)
    if case is not None:
        evidence["reopen_of"] = case.number
    subject = f"台账事项 {case.number}" if case is not None else f"线索 {lead.tracking_code}"
    text = (
        f"群众反映问题没有解决（{subject} 已办结）。"
        + (f"群众说明：{comment}" if comment else "")
        + f"\n原反映内容：{lead.text[:500]}"
    )
    followup = lead_create(
        actor=actor,
        channel=lead.channel,
        text=text,
        estate=lead.estate,
        source_ref=f"reopen:{lead.tracking_code}",
        category_hint=lead.category or lead.category_hint,
        complainant_name=lead.complainant_name,
        complainant_phone=lead.complainant_phone,
        anonymous=lead.anonymous,
        evidence=evidence,
    ).lead
    stamp = now()
    if fb is None:
        fb = LeadFeedback.objects.create(
            lead=lead,
            not_fixed=True,
            comment=comment,
            followup_lead=followup,
            created_at=stamp,
            updated_at=stamp,
        )
    else:
        fb.not_fixed, fb.followup_lead, fb.updated_at = True, followup, stamp
        fb.comment = "\n".join(x for x in (fb.comment, comment) if x)
        fb.save(update_fields=["not_fixed", "followup_lead", "comment", "updated_at"])
    audit_record(
        actor=actor,
        action="lead.not_fixed",
        obj=fb,
        after={"lead": lead.tracking_code, "followup": followup.tracking_code, **evidence},
    )
    return fb
