"""Job queue throughput (procrastinate on PostgreSQL): defers per second from a request-like caller, and jobs per
second drained by 1 and 2 workers (`manage.py procrastinate worker`, one job at a time each).

Two kinds of job:
- `bench.noop`: the queue's own cost (fetch with SKIP LOCKED, run, mark succeeded, its events);
- `notify.send`: the real SMS job on a pending Notification (claim pending → sending, the memory SMS backend,
  mark sent): what a worker does for each message of a reminder round.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wuye_bench_jobs .venv/bin/python bench/jobs.py

Creates and drops its own database. Options via environment: BENCH_JOBS (2000 a run), BENCH_DEFERS (500).
Workers, this process and PostgreSQL share the machine's cores.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
N_JOBS = int(os.environ.get("BENCH_JOBS", "2000"))
N_DEFERS = int(os.environ.get("BENCH_DEFERS", "500"))

SETTINGS = """
from wuye.settings.local import *  # noqa
DEBUG = False
WUYE = {**WUYE, "JOBS": "procrastinate", "SMS_BACKEND": "wuye.accounts.sms.MemorySmsBackend"}
PROCRASTINATE_IMPORT_PATHS = ["bench_jobs_tasks"]
DATABASES["default"]["CONN_MAX_AGE"] = 60
LOGGING = {"version": 1, "disable_existing_loggers": True}
"""
TASKS = """
from wuye.common.jobs import app


@app.task(name="bench.noop")
def noop(*, i: int) -> None:
    return None
"""


def admin_url() -> str:
    p = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/wuye_bench_jobs"))
    if not p.scheme.startswith("postgres"):
        sys.exit("bench/jobs.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    return p._replace(path="/postgres").geturl()


DB_NAME = urlparse(os.environ.get("DATABASE_URL", "/wuye_bench_jobs")).path.lstrip("/") or "wuye_bench_jobs"


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(sql)


def _count(sql: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)
        return int(cursor.fetchone()[0])


def start_workers(n: int, env: dict[str, str]) -> list[subprocess.Popen[bytes]]:
    procs = [
        subprocess.Popen(
            [sys.executable, "manage.py", "procrastinate", "worker", "--name", f"bench-{i}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(n)
    ]
    deadline = time.monotonic() + 60
    while _count("SELECT count(*) FROM procrastinate_workers") < n:
        if time.monotonic() > deadline:
            sys.exit("workers did not start")
        time.sleep(0.1)
    return procs


def stop_workers(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait(30)
    deadline = time.monotonic() + 10
    while _count("SELECT count(*) FROM procrastinate_workers") and time.monotonic() < deadline:
        time.sleep(0.1)


def drain_seconds(start: float) -> float:
    while _count("SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"):
        time.sleep(0.02)
    return time.monotonic() - start


def enqueue_noop() -> float:
    from django.db import transaction
    from procrastinate.contrib.django import app

    with transaction.atomic():
        app.tasks["bench.noop"].batch_defer(*[{"i": i} for i in range(N_JOBS)])
    return time.monotonic()


def enqueue_sms() -> float:
    from django.db import transaction

    from wuye.common.dates import now
    from wuye.notify.models import Channel, Notification, Status
    from wuye.notify.tasks import notification_send_job

    stamp = now()
    base = Notification.objects.count()
    rows = [
        Notification(
            key=f"bench:{base + i}",
            event="bench",
            text="测试消息",
            link="",
            created_at=stamp,
            channel=Channel.SMS,
            recipient=f"p:bench{base + i}",
            phone="10000000000",
            status=Status.PENDING,
            send_after=stamp,
        )
        for i in range(N_JOBS)
    ]
    with transaction.atomic():
        made = Notification.objects.bulk_create(rows)
        notification_send_job.batch_defer(*[{"notification_id": r.pk} for r in made])
    return time.monotonic()


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="wuye-bench-jobs-"))
    (tmp / "bench_jobs_settings.py").write_text(SETTINGS)
    (tmp / "bench_jobs_tasks.py").write_text(TASKS)
    url = urlparse(admin_url())._replace(path=f"/{DB_NAME}").geturl()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench_jobs_settings",
        "PYTHONPATH": f"{tmp}{os.pathsep}{ROOT}",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    os.environ.update(env)
    sys.path[:0] = [str(tmp), str(ROOT)]
    _admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{DB_NAME}"')
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, transaction

        call_command("migrate", verbosity=0)

        import bench_jobs_tasks  # the workers import it through PROCRASTINATE_IMPORT_PATHS

        from wuye.common.jobs import defer

        noop = bench_jobs_tasks.noop
        with connection.cursor() as c:  # the machine's floor: one plain INSERT per transaction, no queue
            c.execute("CREATE TABLE bench_commit (x int)")
        t0 = time.monotonic()
        for i in range(N_DEFERS):
            with transaction.atomic(), connection.cursor() as c:
                c.execute("INSERT INTO bench_commit VALUES (%s)", [i])
        commit_rate = N_DEFERS / (time.monotonic() - t0)
        t0 = time.monotonic()
        for i in range(N_DEFERS):
            with transaction.atomic():  # one request's transaction, one keyed job
                defer(noop, key=f"bench:{i}", i=i)
        defer_rate = N_DEFERS / (time.monotonic() - t0)
        print(
            f"jobs bench: PostgreSQL, procrastinate {__import__('procrastinate').__version__}, {os.cpu_count()} cores"
        )
        print(f"baseline: one plain INSERT per transaction: {commit_rate:.0f} commits/s")
        print(f"defer (one keyed job per transaction, as a request does): {defer_rate:.0f} defers/s")
        with connection.cursor() as c:
            c.execute("DELETE FROM procrastinate_jobs")
        for kind, enqueue in (("bench.noop", enqueue_noop), ("notify.send", enqueue_sms)):
            for workers in (1, 2):
                procs = start_workers(workers, env)
                try:
                    seconds = drain_seconds(enqueue())
                finally:
                    stop_workers(procs)
                done = _count("SELECT count(*) FROM procrastinate_jobs WHERE status = 'succeeded'")
                print(
                    f"{kind:12} {workers} worker(s): {N_JOBS} jobs in {seconds:.1f} s = "
                    f"{N_JOBS / seconds:.0f} jobs/s ({done} succeeded)"
                )
                with connection.cursor() as c:
                    c.execute("DELETE FROM procrastinate_jobs")
        from wuye.notify.models import Notification, Status

        sent = Notification.objects.filter(status=Status.SENT).count()
        print(
            f"notifications sent: {sent} of {Notification.objects.count()} (each once: claimed pending → sending)"
        )
    finally:
        from django.db import connections

        connections.close_all()
        _admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


if __name__ == "__main__":
    main()
