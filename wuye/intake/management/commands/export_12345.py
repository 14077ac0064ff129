import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wuye.intake.hotline import hotline_export


class Command(BaseCommand):
    help = "导出 12345 工单办理结果（工单编号、办理结果、办结时间、满意度）给热线平台。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", required=True, help="起始日期 YYYY-MM-DD（此后有变化的工单）")
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            since = dt.date.fromisoformat(options["since"])
        except ValueError:
            raise CommandError(f"--since：“{options['since']}”不是有效日期（YYYY-MM-DD）") from None
        data, count = hotline_export(since=since)
        Path(options["file"]).write_bytes(data)
        self.stdout.write(f"已导出 {count} 条工单办理结果到 {options['file']}")
