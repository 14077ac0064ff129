"""移交: the handover record of an estate whose company is being dismissed (the assets module takes this later)."""

import datetime as dt

from django.db import transaction

from wuye.audit.services import audit_record
from wuye.common.dates import now, today
from wuye.kernel.actors import Actor, actor_user, requires_actor
from wuye.registry.models import Estate
from wuye.registry.selectors import contracts_in_force, estate_setting

from ..models import Case, HandoverRecord, HandoverStatus


@requires_actor
def handover_open(*, actor: Actor, estate: Estate, from_case: Case | None = None) -> HandoverRecord:
    """Open (or return the open) handover record of an estate. Runs inside the caller's transaction."""
    existing = (
        HandoverRecord.objects.select_for_update().filter(estate=estate, status=HandoverStatus.OPEN).first()
    )
    if existing is not None:
        return existing
    contract = contracts_in_force().filter(estate=estate).first()
    record = HandoverRecord.objects.create(
        estate=estate,
        contract=contract,
        opened_from_case=from_case,
        deadline=today() + dt.timedelta(days=int(estate_setting("HANDOVER_DAYS", estate))),
        created_by=actor_user(actor),
        created_at=now(),
    )
    audit_record(
        actor=actor,
        action="handover.open",
        obj=record,
        after={
            "estate": estate.pk,
            "contract": contract.pk if contract else None,
            "case": from_case.number if from_case else None,
            "deadline": record.deadline,
        },
    )
    return record


@requires_actor
@transaction.atomic
def handover_record_close(*, actor: Actor, record: HandoverRecord) -> bool:
    """The assets module completed the handover this record opened: the record is done (once)."""
    record = HandoverRecord.objects.select_for_update().get(pk=record.pk)
    if record.status != HandoverStatus.OPEN:
        return False
    record.status = HandoverStatus.DONE
    record.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="handover.record_done",
        obj=record,
        before={"status": "open"},
        after={"status": "done"},
    )
    return True
