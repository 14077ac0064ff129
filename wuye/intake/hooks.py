"""Apps that react to a new lead (triage suggestions, notifications) register here in AppConfig.ready().

Callbacks run after the lead's transaction commits, with the lead's id; a failing callback is logged and never
loses the lead.
"""

import logging
from collections.abc import Callable

logger = logging.getLogger("wuye.intake")

LeadCallback = Callable[[int], None]
_on_lead_created: list[LeadCallback] = []


def register_on_lead_created(callback: LeadCallback) -> None:
    if callback not in _on_lead_created:
        _on_lead_created.append(callback)


def run_on_lead_created(lead_id: int) -> None:
    for callback in list(_on_lead_created):
        try:
            callback(lead_id)
        except Exception:
            logger.exception("lead-created hook %r failed for lead %s", callback, lead_id)
