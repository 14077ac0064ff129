"""`python manage.py city_report --month 2025-06 --out report.xlsx [--pdf report.pdf]`: the county's monthly report
to the city, with no personal data."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wuye.oversight import cityreport
from wuye.oversight.calendar import parse_month


class Command(BaseCommand):
    help = "生成报市住建局的物业整治工作月报（.xlsx 和/或 PDF）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="报告月份 YYYY-MM")
        parser.add_argument("--out", help="Excel 文件路径（.xlsx）")
        parser.add_argument("--pdf", help="PDF 文件路径")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            month = parse_month(opts["month"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if not opts.get("out") and not opts.get("pdf"):
            raise CommandError("请至少指定 --out（.xlsx）或 --pdf 之一")
        report = cityreport.build(month)
        if opts.get("out"):
            Path(opts["out"]).write_bytes(cityreport.to_xlsx(report))
            self.stdout.write(f"已生成 {opts['out']}")
        if opts.get("pdf"):
            Path(opts["pdf"]).write_bytes(cityreport.to_pdf(report))
            self.stdout.write(f"已生成 {opts['pdf']}")
