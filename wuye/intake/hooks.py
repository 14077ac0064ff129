"""Apps that react to a new lead (triage suggestions, notifications) register here in AppConfig.ready().

`wuye.intake.tasks.lead_created(lead_id)` is called inside the lead's own transaction and defers one job,
`intake.lead_created` (one per lead, inserted with it): with JOBS="procrastinate" the job row commits with the lead (a rolled-back
lead has no job, a committed one cannot lose it) and a worker runs the callbacks; with JOBS="inline" they run in
this process after the commit. Each callback runs in its own savepoint: one failing rolls back only its own writes,
the others' stay, and the job fails so that procrastinate retries it with back-off. Callbacks must therefore be
safe to run twice (triage's suggestion is one per lead).
"""

import logging
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger("wuye.intake")

LeadCallback = Callable[[int], None]
_on_lead_created: list[LeadCallback] = []


class LeadHooksFailed(Exception):
    """Some callbacks failed for a lead; the job is retried (the others' writes are kept)."""


def register_on_lead_created(callback: LeadCallback) -> None:
    """`callback(lead_id)` runs, in a job, for every new lead."""
    if callback not in _on_lead_created:
        _on_lead_created.append(callback)


def registered() -> bool:
    return bool(_on_lead_created)


def run_callbacks(lead_id: int) -> None:
    """The job's body: every callback in its own savepoint; raise at the end if any failed (retry)."""
    failed = []
    for callback in list(_on_lead_created):
        try:
            with transaction.atomic():
                callback(lead_id)
        except Exception:
            logger.exception("lead-created hook %r failed for lead %s", callback, lead_id)
            failed.append(getattr(callback, "__qualname__", repr(callback)))
    if failed:
        raise LeadHooksFailed(f"lead {lead_id}: {', '.join(failed)}")
