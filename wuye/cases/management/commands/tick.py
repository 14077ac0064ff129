"""Run every minute (cron / systemd timer): mark newly overdue cases once, list what falls due in 3 days."""

from itertools import groupby
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from wuye.audit.services import audit_checkpoint_publish
from wuye.cases.models import Case
from wuye.cases.selectors import DUE_SOON_DAYS, due_soon, overdue_q
from wuye.cases.services import case_mark_overdue
from wuye.common.dates import cn_date
from wuye.kernel.actors import SystemActor

TICK = SystemActor("tick")


class Command(BaseCommand):
    help = "标记逾期事项（幂等，可每分钟运行），并按企业列出 3 天内到期的事项。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="只输出新标记的逾期数")

    def handle(self, *args: Any, **opts: Any) -> None:
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
        self.stdout.write(f"新标记逾期 {marked} 件；目前逾期未整改共 {total} 件。")
        # the day's audit checkpoint (once a day; the public portal shows it, audit_verify checks against it)
        checkpoint = audit_checkpoint_publish(actor=TICK)
        if not opts["quiet"]:
            self.stdout.write(
                f"审计链公示点 {checkpoint.date}：共 {checkpoint.count} 条，{checkpoint.hash[:16]}…"
            )
        if opts["quiet"]:
            return
        soon = list(due_soon())
        self.stdout.write(f"{DUE_SOON_DAYS} 天内到期 {len(soon)} 件：")
        for company, cases in groupby(soon, key=lambda c: c.company.name if c.company else "（无物业）"):
            items = list(cases)
            self.stdout.write(f"  {company}（{len(items)} 件）")
            for c in items:
                self.stdout.write(
                    f"    {c.number} {c.estate.name} {c.title} — 完成时限 {cn_date(c.deadline)}"
                )
