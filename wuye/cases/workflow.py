"""The one state machine of a case (§4), as data: each move names where it may start, where it ends, who may make it.

    received → verifying → unfounded (closed with a reason)
                         → rectifying → submitted → accepted (销号)
                                                  → returned → submitted …
    accepted → rectifying (reopened: failed 回头看 or "not fixed"); unfounded → verifying (reopened)
    any open state → merged (closed into another case of the same estate)

`overdue` is not a state: it is derived from the deadline while the case is in DEADLINE_STATES.
"""

from dataclasses import dataclass

from wuye.accounts.models import Role

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
# Escalations are recorded once the bureau has looked at the case, and stay possible after 销号 (a late penalty).
ACTION_STATES = frozenset({S.VERIFYING, S.RECTIFYING, S.SUBMITTED, S.RETURNED, S.ACCEPTED})
EXTENSION_STATES = frozenset({S.RECTIFYING, S.RETURNED})
PROGRESS_STATES = frozenset({S.RECTIFYING, S.RETURNED, S.SUBMITTED})


def allowed_moves(status: str, role: str) -> list[Move]:
    """The moves a role could make from a status (the buttons a page shows)."""
    return [m for m in MOVES.values() if status in m.moves and role in m.roles]
