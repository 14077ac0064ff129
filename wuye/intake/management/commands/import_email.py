import json
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wuye.common.errors import DomainError
from wuye.intake.mail import email_import_path, imap_poll
from wuye.kernel.actors import SystemActor


class Command(BaseCommand):
    help = (
        "把邮件变成问题线索：import_email FILE.eml|DIR，或 --imap（读取环境变量 IMAP_HOST、IMAP_USER、"
        "IMAP_PASSWORD、IMAP_FOLDER、IMAP_PORT）。同一 Message-ID 只导入一次。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?")
        parser.add_argument("--imap", action="store_true")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["imap"]:
                port = os.environ.get("IMAP_PORT")
                report = imap_poll(
                    actor=SystemActor("import_email"),
                    host=os.environ.get("IMAP_HOST", ""),
                    user=os.environ.get("IMAP_USER", ""),
                    password=os.environ.get("IMAP_PASSWORD", ""),
                    folder=os.environ.get("IMAP_FOLDER", "INBOX"),
                    port=int(port) if port else None,
                )
            else:
                if not options["path"]:
                    raise CommandError("请给出 .eml 文件或目录，或使用 --imap")
                path = Path(options["path"])
                if not path.exists():
                    raise CommandError(f"文件不存在：{path}")
                report = email_import_path(actor=SystemActor("import_email"), path=path)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(f"无法连接邮箱：{exc}") from None
        self.stdout.write(
            f"邮件：新导入 {report.imported} 封，重复 {report.duplicates} 封，错误 {len(report.errors)} 封"
        )
        for code in report.leads:
            self.stdout.write(f"  查询码 {code}")
        for err in report.errors:
            self.stdout.write(f"  {err['source']}：{err['reason']}")
        if options["json"]:
            self.stdout.write(json.dumps(report.summary(), ensure_ascii=False))
