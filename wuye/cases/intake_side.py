"""The ledger's side of intake (`wuye.intake.ports.CaseSide`), registered in `CasesConfig.ready()`: intake reads
and asks these without importing the ledger."""

from collections.abc import Sequence
from typing import Any

from wuye.intake.models import Lead
from wuye.kernel.actors import Actor
from wuye.registry.models import Estate

from .models import Case
from .selectors import case_public_timeline
from .services import case_reopen_not_fixed, lead_merge_into_case


def case_of_estate(estate: Estate, number: str) -> Case | None:
    return Case.objects.filter(number=number, estate=estate).first()


def join_case(actor: Actor, lead: Lead, case: Any) -> None:
    lead_merge_into_case(actor=actor, lead=lead, case=case)


def public_timeline(case: Any) -> Sequence[dict[str, Any]]:
    return case_public_timeline(case)


def reopen_not_fixed(actor: Actor, case: Any, lead_code: str, comment: str) -> bool:
    return case_reopen_not_fixed(actor=actor, case=case, lead_code=lead_code, comment=comment)
