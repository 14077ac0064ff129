"""Who hears of a case's steps (issue #13, item 4), through `wuye.notify.services.notify`.

- The complainants who left a phone (not anonymous): when the case is verified (整改下达), rectified (整改材料提交),
  returned and accepted (销号), with their tracking link /track/<code>/. One SMS per phone per step.
- The company's staff (in-app, and SMS to their phone): on a new case (with the 签收 limit), 3 days before the
  deadline and when overdue (the `tick` tasks in `cases.tick`), when the case is returned, and when a closed case
  is reopened for rectification (a failed 回头看, or a complainant's "not fixed": the timeline's words, never the
  resident's).

Each message has a stable key per event (a timeline entry's id, or the case and its deadline for the time-based
ones); `notify` records one row per key, channel and recipient, so a retried job or a second tick sends nothing.
A message that cannot be recorded is logged and never stops the step that caused it.
"""

import logging
from typing import Any

from django.db import transaction

from wuye.accounts.models import Role, User
from wuye.common.dates import cn_date
from wuye.common.display import cn_datetime
from wuye.intake.models import Lead
from wuye.kernel.actors import Actor
from wuye.notify.services import notify
from wuye.registry.selectors import company_serves_estate

from . import timelimits
from .models import Case, CaseEvent

logger = logging.getLogger("wuye.cases")

# the timeline entry's kind → the message to the complainants
COMPLAINANT_EVENTS = {
    "rectify": "case_verified",
    "submit": "case_rectified",
    "return": "case_returned",
    "accept": "case_accepted",
}


def _notify(**kwargs: Any) -> None:
    try:
        with transaction.atomic():  # a savepoint: a failure here leaves the case's step intact
            notify(**kwargs)
    except Exception as exc:  # noqa: BLE001 — a message must never undo the step it reports
        logger.warning("notification not recorded", extra={"key": kwargs.get("key"), "error": str(exc)[:200]})


def tell_complainants(*, actor: Actor, case: Case, event: CaseEvent) -> None:
    """The complainants of the case who left a phone hear of this step, each once, with their tracking link."""
    template = COMPLAINANT_EVENTS.get(event.kind)
    if template is None:
        return
    seen: set[str] = set()
    leads = Lead.objects.filter(case=case, anonymous=False).exclude(complainant_phone="").order_by("pk")
    for lead in leads:
        phone = lead.complainant_phone.strip()
        if not phone or phone in seen:
            continue
        seen.add(phone)
        _notify(
            actor=actor,
            key=f"case_event:{event.pk}:complainant",
            event=template,
            context={"code": lead.tracking_code, "number": case.number},
            phone=phone,
            link=f"/track/{lead.tracking_code}/",
            urgent=case.urgent,
        )


def company_users(case: Case) -> list[User]:
    """The company's active staff, while the company still serves the estate (else they cannot open the case)."""
    if case.company_id is None or not company_serves_estate(case.company_id, case.estate_id):
        return []
    return list(
        User.objects.filter(role=Role.COMPANY_STAFF, company_id=case.company_id, is_active=True).order_by(
            "pk"
        )
    )


def _context(case: Case, **extra: str) -> dict[str, str]:
    deadline = cn_datetime(case.due_at) if case.due_at else cn_date(case.deadline)
    return {
        "estate": case.estate.name,
        "title": case.title or case.description[:30],
        "number": case.number,
        "deadline": deadline,
        **extra,
    }


def tell_company(
    *, actor: Actor, case: Case, key: str, event: str, skip: frozenset[str] = frozenset(), **extra: str
) -> int:
    """Each active staff member of the case's company; `skip`: keys already recorded (a tick's bulk check)."""
    told = 0
    for user in company_users(case):
        if f"{key}:user:{user.pk}" in skip:
            continue
        told += 1
        _notify(
            actor=actor,
            key=f"{key}:user:{user.pk}",
            event=event,
            context=_context(case, **extra),
            user=user,
            link=f"/cases/{case.number}/",
            urgent=case.urgent,
        )
    return told


def tell_company_new_case(*, actor: Actor, case: Case) -> None:
    due = timelimits.sign_due(
        created_at=case.created_at, urgent=case.urgent, county=timelimits.county_of(case)
    )
    tell_company(
        actor=actor,
        case=case,
        key=f"case:{case.pk}:new",
        event="company_case_new",
        sign_by=cn_datetime(due),
        # the deadline is set when the rectification is ordered: the new case carries the tier's limit
        deadline=f"核查属实后 {timelimits.handle_limit_words(case.tier, timelimits.county_of(case))}内（{case.tier_label}事项）",
    )
