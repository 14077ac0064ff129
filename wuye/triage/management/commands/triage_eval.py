import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wuye.triage import ml
from wuye.triage.evaluation import evaluate, format_report
from wuye.triage.split import DATA_DIR

DEFAULT_FILES = (DATA_DIR / "test.jsonl", DATA_DIR / "realistic.jsonl")


class Command(BaseCommand):
    help = (
        "用标注好的 JSONL 文件评估分拣模型：各类精确率/召回率/F1、macro-F1、紧急召回率、混淆矩阵、可靠性表；"
        "不给文件时评估 test.jsonl 和 realistic.jsonl 两个文件；最后一行为（最后一个文件的）JSON"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files", nargs="*", help='每行 {"text": ..., "category": ..., "urgency": "urgent"|"normal"}'
        )
        parser.add_argument("--errors", type=int, default=0, help="列出前 N 条分错的文本")

    def handle(self, *args: Any, **opts: Any) -> None:
        files = [Path(f) for f in opts["files"]] or list(DEFAULT_FILES)
        loaded = []
        for path in files:
            errors: list[str] = []
            try:
                examples = ml.read_jsonl(path, errors=errors)
            except OSError as exc:
                raise CommandError(f"无法读取 {path}：{exc.strerror}") from exc
            for e in errors:
                self.stderr.write(f"{path.name} 跳过 {e}")
            if not examples:
                raise CommandError(f"文件 {path} 中没有可评估的行")
            loaded.append((path, examples))
        try:
            model = ml.get_model()
        except ml.ModelUnavailable as exc:
            raise CommandError(str(exc)) from exc
        for path, examples in loaded:
            result = evaluate(model, examples)
            self.stdout.write(f"模型版本 {model.version}；文件 {path}")
            for line in format_report(result):
                self.stdout.write(line)
            for text, gold, pred in result["errors"][: opts["errors"]]:
                self.stdout.write(f"  [{gold}→{pred}] {text[:80]}")
            if opts["errors"]:
                for text in result["urgent_missed"][: opts["errors"]]:
                    self.stdout.write(f"  [漏判紧急] {text[:80]}")
            self.stdout.write(
                json.dumps(
                    {
                        "macro_f1": round(result["macro_f1"], 4),
                        "accuracy": round(result["accuracy"], 4),
                        "urgent_recall": round(result["urgent_recall"], 4),
                        "urgent_precision": round(result["urgent_precision"], 4),
                        "n": result["n"],
                    }
                )
            )
