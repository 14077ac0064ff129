"""Writes to the ledger, by concern. Every operation is one transaction, one timeline event and one audit entry;
every service takes a required `actor: Actor`.

- `base`: permission and input checks, the timeline event with its audit entry; `locks`: rows in one order
- `creation`: numbering, opening a case (directly or from a lead)
- `leads`: a lead joining, leaving or following a case (intake makes the lead's move)
- `transitions`: the state machine (`workflow.MOVES`), progress, notes, the overdue mark
- `tiers`: the time-limit tier (紧急/一般/复杂) and the company's 签收 (rule: `cases.timelimits`)
- `extensions`, `escalations`, `revisits`; `handover` (移交, for the assets module later)
- `operations`: the adapters the declared operations (`workflow.OPERATIONS`) call with form data
"""

from .base import check_files
from .creation import case_create, case_create_from_lead
from .escalations import case_action_record
from .extensions import extension_decide, extension_request
from .handover import handover_open, handover_record_close
from .leads import case_merge_into_case, lead_merge_into_case, lead_split_from_case
from .operations import case_merge_by_number, extension_decide_pending
from .revisits import revisit_candidates, revisit_record, revisit_sample_draw
from .tiers import case_set_tier, case_sign
from .transitions import (
    case_accept,
    case_mark_overdue,
    case_mark_unfounded,
    case_note_add,
    case_progress_update,
    case_reopen,
    case_reopen_not_fixed,
    case_return,
    case_start_rectification,
    case_submit,
    case_verify,
)

__all__ = [
    "case_accept",
    "case_action_record",
    "case_create",
    "case_create_from_lead",
    "case_mark_overdue",
    "case_mark_unfounded",
    "case_merge_by_number",
    "case_merge_into_case",
    "case_note_add",
    "case_progress_update",
    "case_reopen",
    "case_reopen_not_fixed",
    "case_return",
    "case_set_tier",
    "case_sign",
    "case_start_rectification",
    "case_submit",
    "case_verify",
    "check_files",
    "extension_decide",
    "extension_decide_pending",
    "extension_request",
    "handover_open",
    "handover_record_close",
    "lead_merge_into_case",
    "lead_split_from_case",
    "revisit_candidates",
    "revisit_record",
    "revisit_sample_draw",
]
