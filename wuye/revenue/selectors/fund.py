"""Reads of the special maintenance fund (住宅专项维修资金): dues, holdings, overdue deposits."""

import datetime as dt
from typing import Any

from django.db.models import (
    Count,
    Min,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce

from wuye.accounts.models import COUNTY_READ_ROLES, User
from wuye.common.dates import today
from wuye.registry.models import Estate
from wuye.registry.selectors import estate_in_counties_of

from ..models import (
    Collector,
    FundDue,
)
from .ledger import MONEY_FIELD, ZERO

# --- maintenance fund --------------------------------------------------------------------------------------


def fund_dues_of(estate: Estate) -> QuerySet[FundDue]:
    return FundDue.objects.filter(estate=estate).select_related("unit__building").order_by("id")


def fund_estate_summary(estate: Estate) -> dict[str, Any]:
    day = today()
    agg = FundDue.objects.filter(estate=estate).aggregate(
        due=Sum("amount"),
        collected=Sum("amount", filter=Q(collected_on__isnull=False)),
        deposited=Sum("amount", filter=Q(deposited_on__isnull=False)),
        held=Sum("amount", filter=Q(collected_on__isnull=False, deposited_on__isnull=True)),
        overdue=Sum(
            "amount", filter=Q(collected_on__isnull=False, deposited_on__isnull=True, due_date__lt=day)
        ),
        count=Count("pk"),
    )
    return {k: (v if v is not None else (0 if k == "count" else ZERO)) for k, v in agg.items()}


def fund_county_by_collector(user: User) -> list[dict[str, Any]]:
    """Undeposited sums by collector (who holds owners' money that should be in the county special account)."""
    if user.role not in COUNTY_READ_ROLES:
        return []
    day = today()
    labels = dict(Collector.choices)
    rows = (
        FundDue.objects.filter(estate_in_counties_of(user), deposited_on__isnull=True)
        .exclude(collector=Collector.DIRECT)
        .values("collector", "collector_name")
        .annotate(
            held=Coalesce(
                Sum("amount", filter=Q(collected_on__isnull=False)), ZERO, output_field=MONEY_FIELD
            ),
            overdue=Coalesce(
                Sum("amount", filter=Q(collected_on__isnull=False, due_date__lt=day)),
                ZERO,
                output_field=MONEY_FIELD,
            ),
            uncollected=Coalesce(
                Sum("amount", filter=Q(collected_on__isnull=True)), ZERO, output_field=MONEY_FIELD
            ),
            estates=Count("estate", distinct=True),
            dues=Count("pk"),
        )
        .order_by("-overdue", "-held", "collector_name")
    )
    return [{**r, "collector_label": labels.get(r["collector"], r["collector"])} for r in rows]


def fund_held_overdue(on: dt.date) -> list[dict[str, Any]]:
    """(estate, collector) groups holding collected dues past their deadline: the category-6 findings."""
    return [
        dict(r)
        for r in FundDue.objects.filter(
            collected_on__isnull=False, deposited_on__isnull=True, due_date__lt=on
        )
        .values("estate_id", "collector", "collector_name")
        .annotate(total=Sum("amount"), dues=Count("pk"), oldest=Min("due_date"))
        .order_by("estate_id", "collector", "collector_name")
    ]


def fund_has_dues(estate: Estate) -> bool:
    return FundDue.objects.filter(estate=estate).exists()
