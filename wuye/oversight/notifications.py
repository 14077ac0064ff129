"""The one place the monthly reports notify anyone (the reminders): through `wuye.notify` once it is merged."""

import importlib
from typing import Any

from wuye.kernel.actors import Actor


def notify_company_staff(
    *, actor: Actor, company_id: int, key: str, event: str, context: dict[str, Any], link: str
) -> int:
    """An in-app message (and SMS) to each active staff user of the company; the key makes a retry send nothing.
    Returns how many users were addressed."""
    from wuye.accounts.models import Role, User

    try:
        notify = importlib.import_module("wuye.notify.services").notify
    except ImportError:  # before the notification module is merged: the reminder row alone is kept
        notify = None
    users = list(
        User.objects.filter(role=Role.COMPANY_STAFF, company_id=company_id, is_active=True).order_by("pk")
    )
    for user in users:
        if notify is not None:
            notify(actor=actor, key=f"{key}:u{user.pk}", event=event, context=context, user=user, link=link)
    return len(users)
