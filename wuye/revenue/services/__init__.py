"""Writes of the revenue app. One transaction per operation, the rows locked, an audit entry in the same transaction.

Entries are append-only: there is no update or delete service. A correction (by the company) or an annulment (by
the task force) is a reversing entry that points at the entry it reverses; the balance is always a SUM.
"""

from .accounts import (
    account_open,
    account_set_status,
    business_link,
    business_record,
    resolution_record,
    usage_contract_record,
)
from .base import ACCOUNT_FIELDS, ANNUL_ROLES, ENTRY_FIELDS, MAX_VOUCHERS
from .disclosure import comment_add, disclosure_publish, objection_answer, objection_raise
from .fund import fund_collection_record, fund_deposit_record, fund_due_bill, fund_dues_generate
from .ledger import entry_add_vouchers, entry_create, entry_reverse

__all__ = [
    "ACCOUNT_FIELDS",
    "ANNUL_ROLES",
    "ENTRY_FIELDS",
    "MAX_VOUCHERS",
    "account_open",
    "account_set_status",
    "business_link",
    "business_record",
    "comment_add",
    "disclosure_publish",
    "entry_add_vouchers",
    "entry_create",
    "entry_reverse",
    "fund_collection_record",
    "fund_deposit_record",
    "fund_due_bill",
    "fund_dues_generate",
    "objection_answer",
    "objection_raise",
    "resolution_record",
    "usage_contract_record",
]
