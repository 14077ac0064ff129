"""Owners hear of their estate's assemblies (issue #13, item 4), through `wuye.notify.services.notify`.

- When voting opens: every owner on the frozen electorate who may vote (in-app if they have an account, SMS to the
  phone on their account or, without one, in the registry). Sent when `assembly_open` commits; the tick also
  sends any that were not recorded then.
- 3 days before voting closes: the owners whose vote (for their unit or units) is not in yet.

Keys: `assembly:<pk>:open:owner:<owner pk>` and `assembly:<pk>:closing:owner:<owner pk>`; `notify` records one
row per key, channel and recipient, so a second tick, or the tick after the commit hook, sends nothing.
"""

import datetime as dt
import logging
from collections.abc import Callable

from django.db import transaction

from wuye.accounts.models import Role, User
from wuye.common.dates import now
from wuye.common.display import cn_datetime
from wuye.kernel.actors import SystemActor
from wuye.notify.models import Notification
from wuye.notify.services import notify

from .models import Assembly, AssemblyStatus, Ballot, ElectorVoter

logger = logging.getLogger("wuye.voting")
NOTICES = SystemActor("notifications")
CLOSING_DAYS = 3


def _owners_to_tell(assembly: Assembly, *, kind: str) -> list[tuple[int, str]]:
    """(owner id, registry phone) of the owners who may vote online; for "closing", only those not yet voted."""
    voters = ElectorVoter.objects.filter(assembly=assembly, may_vote=True)
    if kind == "closing":
        voted = Ballot.objects.filter(assembly=assembly).values("person_id")
        voters = voters.exclude(person_id__in=voted)
    return list(voters.order_by("owner_id").values_list("owner_id", "owner__phone"))


def tell_owners(assembly: Assembly, *, kind: str) -> int:
    """Record (once) the open or closing notice for each owner concerned; returns how many were new."""
    event = "assembly_open" if kind == "open" else "assembly_closing"
    prefix = f"assembly:{assembly.pk}:{kind}:owner:"
    done = set(Notification.objects.filter(key__startswith=prefix).values_list("key", flat=True))
    owners = [
        (oid, phone) for oid, phone in _owners_to_tell(assembly, kind=kind) if f"{prefix}{oid}" not in done
    ]
    if not owners:
        return 0
    accounts = {
        u.owner_id: u
        for u in User.objects.filter(role=Role.OWNER, is_active=True, owner_id__in=[o for o, _ in owners])
    }
    context = {
        "estate": assembly.estate.name,
        "title": assembly.title,
        "closes": cn_datetime(assembly.vote_end),
    }
    told = 0
    for owner_id, phone in owners:
        user = accounts.get(owner_id)
        if user is None and not phone:
            continue
        try:
            with transaction.atomic():
                notify(
                    actor=NOTICES,
                    key=f"{prefix}{owner_id}",
                    event=event,
                    context=context,
                    user=user,
                    phone="" if user is not None else phone,
                    link=f"/voting/{assembly.pk}/",
                )
        except Exception as exc:  # noqa: BLE001 — one bad record never stops the others
            logger.warning(
                "assembly notice not recorded", extra={"assembly": assembly.pk, "error": str(exc)[:200]}
            )
            continue
        told += 1
    return told


def assembly_notices(*, out: Callable[[str], None], quiet: bool) -> None:
    """`tick`: the open notices not yet recorded, and the closing reminders 3 days before the end of voting."""
    at = now()
    opened = closing = 0
    for assembly in Assembly.objects.filter(status=AssemblyStatus.OPEN, vote_end__gt=at).select_related(
        "estate"
    ):
        opened += tell_owners(assembly, kind="open")
        if assembly.vote_end - at <= dt.timedelta(days=CLOSING_DAYS):
            closing += tell_owners(assembly, kind="closing")
    if opened or closing or not quiet:
        out(f"业主大会表决通知：开始投票 {opened} 条，截止提醒 {closing} 条。")
