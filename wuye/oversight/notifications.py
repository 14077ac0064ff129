"""The one place the monthly reports notify anyone: the reminders to a company's staff (wuye.notify; templates
`monthly_report_due_soon` / `monthly_report_due_today` of the NOTIFY_TEMPLATES setting)."""

from typing import Any

from wuye.accounts.models import Role, User
from wuye.kernel.actors import Actor
from wuye.notify.services import notify


def notify_company_staff(
    *, actor: Actor, company_id: int, key: str, event: str, context: dict[str, Any], link: str
) -> int:
    """An in-app message (and SMS) to each active staff user of the company; the key makes a retry send nothing.
    Returns how many users were addressed."""
    users = list(
        User.objects.filter(role=Role.COMPANY_STAFF, company_id=company_id, is_active=True).order_by("pk")
    )
    for user in users:
        notify(actor=actor, key=f"{key}:u{user.pk}", event=event, context=context, user=user, link=link)
    return len(users)
