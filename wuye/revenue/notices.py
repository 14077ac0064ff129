"""Committee members hear when a public-revenue disclosure is due (issue #13, item 4).

The due rule is the one the revenue checks apply (`checks.check_no_disclosure`): a period's statement is due within
DISCLOSURE_GRACE_DAYS after the period ends. From the day after the period ends until that date, while the statement
of an open account is not published, each committee member of the estate gets one message per account and period
(key `revenue:disclosure_due:<account>:<period>:user:<user>`); `notify` records it once, so every later tick sends
nothing. Past the date the check opens its lead (category 2.3) instead.
"""

import datetime as dt
import logging
from collections.abc import Callable

from django.db import transaction

from wuye.accounts.models import Role, User
from wuye.common.dates import cn_date, today
from wuye.kernel.actors import SystemActor
from wuye.notify.models import Notification
from wuye.notify.services import notify
from wuye.registry.selectors import estate_setting, setting_range

from .models import ACCOUNT_OPEN_STATES, Disclosure, RevenueAccount
from .periods import Period, period_of

logger = logging.getLogger("wuye.revenue")
NOTICES = SystemActor("notifications")


def period_due(on: dt.date) -> tuple[Period, dt.date] | None:
    """The period whose statement may still be due on `on` (it has ended, the longest grace any county allows has
    not): (period, due date under that grace). Each account's own county's grace is applied by the caller."""
    grace_days = int(setting_range("DISCLOSURE_GRACE_DAYS")[1])
    previous = period_of(period_of(on).start - dt.timedelta(days=1))
    due = previous.end + dt.timedelta(days=grace_days)
    return (previous, due) if on <= due else None


def disclosure_due_notices(*, out: Callable[[str], None], quiet: bool) -> None:
    on = today()
    found = period_due(on)
    if found is None:
        if not quiet:
            out("公共收益公示提醒：当前没有待公示的期间。")
        return
    period, due = found
    published = Disclosure.objects.filter(period_key=period.key).values("account_id")
    accounts: list[tuple[RevenueAccount, dt.date]] = []
    for account in (
        RevenueAccount.objects.filter(status__in=ACCOUNT_OPEN_STATES, opened_on__lte=period.end)
        .exclude(pk__in=published)
        .select_related("estate__town__county")
        .order_by("pk")
    ):
        # each estate's county sets its own grace: past it, the check (not a reminder) takes over
        account_due = period.end + dt.timedelta(
            days=int(estate_setting("DISCLOSURE_GRACE_DAYS", account.estate))
        )
        if on <= account_due:
            accounts.append((account, account_due))
    members: dict[int, list[User]] = {}
    for user in User.objects.filter(
        role=Role.COMMITTEE_MEMBER, is_active=True, estate_id__in=[a.estate_id for a, _ in accounts]
    ).order_by("pk"):
        members.setdefault(user.estate_id or 0, []).append(user)
    prefix = "revenue:disclosure_due:"
    done = set(
        Notification.objects.filter(
            key__startswith=prefix, key__contains=f":{period.key}:", event="disclosure_due"
        ).values_list("key", flat=True)
    )
    told = 0
    for account, account_due in accounts:
        for user in members.get(account.estate_id, []):
            key = f"{prefix}{account.pk}:{period.key}:user:{user.pk}"
            if key in done:
                continue
            try:
                with transaction.atomic():
                    notify(
                        actor=NOTICES,
                        key=key,
                        event="disclosure_due",
                        context={
                            "estate": account.estate.name,
                            "period": period.label,
                            "due": cn_date(account_due),
                        },
                        user=user,
                        link=f"/estates/{account.estate.code}/",
                    )
            except Exception as exc:  # noqa: BLE001 — one bad record never stops the others
                logger.warning(
                    "disclosure notice not recorded", extra={"account": account.pk, "error": str(exc)[:200]}
                )
                continue
            told += 1
    if told or not quiet:
        out(
            f"公共收益公示提醒：{period.label}应于{cn_date(due)}前公示，未公示账户 {len(accounts)} 个，新发提醒 {told} 条。"
        )
