"""The public estate page's section (`settings.WUYE_ESTATE_SECTIONS`): what owners should see of their elevators,
who manages the estate since when, and the maintenance fund's balance and uses. No personal data."""

from typing import Any

from wuye.registry.models import Estate

from .fundbalance import fund_balance
from .models import FUND_USE_SPENT, FundUse, Handover, HandoverStatus
from .selectors import age_years, elevators_of


def assets(estate: Estate) -> dict[str, Any] | None:
    elevators = list(elevators_of(estate))
    done = (
        Handover.objects.filter(estate=estate, status=HandoverStatus.DONE)
        .order_by("-completed_on", "-pk")
        .first()
    )
    open_one = Handover.objects.filter(estate=estate, status=HandoverStatus.OPEN).first()
    fund = fund_balance(estate)
    uses = list(
        FundUse.objects.filter(estate=estate, status__in=FUND_USE_SPENT).order_by("-paid_on", "-pk")[:10]
    )
    if not (elevators or done or open_one or fund["deposited"] or uses):
        return None
    return {
        "title": "电梯、移交与维修资金",
        "template": "assets/section.html",
        "context": {
            "elevators": [(e, age_years(e.installed_on)) for e in elevators],
            "done": done,
            "open": open_one,
            "fund": fund,
            "uses": uses,
        },
        "warning": False,
    }
