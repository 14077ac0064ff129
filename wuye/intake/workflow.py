"""The life of a lead, as data: each move names where it may start, where it ends and who may make it.

    new → cased        (a case was opened from it)
    new → merged       (joined an open case: one more report of the same problem)
    cased/merged → merged   (its case was merged into another case: it follows)
    merged → new       (split off its case, back to the triage queue)
    new → rejected     (not a property-service matter)
    new → transferred  (转办 to the department named)

Moves that change no status (mark urgent, confirm the estate, refresh an automatic finding) are declared too, so
every write to a lead has its roles in one place. Only `wuye.intake.services` writes a lead; the ledger and triage
call it.
"""

from dataclasses import dataclass

from wuye.accounts.models import BUREAU_ROLES
from wuye.kernel.actors import PUBLIC_ROLE, SYSTEM_ROLE

from .models import LeadStatus

S = LeadStatus
BUREAU = frozenset(BUREAU_ROLES)


@dataclass(frozen=True)
class LeadMove:
    name: str
    label: str
    moves: dict[str, str]  # from status → to status; empty for a move that changes no status
    roles: frozenset[str]

    @property
    def targets(self) -> frozenset[str]:
        return frozenset(self.moves.values())


LEAD_MOVES: dict[str, LeadMove] = {
    m.name: m
    for m in (
        LeadMove("open_case", "立案", {S.NEW: S.CASED}, BUREAU),
        # the public joins a case from the QR form ("我也遇到这个问题")
        LeadMove("join_case", "并入事项", {S.NEW: S.MERGED}, BUREAU | {PUBLIC_ROLE}),
        LeadMove("follow_case", "随事项并入", {S.CASED: S.MERGED, S.MERGED: S.MERGED}, BUREAU),
        LeadMove("split", "拆分线索", {S.MERGED: S.NEW}, BUREAU),
        LeadMove("reject", "不予立案", {S.NEW: S.REJECTED}, BUREAU),
        LeadMove("transfer", "转办", {S.NEW: S.TRANSFERRED}, BUREAU),
        # the triage model marks a new lead urgent; staff override it either way
        LeadMove("mark_urgent", "标记紧急", {}, BUREAU | {SYSTEM_ROLE}),
        LeadMove("assign_estate", "确认小区", {}, BUREAU),
        # an automatic check refreshes its finding's text and evidence
        LeadMove("refresh_finding", "更新核查发现", {}, frozenset({SYSTEM_ROLE})),
    )
}
