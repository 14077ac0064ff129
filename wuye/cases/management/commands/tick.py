"""Run every minute (cron / systemd timer): every periodic task the apps declare in `settings.WUYE_TICK_TASKS`.

Each task is a function `run(*, out: Callable[[str], None], quiet: bool) -> None` that is idempotent: a second
`tick` right after the first changes no row. Apps above the ledger (assets, duties, oversight, credit…) add their
checks to the list instead of being imported here, as the demo builders do.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "运行全部定时任务（逾期标记、审计公示点、各项自动检查；幂等，可每分钟运行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="只输出各任务的摘要")
        parser.add_argument("--only", default="", help="只运行名称中含此文字的任务（如 elevators）")

    def handle(self, *args: Any, **opts: Any) -> None:
        for path in settings.WUYE_TICK_TASKS:
            if opts["only"] and opts["only"] not in path:
                continue
            task = import_string(path)
            task(out=self.stdout.write, quiet=opts["quiet"])
