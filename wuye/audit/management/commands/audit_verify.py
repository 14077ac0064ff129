from django.core.management.base import BaseCommand, CommandError

from wuye.audit.selectors import audit_verify_chain


class Command(BaseCommand):
    help = "Verify the audit hash chain; exits non-zero naming the first bad entry."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        report = audit_verify_chain()
        if report.ok:
            self.stdout.write(f"审计链完整：共核验 {report.checked} 条记录。")
            return
        where = f"第一条异常记录 #{report.bad_entry_id}" if report.bad_entry_id else "链尾"
        raise CommandError(f"审计链被破坏：{where}：{report.reason}（已核验 {report.checked} 条）")
