import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wuye.triage import ml
from wuye.triage.split import DATA_DIR


class Command(BaseCommand):
    help = "用 data/train.jsonl（可加上工作人员的更正）训练分拣模型，写入版本化的模型文件"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--train-file", default=str(DATA_DIR / "train.jsonl"))
        parser.add_argument("--include-corrections", action="store_true", help="加入工作人员在分拣台的更正")
        parser.add_argument("--if-missing", action="store_true", help="已有与当前代码版本匹配的模型时不训练")
        parser.add_argument(
            "--select", action="store_true", help="只在训练集上做交叉验证，比较特征与正则化参数，不写模型"
        )
        parser.add_argument("--out", default="", help="模型目录（默认 settings 或 wuye/triage/artifacts）")

    def handle(self, *args: Any, **opts: Any) -> None:
        directory = Path(opts["out"]) if opts["out"] else ml.artifact_dir()
        manifest = ml.read_manifest(directory) if opts["if_missing"] else None
        if manifest is not None and ml.usable_artifact_exists(directory):
            self.stdout.write(f"已有可用模型 {manifest['version']}，跳过训练")
            return
        try:
            examples = ml.read_jsonl(opts["train_file"])
        except OSError as exc:
            raise CommandError(f"无法读取训练集 {opts['train_file']}：{exc.strerror}") from exc
        except ml.DataError as exc:
            raise CommandError(f"训练集有误：{exc}") from exc
        if opts["include_corrections"]:
            from wuye.triage.selectors import correction_examples

            extra = correction_examples()
            self.stdout.write(f"加入更正 {len(extra)} 条")
            examples += extra
        if opts["select"]:
            from wuye.triage.selection import run_selection

            run_selection(examples, write=self.stdout.write)
            return
        started = time.perf_counter()
        model = ml.train(examples)
        path = ml.save(model, directory=directory)
        ml.reset_model()
        seconds = time.perf_counter() - started
        cv = model.meta["cv"]
        self.stdout.write(
            f"模型 {model.version}：{len(examples)} 条训练数据，{model.meta['n_features']} 个特征，"
            f"用时 {seconds:.1f} 秒，文件 {path.name}（{path.stat().st_size / 1e6:.1f} MB）"
        )
        self.stdout.write(
            f"训练集 {cv['folds']} 折交叉验证：macro-F1 {cv['macro_f1']}，准确率 {cv['accuracy']}，"
            f"紧急召回率 {cv['urgent_recall']}（仅规则 {cv['rule_only_urgent_recall']}），"
            f"紧急精确率 {cv['urgent_precision']}；紧急阈值 {model.urgent_threshold}，温度 {model.temperature:.2f}"
        )
        self.stdout.write(
            f"显示百分比的把握度门槛 {model.confident_threshold:.2f}（交叉验证中 {cv['confident_share'] * 100:.1f}% 的建议"
            f"达到，其准确率 {cv['confident_accuracy']}）；其余显示“{ml.UNCERTAIN}”"
        )
