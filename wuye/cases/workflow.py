"""The one state machine of a case (§4), as data: each move names where it may start, where it ends, who may make it.

    received → verifying → unfounded (closed with a reason)
                         → rectifying → submitted → accepted (销号)
                                                  → returned → submitted …
    accepted → rectifying (reopened: failed 回头看, or the complainant's "not fixed"); unfounded → verifying
    any open state → merged (closed into another case of the same estate)

`overdue` is not a state: it is derived from the deadline while the case is in DEADLINE_STATES.

`OPERATIONS` declares, once, every operation a user makes on one case (the moves and the rest): its label, form,
service, roles and the states where it applies. The pages (`views.case_act`), the API (`api.CaseTransitionApi`) and
the buttons a user sees (`selectors.allowed_operations`) are derived from it; the services enforce the same roles.
"""

from dataclasses import dataclass, field
from typing import Any

from wuye.accounts.models import Role
from wuye.kernel.actors import PUBLIC_ROLE, SYSTEM_ROLE

from .models import OPEN_STATES, CaseStatus

BUREAU = frozenset({Role.BUREAU_ADMIN, Role.TASK_FORCE})
COMPANY = frozenset({Role.COMPANY_STAFF})

S = CaseStatus


@dataclass(frozen=True)
class Move:
    name: str
    label: str
    moves: dict[str, str]  # from status → to status
    roles: frozenset[str]

    @property
    def targets(self) -> frozenset[str]:
        return frozenset(self.moves.values())


MOVES: dict[str, Move] = {
    m.name: m
    for m in (
        Move("verify", "开始核查", {S.RECEIVED: S.VERIFYING}, BUREAU),
        Move("mark_unfounded", "核查不属实", {S.VERIFYING: S.UNFOUNDED}, BUREAU),
        Move("start_rectification", "下达整改", {S.VERIFYING: S.RECTIFYING}, BUREAU),
        Move("submit", "提交整改材料", {S.RECTIFYING: S.SUBMITTED, S.RETURNED: S.SUBMITTED}, COMPANY),
        Move("accept", "验收销号", {S.SUBMITTED: S.ACCEPTED}, BUREAU),
        Move("return", "退回整改", {S.SUBMITTED: S.RETURNED}, BUREAU),
        Move("reopen", "重新整改", {S.ACCEPTED: S.RECTIFYING, S.UNFOUNDED: S.VERIFYING}, BUREAU),
        Move("merge", "并入其他事项", {s: S.MERGED for s in OPEN_STATES}, BUREAU),
    )
}

# Non-transition operations and who may do them.
EXTENSION_REQUEST_ROLES = COMPANY
EXTENSION_DECIDE_ROLES = BUREAU
PROGRESS_ROLES = COMPANY | BUREAU
ACTION_ROLES = BUREAU
CREATE_ROLES = BUREAU
# A resident joins an open case from the QR form ("我也遇到这个问题"); the scheduler marks overdue cases.
LEAD_JOIN_ROLES = BUREAU | {PUBLIC_ROLE}
# The complainant's "问题没有解决" on their tracking page makes the "reopen" move itself (case_reopen_not_fixed):
# no report waits in a queue for someone to notice it; the task force sees it on the case page and can still
# close the case again after a new check (unfounded → verifying → …, accepted → rectifying → submitted → …).
NOT_FIXED_REOPEN_ROLES = frozenset({PUBLIC_ROLE})
OVERDUE_ROLES = frozenset({SYSTEM_ROLE})
REVISIT_DRAW_ROLES = BUREAU | {SYSTEM_ROLE}
# 签收: the company acknowledges a new case of its own; the task force sets the time-limit tier (紧急/一般/复杂)
SIGN_ROLES = COMPANY
TIER_ROLES = BUREAU
# Escalations are recorded once the bureau has looked at the case, and stay possible after 销号 (a late penalty).
ACTION_STATES = frozenset({S.VERIFYING, S.RECTIFYING, S.SUBMITTED, S.RETURNED, S.ACCEPTED})
EXTENSION_STATES = frozenset({S.RECTIFYING, S.RETURNED})
PROGRESS_STATES = frozenset({S.RECTIFYING, S.RETURNED, S.SUBMITTED})


def submit_roles(company_id: int | None) -> frozenset[str]:
    """An estate with no company under contract (自管): the task force files the evidence itself."""
    return BUREAU if company_id is None else MOVES["submit"].roles


@dataclass(frozen=True)
class Operation:
    """One operation on a case, as the page, the API and the button list see it."""

    name: str  # in the URL /cases/<number>/<name>/
    label: str  # the page title
    done: str  # the message after success
    form: str  # the form class in `cases.forms`
    service: str  # the service in `cases.services`, called with actor=, case= and the form's cleaned data
    roles: frozenset[str]
    states: frozenset[str] | None  # None: in any state
    button: str = ""  # the button's text, when not the label
    style: str = "secondary"  # the button's look: "" (primary), "secondary", "danger"
    listed: bool = True  # a button on the case page (extension_decide is offered beside the pending request)
    # API action name → form values it fixes; form field → API field where the names differ
    api: dict[str, dict[str, Any]] = field(default_factory=dict)
    api_fields: dict[str, str] = field(default_factory=dict)
    self_managed_roles: frozenset[str] | None = None  # the roles instead, for a case with no company

    def roles_for(self, company_id: int | None) -> frozenset[str]:
        if company_id is None and self.self_managed_roles is not None:
            return self.self_managed_roles
        return self.roles

    def applies(self, status: str, role: str, company_id: int | None) -> bool:
        return (self.states is None or status in self.states) and role in self.roles_for(company_id)


def _move_op(name: str, label: str, done: str, form: str, service: str, **kw: Any) -> Operation:
    move = MOVES[name]
    return Operation(name, label, done, form, service, move.roles, frozenset(move.moves), **kw)


OPERATIONS: dict[str, Operation] = {
    op.name: op
    for op in (
        _move_op(
            "verify",
            "开始核查",
            "已开始核查。",
            "VerifyForm",
            "case_verify",
            style="",
            api={"verify": {}},
            api_fields={"note": "reason"},
        ),
        _move_op(
            "mark_unfounded",
            "核查不属实，办结",
            "已按不属实办结。",
            "UnfoundedForm",
            "case_mark_unfounded",
            api={"mark_unfounded": {}},
        ),
        _move_op(
            "start_rectification",
            "核查属实，下达整改",
            "已下达整改。",
            "PlanForm",
            "case_start_rectification",
            style="",
            api={"start_rectification": {}},
        ),
        _move_op(
            "submit",
            "提交整改材料",
            "已提交整改材料，等待验收。",
            "SubmitForm",
            "case_submit",
            style="",
            api={"submit": {}},
            self_managed_roles=BUREAU,
        ),
        _move_op(
            "accept",
            "验收销号",
            "已验收销号。",
            "AcceptForm",
            "case_accept",
            style="",
            api={"accept": {}},
            api_fields={"note": "reason"},
        ),
        _move_op(
            "return",
            "退回整改",
            "已退回整改。",
            "ReturnForm",
            "case_return",
            style="danger",
            api={"return": {}},
        ),
        _move_op(
            "reopen",
            "重新整改",
            "已重新打开。",
            "ReopenForm",
            "case_reopen",
            style="danger",
            api={"reopen": {}},
        ),
        Operation(
            "extension",
            "申请延期",
            "已提交延期申请。",
            "ExtensionRequestForm",
            "extension_request",
            EXTENSION_REQUEST_ROLES,
            EXTENSION_STATES,
            api={"extension_request": {}},
            api_fields={"requested_deadline": "deadline"},
        ),
        Operation(
            "progress",
            "报告整改进展",
            "已报告进展。",
            "ProgressForm",
            "case_progress_update",
            PROGRESS_ROLES,
            PROGRESS_STATES,
            button="报告进展",
            api={"progress": {}},
        ),
        Operation(
            "action",
            "登记督办措施",
            "已登记督办措施。",
            "ActionForm",
            "case_action_record",
            ACTION_ROLES,
            ACTION_STATES,
            api={"escalate": {}},
            api_fields={"note": "reason"},
        ),
        _move_op(
            "merge",
            "并入其他事项",
            "已并入。",
            "MergeForm",
            "case_merge_by_number",
            api={"merge": {}},
        ),
        Operation(
            "sign",
            "签收事项",
            "已签收。",
            "SignForm",
            "case_sign",
            SIGN_ROLES,
            frozenset(OPEN_STATES),
            button="签收",
            style="",
            api={"sign": {}},
            api_fields={"note": "reason"},
        ),
        Operation(
            "tier",
            "设定紧急程度",
            "已设定紧急程度。",
            "TierForm",
            "case_set_tier",
            TIER_ROLES,
            frozenset(OPEN_STATES),
            button="紧急程度",
            api={"set_tier": {}},
        ),
        Operation(
            "note",
            "内部备注",
            "已添加备注。",
            "NoteForm",
            "case_note_add",
            BUREAU,
            None,
            api={"note": {}},
            api_fields={"text": "reason"},
        ),
        Operation(
            "extension_decide",
            "审批延期申请",
            "已审批延期申请。",
            "ExtensionDecideForm",
            "extension_decide_pending",
            EXTENSION_DECIDE_ROLES,
            None,
            listed=False,
            api={"extension_approve": {"decision": "approve"}, "extension_refuse": {"decision": "refuse"}},
            api_fields={"granted_deadline": "deadline"},
        ),
    )
}
# the API's action names, each with its operation
API_ACTIONS: dict[str, Operation] = {name: op for op in OPERATIONS.values() for name in op.api}


def operations_for(status: str, role: str, company_id: int | None) -> list[Operation]:
    """The operations a role could make on a case in this status (whose company is `company_id`)."""
    return [op for op in OPERATIONS.values() if op.applies(status, role, company_id)]
