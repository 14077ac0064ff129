"""Test helpers of the triage app: leads through intake's service, cases through the ledger's when it exists."""

import datetime as dt
from typing import Any

from wuye.cases.models import Case, CaseStatus
from wuye.common.dates import now
from wuye.intake.models import Lead
from wuye.intake.services import lead_create
from wuye.kernel.actors import PublicActor


def make_lead(*, estate: Any, text: str, channel: str = "web", actor: Any = None, **extra: Any) -> Lead:
    """A lead as a resident sends it (the public through the website), or as `actor` enters it."""
    actor = actor or PublicActor("web")
    return lead_create(actor=actor, channel=channel, text=text, estate=estate, **extra).lead


def make_case(
    *,
    estate: Any,
    text: str,
    category: str = "1.1",
    status: str = CaseStatus.RECEIVED,
    created_at: dt.datetime | None = None,
    actor: Any = None,
) -> Case:
    """A case as the ledger would open it from a lead; falls back to a plain row while the ledger service is
    not yet there (parallel development)."""
    try:
        from wuye.cases.services import case_create_from_lead  # type: ignore[attr-defined]
    except ImportError:
        case_create_from_lead = None
    if case_create_from_lead is not None and created_at is None and status == CaseStatus.RECEIVED and actor:
        lead = make_lead(estate=estate, text=text, actor=actor)
        return case_create_from_lead(actor=actor, lead=lead, category=category)
    stamp = created_at or now()
    last = Case.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    return Case.objects.create(
        number=f"TS{stamp.year}{last + 1:05d}",
        year=stamp.year,
        seq=last + 1,
        estate=estate,
        category=category,
        description=text,
        status=status,
        created_at=stamp,
        updated_at=stamp,
    )
