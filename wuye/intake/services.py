"""Creating leads. Every channel ends in `lead_create`; automatic checks use `finding_open_or_update`."""

import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from wuye.audit.services import audit_record
from wuye.common.dates import now
from wuye.common.errors import DomainError
from wuye.registry.models import Estate

from .hooks import run_on_lead_created
from .models import Channel, Lead, LeadStatus

# No 0/O/1/I/L: residents read these codes aloud over the phone.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(10))


@dataclass(frozen=True)
class LeadResult:
    lead: Lead
    created: bool


def lead_create(
    *,
    actor: Any,
    channel: str,
    text: str,
    estate: Estate | None = None,
    source_ref: str = "",
    address: str = "",
    category_hint: str = "",
    complainant_name: str = "",
    complainant_phone: str = "",
    anonymous: bool = False,
    evidence: dict[str, Any] | None = None,
    due_date: Any = None,
    estate_needs_confirmation: bool = False,
    created_at: Any = None,
) -> LeadResult:
    """Create a lead, or return the existing one with the same `source_ref` (idempotent retries)."""
    if channel not in Channel.values:
        raise DomainError("渠道不正确", field="渠道")
    text = (text or "").strip()
    if not text:
        raise DomainError("请填写反映的问题", field="反映内容")
    if len(text) > 5000:
        raise DomainError("内容过长（最多 5000 字）", field="反映内容")
    if source_ref:
        existing = Lead.objects.filter(source_ref=source_ref).first()
        if existing is not None:
            return LeadResult(existing, False)
    if anonymous:
        complainant_name, complainant_phone = "", ""
    stamp = created_at or now()
    try:
        with transaction.atomic():
            lead = Lead.objects.create(
                tracking_code=new_tracking_code(),
                channel=channel,
                estate=estate,
                estate_needs_confirmation=estate_needs_confirmation,
                address=address.strip(),
                text=text,
                category_hint=category_hint,
                complainant_name=complainant_name.strip(),
                complainant_phone=complainant_phone.strip(),
                anonymous=anonymous,
                source_ref=source_ref,
                evidence=evidence or {},
                due_date=due_date,
                created_by=actor if getattr(actor, "pk", None) else None,
                created_at=stamp,
                updated_at=stamp,
            )
            transaction.on_commit(lambda: run_on_lead_created(lead.pk))
    except IntegrityError:
        if source_ref:
            existing = Lead.objects.filter(source_ref=source_ref).first()
            if existing is not None:
                return LeadResult(existing, False)
        raise
    return LeadResult(lead, True)


@transaction.atomic
def finding_open_or_update(
    *, key: str, estate: Estate, category: str, text: str, evidence: dict[str, Any]
) -> LeadResult:
    """An automatic check's finding: one lead per finding key, refreshed with the newest evidence.

    Running a check twice opens no second lead; a finding whose lead was closed stays closed (the check's key
    should include the period when a new period deserves a new lead).
    """
    existing = Lead.objects.select_for_update().filter(source_ref=key).first()
    if existing is not None:
        if existing.evidence != evidence or existing.text != text:
            before = {"text": existing.text, "evidence": existing.evidence}
            existing.text, existing.evidence, existing.updated_at = text, evidence, now()
            existing.save(update_fields=["text", "evidence", "updated_at"])
            audit_record(actor=None, action="lead.finding_update", obj=existing, before=before,
                         after={"text": text, "evidence": evidence})
        return LeadResult(existing, False)
    result = lead_create(actor=None, channel=Channel.CHECK, text=text, estate=estate, source_ref=key,
                        category_hint=category, evidence=evidence)
    lead = result.lead
    lead.category = category
    lead.save(update_fields=["category"])
    audit_record(actor=None, action="lead.finding_open", obj=lead, after={"key": key, "category": category})
    return result


def lead_is_open(lead: Lead) -> bool:
    return lead.status == LeadStatus.NEW
