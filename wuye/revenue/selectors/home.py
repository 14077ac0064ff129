"""The revenue panel of the home page."""

from typing import Any

from django.db.models import (
    Sum,
)
from django.urls import reverse

from wuye.accounts.models import COUNTY_READ_ROLES, Role
from wuye.common.dates import today
from wuye.common.money import format_yuan
from wuye.registry.models import Estate
from wuye.registry.selectors import estate_in_counties_of, estates_visible_to

from ..models import (
    AccountStatus,
    Disclosure,
    FundDue,
    RevenueAccount,
)

# --- home panel --------------------------------------------------------------------------------------------
from .compliance import disclosure_due_period, estates_with_revenue
from .ledger import ZERO, objections_open_for


def home_panel(user: Any) -> dict[str, Any] | None:
    if not getattr(user, "is_authenticated", False):
        return None
    if user.role == Role.OWNER:
        # Owners see their estates' public statements (where they can raise objections).
        own = list(estates_visible_to(user)[:10])
        last = {
            d.account.estate_id: d
            for d in Disclosure.objects.filter(account__estate__in=own)
            .select_related("account")
            .order_by("period_end")
        }
        items = [
            (
                f"{e.name}公共收益公示",
                last[e.pk].period_key if e.pk in last else "尚无公示",
                reverse("revenue:public", args=[e.code]),
            )
            for e in own
        ]
        return {"title": "公共收益", "items": items} if items else None
    url = reverse("revenue:home")
    if user.role in COUNTY_READ_ROLES:
        mine = estate_in_counties_of(user)
        estates = Estate.objects.filter(estate_in_counties_of(user, "")).count()
        with_account = RevenueAccount.objects.filter(mine, status=AccountStatus.SUPERVISED).count()
        due = disclosure_due_period()
        disclosed = Disclosure.objects.filter(
            estate_in_counties_of(user, "account__estate"), period_key=due.key
        ).count()
        held = FundDue.objects.filter(
            mine, collected_on__isnull=False, deposited_on__isnull=True, due_date__lt=today()
        ).aggregate(t=Sum("amount"))["t"]
        return {
            "title": "公共收益与维修资金",
            "items": [
                ("已纳入监管的公共收益账户", f"{with_account} / {estates}", url),
                (f"{due.label}已公示小区", disclosed, url),
                ("逾期未上缴维修资金", format_yuan(held or ZERO), reverse("revenue:fund_county")),
            ],
        }
    rows = estates_with_revenue(user)[:200]
    no_account = sum(1 for e in rows if not e.account_status)
    open_obj = objections_open_for(user).count()
    return {
        "title": "公共收益",
        "items": [
            ("小区数", len(rows), url),
            ("未开设专门账户", no_account, url),
            ("待答复异议", open_obj, url),
        ],
    }
