import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wuye.credit.management.commands.credit_scores import parse_on
from wuye.credit.scoring import explain
from wuye.registry.models import PropertyCompany


class Command(BaseCommand):
    help = "一家企业信用分的逐项说明；--json 时最后一行为 JSON（各行分值之和等于总分）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("credit_code", help="统一社会信用代码")
        parser.add_argument("--on", help="计算日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        company = PropertyCompany.objects.filter(credit_code=options["credit_code"].strip().upper()).first()
        if company is None:
            raise CommandError(f"没有统一社会信用代码为 {options['credit_code']} 的企业")
        ex = explain(company, on=parse_on(options["on"]))
        if options["json"]:
            self.stdout.write(json.dumps(ex.as_json(), ensure_ascii=False))
            return
        self.stdout.write(f"{company.name}：{ex.score} 分，{ex.level} 级（{ex.rule.label}，计算日 {ex.on}）")
        for line in ex.lines:
            until = f"，{line.expires} 失效" if line.expires else ""
            self.stdout.write(f"  {line.points:+d}  {line.event}（{line.source}{until}）")
