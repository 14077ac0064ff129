"""The two declared operations (`workflow.OPERATIONS`) whose form names something other than the case itself:
the target case by its number, the pending extension request."""

import datetime as dt

from django.db import transaction

from wuye.common.errors import DomainError
from wuye.kernel.actors import Actor, requires_actor

from .. import workflow
from ..models import Case, CaseExtension
from ..selectors import cases_visible_to, pending_extension
from .base import check_role
from .extensions import extension_decide
from .leads import case_merge_into_case


@requires_actor
@transaction.atomic
def case_merge_by_number(*, actor: Actor, case: Case, target: str, reason: str = "") -> Case:
    """Merge the case into the case the actor can see with this number."""
    check_role(actor, None, workflow.MOVES["merge"].roles, "合并事项")
    found = cases_visible_to(actor).filter(number=(target or "").strip().upper()).first()
    if found is None:
        raise DomainError("没有找到该编号的事项，请核对并入事项编号", field="target")
    return case_merge_into_case(actor=actor, case=case, target=found, reason=reason)


@requires_actor
@transaction.atomic
def extension_decide_pending(
    *,
    actor: Actor,
    case: Case,
    decision: str,
    reason: str = "",
    granted_deadline: dt.date | None = None,
) -> CaseExtension:
    """Approve (`decision="approve"`) or refuse the case's pending extension request."""
    check_role(actor, None, workflow.EXTENSION_DECIDE_ROLES, "审批延期")
    ext = pending_extension(case)
    if ext is None:
        raise DomainError("没有待审批的延期申请", field="decision")
    return extension_decide(
        actor=actor,
        extension=ext,
        approve=decision == "approve",
        reason=reason,
        granted_deadline=granted_deadline,
    )
