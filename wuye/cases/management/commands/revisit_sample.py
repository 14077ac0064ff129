"""回头看: draw a reproducible random sample of accepted cases per estate for unannounced re-inspection."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wuye.cases.selectors import revisits_of
from wuye.cases.services import revisit_sample_draw
from wuye.common.errors import DomainError
from wuye.kernel.actors import SystemActor


class Command(BaseCommand):
    help = "从已销号事项中按小区抽取回头看样本（同一 --seed 结果相同；重复运行返回同一批次）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--per-estate", type=int, required=True, help="每小区抽取件数")
        parser.add_argument("--seed", type=int, required=True, help="随机种子")
        parser.add_argument("--category", default="", help="只抽某一问题类别，如 3.1")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            batch, created = revisit_sample_draw(
                actor=SystemActor("revisit_sample"),
                per_estate=opts["per_estate"],
                seed=opts["seed"],
                category=opts["category"],
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        rows = list(revisits_of(batch))
        self.stdout.write(
            f"{'新抽取' if created else '已存在'}批次 #{batch.pk}：{len(rows)} 件（种子 {batch.seed}，"
            f"每小区 {batch.per_estate} 件）"
        )
        for rv in rows:
            self.stdout.write(f"  {rv.case.estate.name}\t{rv.case.number}\t{rv.get_result_display()}")
