import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wuye.revenue.checks import CHECKS, run_checks


class Command(BaseCommand):
    help = (
        "Public-revenue and maintenance-fund checks: each finding opens or refreshes one lead (idempotent)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--on", help="check as of this date (YYYY-MM-DD), default today")
        parser.add_argument("--only", action="append", choices=sorted(CHECKS), help="run only these checks")

    def handle(self, *args: Any, **options: Any) -> None:
        on = None
        if options["on"]:
            try:
                on = dt.date.fromisoformat(options["on"])
            except ValueError:
                raise CommandError("--on 应为 YYYY-MM-DD 格式的日期") from None
        counts = run_checks(on=on, only=set(options["only"] or []) or None)
        self.stdout.write(f"公共收益核查：发现 {counts['found']} 项，新开线索 {counts['opened']} 条")
