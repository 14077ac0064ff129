"""Run the lead-created callbacks (triage's suggestion, …) outside the web process: the county setting LEAD_HOOKS="worker".

    python manage.py lead_worker                      # poll every 0.5 s until stopped (SIGTERM/SIGINT: finish the batch)
    python manage.py lead_worker --once               # process every pending lead, then exit (cron)
    python manage.py lead_worker --max-seconds 3600   # stop after an hour (a supervisor restarts it)
    python manage.py lead_worker --status             # where the cursor is and how many leads wait

Progress is the LeadHookCursor row; several workers may run, one of them processes at a time (PostgreSQL).
"""

import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, close_old_connections, connections

from wuye.intake import hooks
from wuye.kernel.conf import county_setting


class Command(BaseCommand):
    help = "运行新线索的后续处理（分拣建议等），用于 LEAD_HOOKS=worker"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="处理完当前积压的线索后退出")
        parser.add_argument(
            "--interval", type=float, default=0.5, help="没有新线索时的轮询间隔（秒），默认 0.5"
        )
        parser.add_argument("--max-seconds", type=float, default=None, help="运行这么多秒后退出")
        parser.add_argument("--batch", type=int, default=hooks.WORKER_BATCH, help="每批处理的线索数")
        parser.add_argument("--status", action="store_true", help="只显示处理进度和积压数量")
        parser.add_argument(
            "--skip-existing", action="store_true", help="首次运行时从最新一条线索之后开始（不处理已有线索）"
        )

    def handle(
        self,
        *args,
        once=False,
        interval=0.5,
        max_seconds=None,
        batch=hooks.WORKER_BATCH,
        skip_existing=False,
        status=False,
        **options,
    ):
        if status:
            self._status()
            return
        if interval <= 0 or batch <= 0:
            raise CommandError("--interval 和 --batch 必须大于 0")
        if county_setting("LEAD_HOOKS") != "worker":
            self.stderr.write(
                "注意：LEAD_HOOKS 不是 worker，网站已在请求中运行这些后续处理，本进程会再运行一次"
            )
        stop = {"now": False}

        def request_stop(signum, frame):
            stop["now"] = True

        previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        hooks.cursor_ensure(skip_existing=skip_existing)
        started = time.monotonic()
        total = 0
        try:
            while not stop["now"]:
                if max_seconds is not None and time.monotonic() - started >= max_seconds:
                    break
                try:
                    done = hooks.process_pending_leads(batch=batch)
                except OperationalError as exc:  # database restarted or unreachable: retry after a pause
                    self.stderr.write(f"数据库暂不可用，稍后重试：{exc}")
                    connections.close_all()
                    done = 0
                    if once:
                        raise
                if done:
                    total += done
                    if done == batch:
                        continue  # more may be waiting
                if once:
                    if done is None:
                        self.stdout.write("另一个处理进程正在运行，本次未处理")
                        break
                    if not done:
                        break
                    continue
                close_old_connections()
                time.sleep(interval)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write(f"已处理 {total} 条线索")

    def _status(self) -> None:
        from wuye.intake.models import Lead, LeadHookCursor

        cursor = LeadHookCursor.objects.filter(pk=1).first()
        if cursor is None:
            self.stdout.write(f"尚未运行过；共有 {Lead.objects.count()} 条线索待处理")
            return
        backlog = Lead.objects.filter(pk__gt=cursor.last_lead_id).count()
        self.stdout.write(
            f"已处理到线索编号 {cursor.last_lead_id}（{cursor.updated_at:%Y-%m-%d %H:%M:%S}），"
            f"积压 {backlog} 条，等待出现的编号 {len(cursor.gaps)} 个"
        )
