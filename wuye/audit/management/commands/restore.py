from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wuye.audit.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup into an empty migrated database (refuses a non-empty one), then verify it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", help="backup 命令写出的目录")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            manifest = backup_restore(directory=Path(opts["directory"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        head = manifest["audit_head"]
        self.stdout.write(
            f"恢复完成：{sum(manifest['counts'].values())} 行数据、{len(manifest['files'])} 个上传文件，"
            f"行数与清单一致；审计链完整（{head['count']} 条，链头 {head['hash'][:16]}…）。"
        )
