from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wuye.audit.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database (portable JSON), the uploaded files and a manifest (counts, sha256, audit head)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", help="新的（或空的）备份目录")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            result = backup_create(directory=Path(opts["directory"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"备份完成：{result.directory}，共 {result.rows} 行数据、{result.files} 个上传文件，"
            f"审计链 {result.audit_count} 条。"
        )
