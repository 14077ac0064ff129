"""The statuses of a case (§4) and their named sets: vocabulary that intake, revenue and others read without
importing the ledger. The transitions between them are `wuye.cases.workflow`."""

from django.db import models


class CaseStatus(models.TextChoices):
    RECEIVED = "received", "已受理"
    VERIFYING = "verifying", "核查中"
    UNFOUNDED = "unfounded", "不属实（已办结）"
    RECTIFYING = "rectifying", "整改中"
    SUBMITTED = "submitted", "待验收"
    RETURNED = "returned", "退回整改"
    ACCEPTED = "accepted", "已销号"
    MERGED = "merged", "已并入其他事项"


OPEN_STATES = frozenset(
    {
        CaseStatus.RECEIVED,
        CaseStatus.VERIFYING,
        CaseStatus.RECTIFYING,
        CaseStatus.SUBMITTED,
        CaseStatus.RETURNED,
    }
)
CLOSED_STATES = frozenset({CaseStatus.UNFOUNDED, CaseStatus.ACCEPTED, CaseStatus.MERGED})
# States in which the deadline runs and the case can become overdue.
DEADLINE_STATES = frozenset({CaseStatus.RECTIFYING, CaseStatus.RETURNED})
