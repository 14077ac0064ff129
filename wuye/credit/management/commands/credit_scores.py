import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wuye.credit.scoring import explain_all


def parse_on(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError("--on 的格式应为 YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "每家物业企业的信用分与等级（由信用事件推导）；--json 时最后一行为 JSON 列表"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--on", help="计算日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = []
        for ex in explain_all(on=parse_on(options["on"])):
            rows.append(
                {
                    "company": ex.company.name,
                    "credit_code": ex.company.credit_code,
                    "score": ex.score,
                    "level": ex.level,
                    "veto": ex.veto,
                }
            )
            if not options["json"]:
                veto = "（一票否决）" if ex.veto else ""
                self.stdout.write(f"{ex.company.name}  {ex.score} 分  {ex.level}{veto}")
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
