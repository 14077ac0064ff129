"""The ledger's periodic tasks, run by `manage.py tick` (listed in `settings.WUYE_TICK_TASKS`)."""

from collections.abc import Callable
from itertools import groupby

from wuye.audit.services import audit_checkpoint_publish
from wuye.cases import notices
from wuye.cases.models import Case
from wuye.cases.selectors import DUE_SOON_DAYS, due_soon, overdue_q
from wuye.cases.services import case_mark_overdue
from wuye.common.dates import cn_date
from wuye.kernel.actors import SystemActor
from wuye.notify.models import Notification

TICK = SystemActor("tick")


def mark_overdue(*, out: Callable[[str], None], quiet: bool) -> None:
    """Mark newly overdue cases once."""
    marked = 0
    ids = list(
        Case.objects.filter(overdue_q(), overdue_marked_at__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)
    )
    for pk in ids:
        if case_mark_overdue(actor=TICK, case=Case(pk=pk)):
            marked += 1
    total = Case.objects.filter(overdue_q()).count()
    out(f"新标记逾期 {marked} 件；目前逾期未整改共 {total} 件。")


def publish_audit_checkpoint(*, out: Callable[[str], None], quiet: bool) -> None:
    """The day's audit checkpoint (once a day; the public portal shows it, audit_verify checks against it)."""
    checkpoint = audit_checkpoint_publish(actor=TICK)
    if not quiet:
        out(f"审计链公示点 {checkpoint.date}：共 {checkpoint.count} 条，{checkpoint.hash[:16]}…")


def list_due_soon(*, out: Callable[[str], None], quiet: bool) -> None:
    """What falls due within a few days, by company."""
    if quiet:
        return
    soon = list(due_soon())
    out(f"{DUE_SOON_DAYS} 天内到期 {len(soon)} 件：")
    for company, cases in groupby(soon, key=lambda c: c.company.name if c.company else "（无物业）"):
        items = list(cases)
        out(f"  {company}（{len(items)} 件）")
        for c in items:
            out(f"    {c.number} {c.estate.name} {c.title} — 完成时限 {cn_date(c.deadline)}")


NOTICES = SystemActor("notifications")


def notify_due_soon(*, out: Callable[[str], None], quiet: bool) -> None:
    """The company's staff hear of a deadline 3 days ahead: once per case and deadline (a moved deadline is a new
    event), whatever the number of ticks."""
    soon = list(due_soon())
    done = frozenset(
        Notification.objects.filter(
            event="company_deadline_soon", key__in=[k for c in soon for k in _user_keys(c)]
        ).values_list("key", flat=True)
    )
    told = sum(
        notices.tell_company(
            actor=NOTICES, case=c, key=_due_soon_key(c), event="company_deadline_soon", skip=done
        )
        for c in soon
    )
    if told or not quiet:
        out(f"即将到期提醒：{len(soon)} 件事项，新发提醒 {told} 条。")


def _due_soon_key(case: Case) -> str:
    return f"case:{case.pk}:due_soon:{case.deadline}"


def _user_keys(case: Case) -> list[str]:
    return [f"{_due_soon_key(case)}:user:{u.pk}" for u in notices.company_users(case)]
