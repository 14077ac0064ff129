"""`manage.py tally_verify ASSEMBLY` (or `--file ballots.json`): recompute a closed assembly's tally and digests."""

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from wuye.voting.models import Assembly
from wuye.voting.verify import verify_assembly, verify_document


class Command(BaseCommand):
    help = (
        "Recompute an assembly's tally from its published ballots and check the digests; exit 1 on mismatch."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("assembly", nargs="?", help="assembly number (the id in its URL)")
        parser.add_argument("--file", help="a downloaded ballots JSON to check instead of the database")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["file"]:
            try:
                doc = json.loads(Path(options["file"]).read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                self.stderr.write(f"错误：无法读取文件：{exc}")
                sys.exit(2)
            problems, recomputed = verify_document(doc)
            label = options["file"]
        else:
            ref = options["assembly"] or ""
            assembly = Assembly.objects.filter(pk=int(ref)).first() if ref.isdigit() else None
            if assembly is None:
                self.stderr.write(f"错误：没有编号为“{ref}”的表决")
                sys.exit(2)
            problems, recomputed = verify_assembly(assembly)
            label = f"表决 {assembly.pk}（{assembly}）"
        for p in problems:
            self.stderr.write(f"不一致：{p}")
        if recomputed:
            for m in recomputed["motions"]:
                self.stdout.write(f"{m['id']}：{m['reason']}")
        self.stdout.write(f"{label}：{'核对一致' if not problems else f'发现 {len(problems)} 处不一致'}")
        self.stdout.write(
            json.dumps(
                {
                    "ok": not problems,
                    "problems": problems,
                    "motions": recomputed["motions"] if recomputed else [],
                },
                ensure_ascii=False,
            )
        )
        if problems:
            sys.exit(1)
