"""The estate's maintenance-fund balance: deposits in the county special account (revenue's fund side) minus uses."""

from decimal import Decimal

from django.db.models import Q, Sum

from wuye.registry.models import Estate
from wuye.revenue.models import FundDue

from .models import FUND_USE_COMMITTED, FUND_USE_SPENT, FundUse

ZERO = Decimal("0.00")


def fund_balance(estate: Estate, *, exclude: int | None = None) -> dict[str, Decimal]:
    deposited = FundDue.objects.filter(estate=estate, deposited_on__isnull=False).aggregate(s=Sum("amount"))[
        "s"
    ]
    uses = FundUse.objects.filter(estate=estate)
    if exclude is not None:
        uses = uses.exclude(pk=exclude)
    agg = uses.aggregate(
        spent=Sum("amount", filter=Q(status__in=FUND_USE_SPENT)),
        committed=Sum("amount", filter=Q(status__in=FUND_USE_COMMITTED)),
    )
    deposited = deposited or ZERO
    spent, committed = agg["spent"] or ZERO, agg["committed"] or ZERO
    return {
        "deposited": deposited,
        "spent": spent,
        "committed": committed,
        "balance": deposited - spent,
        "available": deposited - spent - committed,
    }
