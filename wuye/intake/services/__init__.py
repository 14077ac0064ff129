"""Writes of intake, the one owner of a lead's life: creation by every channel, the moves of `workflow.LEAD_MOVES`,
回访, inspections and questionnaires. Every service takes a required `actor: Actor`."""

from .creation import (
    DESK_CHANNELS,
    IDEM_RE,
    LeadResult,
    clean_category_hint,
    clean_contact,
    desk_create,
    finding_open_or_update,
    lead_attach,
    lead_create,
    new_tracking_code,
    qr_join_case,
    qr_submit,
)
from .feedback import feedback_not_fixed, feedback_rate
from .field import INSPECTION_RESULTS, inspection_submit, questionnaire_submit
from .moves import (
    lead_estate_assign,
    lead_join_case,
    lead_mark_urgent,
    lead_open_case,
    lead_reject,
    lead_split_off,
    lead_transfer,
    leads_flag_urgent,
    leads_follow_case,
)

__all__ = [
    "DESK_CHANNELS",
    "IDEM_RE",
    "INSPECTION_RESULTS",
    "LeadResult",
    "clean_category_hint",
    "clean_contact",
    "desk_create",
    "feedback_not_fixed",
    "feedback_rate",
    "finding_open_or_update",
    "inspection_submit",
    "lead_attach",
    "lead_create",
    "lead_estate_assign",
    "lead_join_case",
    "lead_mark_urgent",
    "lead_open_case",
    "lead_reject",
    "lead_split_off",
    "lead_transfer",
    "leads_flag_urgent",
    "leads_follow_case",
    "new_tracking_code",
    "qr_join_case",
    "qr_submit",
    "questionnaire_submit",
]
