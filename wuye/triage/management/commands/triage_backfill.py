from django.core.management.base import BaseCommand

from wuye.kernel.actors import SystemActor
from wuye.triage.services import suggestions_backfill


class Command(BaseCommand):
    help = "为尚无分拣建议的待分拣线索补生成建议（例如模型训练前收到的线索）"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--limit", type=int, default=None)

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        n = suggestions_backfill(actor=SystemActor("triage"), limit=opts["limit"])
        self.stdout.write(f"补生成分拣建议 {n} 条")
