"""`manage.py tally_scenario FILE.json`: tally a scenario without touching the database (last line: JSON)."""

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from wuye.voting.tally import ScenarioError, tally_scenario
from wuye.voting.thresholds import three_quarter_items


class Command(BaseCommand):
    help = "Tally an owners' assembly scenario (JSON) by the Civil Code's double majority; print the result as JSON."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="scenario JSON: units, motions, ballots ('-' reads standard input)")
        parser.add_argument("--quiet", action="store_true", help="print only the JSON line")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            self._fail(f"无法读取文件“{path}”：{exc.strerror}")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            self._fail(f"文件“{path}”不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）")
        try:
            result = tally_scenario(data, three_quarter_items=three_quarter_items())
        except ScenarioError as exc:
            self._fail(str(exc))
        if not options["quiet"]:
            for m in result["motions"]:
                self.stdout.write(f"{m['id']}（第{m['item']}项）{m['reason']}")
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    def _fail(self, message: str) -> None:
        self.stderr.write(f"错误：{message}")
        sys.exit(2)
