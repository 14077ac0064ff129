from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wuye.audit.checkpoints import CheckpointSourceError, load_checkpoints
from wuye.audit.selectors import audit_verify_chain


class Command(BaseCommand):
    help = (
        "Verify the audit hash chain; exits non-zero naming the first bad entry. With --checkpoints, also check it "
        "against the published checkpoints (a JSON file saved from /audit/checkpoints.json, or its URL)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoints",
            metavar="FILE_OR_URL",
            action="append",
            default=[],
            help="公示点 JSON（文件或 http/https/file 地址），可重复",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoints = []
        for source in options["checkpoints"]:
            try:
                checkpoints += load_checkpoints(source)
            except CheckpointSourceError as exc:
                raise CommandError(str(exc)) from exc
        report = audit_verify_chain(checkpoints=checkpoints)
        if report.ok:
            extra = f"，与 {report.checkpoints_matched} 个公示点一致" if checkpoints else ""
            self.stdout.write(f"审计链完整：共核验 {report.checked} 条记录（{report.chains} 条链）{extra}。")
            return
        where = f"第一条异常记录 #{report.bad_entry_id}" if report.bad_entry_id else "链尾"
        raise CommandError(f"审计链被破坏：{where}：{report.reason}（已核验 {report.checked} 条）")
