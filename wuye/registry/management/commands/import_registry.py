from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wuye.common.errors import DomainError
from wuye.kernel.actors import SystemActor
from wuye.registry.importer import import_registry


class Command(BaseCommand):
    help = "Import estates, buildings, units and owners from an .xlsx file; bad rows are reported, good rows go in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        try:
            result = import_registry(actor=SystemActor("import_registry"), data=path.read_bytes())
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"共 {result.rows} 行：新增小区 {result.estates_created} 个，新增房屋 {result.units_created} 套，"
            f"更新房屋 {result.units_updated} 套，新增业主关系 {result.owners_linked} 条，错误 {len(result.errors)} 行。"
        )
        for err in result.errors:
            self.stdout.write(str(err))
        if result.errors:
            raise CommandError(f"{len(result.errors)} 行未导入，见上。")
