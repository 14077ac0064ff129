"""What intake reads from or asks of the apps above it, registered by them in `AppConfig.ready()`.

Intake imports neither the ledger nor triage (the dependency direction is checked by import-linter); the ledger
registers how a resident's report joins one of its cases and what the public may see of a case, triage registers
its look-alike finder for the QR form. Each is a plain function, like the lead-created hooks in `hooks.py`.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from wuye.kernel.actors import Actor
    from wuye.registry.models import Estate

    from .models import Lead


class CaseRef(Protocol):
    """The few attributes of a ledger case that intake reads (the `Lead.case` foreign key's target)."""

    pk: Any
    number: str
    estate_id: Any
    category: str
    status: str
    title: str
    description: str
    closed_reason: str


@dataclass(frozen=True)
class CaseSide:
    # the case of an estate with this number (in any status), or None
    case_of_estate: "Callable[[Estate, str], CaseRef | None]"
    # the lead (just created, new) joins the case: the ledger locks the case, then asks intake to move the lead
    join: "Callable[[Actor, Lead, CaseRef], None]"
    # public timeline entries of a case: {"at", "title", "text"}
    public_timeline: Callable[[CaseRef], Sequence[dict[str, Any]]]
    # the ledger's scoping rule: the cases a user may see (a queryset, so leads can be filtered by it in SQL)
    cases_visible_to: Callable[[Any], Any]
    # the complainant says "问题没有解决": the ledger reopens the closed case (actor, case, tracking code, their
    # words for the audit); True if this report reopened it, False if it was already reopened
    reopen_not_fixed: "Callable[[Actor, CaseRef, str, str], bool]"


SimilarCases = Callable[..., list[tuple[Any, float]]]

_case_side: list[CaseSide] = []
_similar: list[SimilarCases] = []


def register_case_side(side: CaseSide) -> None:
    _case_side[:] = [side]


def register_similar_cases(finder: SimilarCases) -> None:
    """`finder(estate=, text=, category=, limit=)` → [(case, score)], best first."""
    _similar[:] = [finder]


def case_side() -> CaseSide:
    if not _case_side:
        raise RuntimeError("the ledger (wuye.cases) has not registered its side of intake; is it installed?")
    return _case_side[0]


def similar_cases_finder() -> SimilarCases | None:
    return _similar[0] if _similar else None


# The clauses of an estate's own service standard that a checklist item covers (registered by wuye.duties):
# `finder(estate, item_code)` → [{"code", "item", "text"}]; a failed item names them.
StandardClauses = Callable[["Estate", str], list[dict[str, str]]]
_clauses: list[StandardClauses] = []


def register_standard_clauses(finder: StandardClauses) -> None:
    _clauses[:] = [finder]


def standard_clauses(estate: "Estate", item_code: str) -> list[dict[str, str]]:
    return _clauses[0](estate, item_code) if _clauses else []
