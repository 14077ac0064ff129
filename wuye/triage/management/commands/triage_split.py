from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wuye.triage.split import CORPUS_DIR, DATA_DIR, read_corpus, split, write_jsonl


class Command(BaseCommand):
    help = "把 data/corpus/*.jsonl 确定性地划分为 train.jsonl 与 test.jsonl（按类别约 20% 测试集，近似重复不跨集）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--corpus", default=str(CORPUS_DIR))
        parser.add_argument("--out", default=str(DATA_DIR))
        parser.add_argument("--test-share", type=float, default=0.2)

    def handle(self, *args: Any, **opts: Any) -> None:
        examples, errors = read_corpus(Path(opts["corpus"]))
        for e in errors:
            self.stderr.write(f"跳过：{e}")
        if not examples:
            raise CommandError(f"{opts['corpus']} 中没有可用的语料")
        train, test = split(examples, test_share=opts["test_share"])
        out = Path(opts["out"])
        write_jsonl(out / "train.jsonl", train)
        write_jsonl(out / "test.jsonl", test)
        tr, te = Counter(e.category for e in train), Counter(e.category for e in test)
        for label in sorted(set(tr) | set(te), key=lambda c: (c == "NONE", c)):
            self.stdout.write(f"  {label:5} 训练 {tr[label]:4}  测试 {te[label]:4}")
        self.stdout.write(
            f"共 {len(examples)} 条：训练 {len(train)}，测试 {len(test)}；"
            f"紧急 {sum(e.urgent for e in train)}/{sum(e.urgent for e in test)}"
        )
