import json

from django.core.management.base import BaseCommand, CommandError

from wuye.triage import ml
from wuye.triage.evaluation import evaluate, format_report


class Command(BaseCommand):
    help = "用标注好的 JSONL 文件评估分拣模型：各类精确率/召回率/F1、macro-F1、紧急召回率、混淆矩阵；最后一行为 JSON"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("file", help='每行 {"text": ..., "category": ..., "urgency": "urgent"|"normal"}')
        parser.add_argument("--errors", type=int, default=0, help="列出前 N 条分错的文本")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        errors: list[str] = []
        try:
            examples = ml.read_jsonl(opts["file"], errors=errors)
        except OSError as exc:
            raise CommandError(f"无法读取 {opts['file']}：{exc.strerror}") from exc
        for e in errors:
            self.stderr.write(f"跳过 {e}")
        if not examples:
            raise CommandError("文件中没有可评估的行")
        try:
            model = ml.get_model()
        except ml.ModelUnavailable as exc:
            raise CommandError(str(exc)) from exc
        result = evaluate(model, examples)
        self.stdout.write(f"模型版本 {model.version}；文件 {opts['file']}")
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
