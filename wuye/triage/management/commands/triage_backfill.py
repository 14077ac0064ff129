from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from wuye.kernel.actors import SystemActor
from wuye.triage.services import suggestions_backfill


class Command(BaseCommand):
    help = "为尚无分拣建议的待分拣线索补生成建议（例如模型训练前收到的线索）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=None)

    def handle(self, *args: Any, **opts: Any) -> None:
        n = suggestions_backfill(actor=SystemActor("triage"), limit=opts["limit"])
        self.stdout.write(f"补生成分拣建议 {n} 条")
