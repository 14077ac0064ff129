import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wuye.common.errors import DomainError
from wuye.intake.hotline import hotline_import
from wuye.kernel.actors import SystemActor


class Command(BaseCommand):
    help = "导入 12345 热线工单（.xlsx 或 .csv）。同一工单编号不会重复导入；--json 时最后一行是结果 JSON。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--json", action="store_true", help="最后一行输出 JSON 结果")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            report = hotline_import(
                actor=SystemActor("import_12345"),
                data=path.read_bytes(),
                filename=path.name,
                dry_run=options["dry_run"],
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        verb = "可导入" if options["dry_run"] else "新导入"
        self.stdout.write(
            f"{path.name}：{verb} {report.imported} 条，重复 {report.duplicates} 条，"
            f"错误 {len(report.errors)} 行"
        )
        for row in report.rows:
            if row["how"] in ("fuzzy", "none"):
                what = (
                    f"近似匹配“{row['matched']}”→ {row['estate']}"
                    if row["how"] == "fuzzy"
                    else "未匹配到小区"
                )
                self.stdout.write(f"  第 {row['row']} 行 {row['number']}：{what}，待人工确认")
        for err in report.errors:
            self.stdout.write(f"  第 {err['row']} 行：{err['reason']}")
        if options["json"]:
            self.stdout.write(json.dumps(report.summary(), ensure_ascii=False))
