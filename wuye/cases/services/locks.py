"""Row locks of the ledger, always in one order: cases before leads, each by primary key.

Every service that locks more than one row takes them through `lock_rows`, so two services that touch the same case
and lead (a split and a merge, say) queue behind each other instead of deadlocking.
"""

from collections.abc import Iterable

from wuye.intake.models import Lead

from ..models import Case


def lock_rows(
    *, cases: Iterable[int] = (), leads: Iterable[int] = ()
) -> tuple[dict[int, Case], dict[int, Lead]]:
    """Lock the cases, then the leads, each in primary-key order; returns them by pk (missing ones are absent)."""
    case_ids, lead_ids = sorted(set(cases)), sorted(set(leads))
    locked_cases = (
        {c.pk: c for c in Case.objects.select_for_update().filter(pk__in=case_ids).order_by("pk")}
        if case_ids
        else {}
    )
    locked_leads = (
        {x.pk: x for x in Lead.objects.select_for_update().filter(pk__in=lead_ids).order_by("pk")}
        if lead_ids
        else {}
    )
    return locked_cases, locked_leads


def lock_case(case: Case | int) -> Case:
    return Case.objects.select_for_update().get(pk=case if isinstance(case, int) else case.pk)
