"""QR-form (扫码即办) submissions under load vs a bare Django view that inserts one row.

50 concurrent clients for 30 s each against a production-like server on PostgreSQL — gunicorn, 2 worker processes
× 8 threads (gthread), persistent database connections — serving BOTH the bare view and the QR form. Runs:
(a) lead-created hooks inline (triage's suggestion in the request), (b) LEAD_HOOKS="worker" with one
`manage.py lead_worker` process alongside (suggestion lag p50/p99 = lead creation → its Suggestion row, and the
time to drain after the run), (c) no hooks; then a paced run at a sustained rate (worker mode). Prints req/s,
p50/p99, the ratio QR/bare, and counts the rows in the database: every acknowledged submission must be there
exactly once (every 10th request is a retry of the previous one with the same idempotency key).
The client threads run on the same 2-core machine as the server, the worker and PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wuye_bench_intake .venv/bin/python bench/intake.py
Options via environment: BENCH_CLIENTS (50), BENCH_SECONDS (30), BENCH_PORT (8765), BENCH_RATE (paced req/s in
total, 20), BENCH_SERVER (gunicorn | runserver), BENCH_GUNICORN_WORKERS (2), BENCH_GUNICORN_THREADS (8),
BENCH_WORKER_NICE (10: the lead_worker's nice value, as in the systemd unit in docs/intake.md).
"""

import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "30"))
PORT = int(os.environ.get("BENCH_PORT", "8765"))
RATE = float(os.environ.get("BENCH_RATE", "20"))
SERVER = os.environ.get("BENCH_SERVER", "gunicorn")
GUNICORN_WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", "2"))
GUNICORN_THREADS = int(os.environ.get("BENCH_GUNICORN_THREADS", "8"))
WORKER_NICE = int(os.environ.get("BENCH_WORKER_NICE", "10"))
DB_NAME = "wuye_bench_intake"
ESTATE = "BENCH01"

SETTINGS = '''
from wuye.settings.local import *  # noqa
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench_intake_urls"
import os as _os
WUYE = {**WUYE, "INTAKE_RATE_LIMITS": {"qr_submit": (10**9, 60), "qr_view": (10**9, 60)},
        "LEAD_HOOKS": _os.environ.get("BENCH_LEAD_HOOKS", "inline")}
DATABASES["default"]["CONN_MAX_AGE"] = 0 if _os.environ.get("BENCH_SERVER") == "runserver" else 60
LOGGING = {"version": 1, "disable_existing_loggers": True}
'''
URLS = '''
from django.db import connection
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import include, path
from django.utils import timezone


def bare(request):
    """The floor: parse the POST and insert one row, nothing else."""
    with connection.cursor() as cur:
        cur.execute("INSERT INTO bench_bare (key, body, created_at) VALUES (%s, %s, %s)",
                    [request.POST.get("idem", ""), request.POST.get("text", ""), timezone.now()])
    return HttpResponseRedirect("/bench/done/")


def form(request):
    from django.middleware.csrf import get_token
    return HttpResponse(f'<input name="csrfmiddlewaretoken" value="{get_token(request)}">')


import os
if os.environ.get("BENCH_NO_HOOKS") == "1":
    # the intake path alone: no lead-created hooks (triage's suggestion runs inline on commit otherwise)
    from wuye.intake import hooks
    hooks._on_lead_created.clear()

urlpatterns = [path("bench/bare/", bare), path("bench/form/", form), path("", include("wuye.urls"))]
'''


def admin_url() -> str:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    p = urlparse(url)
    if not p.scheme.startswith("postgres"):
        sys.exit("bench/intake.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    return p._replace(path="/postgres").geturl()


def bench_url() -> str:
    return urlparse(admin_url())._replace(path=f"/{DB_NAME}").geturl()


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def drop_database() -> None:
    import psycopg

    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def prepare(env: dict[str, str]) -> None:
    code = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('CREATE TABLE bench_bare (id bigserial primary key, key varchar(80) not null, "
        "body text not null, created_at timestamptz not null)')\n"
        "from wuye.common.testing import make_company, make_estate\n"
        f"make_estate(company=make_company(), name='压测花园', code='{ESTATE}')\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True)


def server_command() -> list[str]:
    if SERVER == "runserver":
        return [sys.executable, "manage.py", "runserver", f"127.0.0.1:{PORT}", "--noreload"]
    return [str(Path(sys.executable).with_name("gunicorn")), "wuye.wsgi:application", "-b", f"127.0.0.1:{PORT}",
            "-k", "gthread", "-w", str(GUNICORN_WORKERS), "--threads", str(GUNICORN_THREADS),
            "--keep-alive", "5", "--backlog", "2048", "--log-level", "warning"]


def start_server(env: dict[str, str]) -> subprocess.Popen:
    proc = subprocess.Popen(server_command(), env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(150):
        try:
            c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            c.request("GET", "/bench/form/")
            c.getresponse().read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    sys.exit("server did not start")


def multipart(fields: dict[str, str]) -> tuple[bytes, str]:
    boundary = "----wuye" + uuid.uuid4().hex
    parts = []
    for k, v in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n')
    parts.append(f'--{boundary}--\r\n')
    return "".join(parts).encode(), f"multipart/form-data; boundary={boundary}"


def client_loop(n: int, path: str, deadline: float, latencies: list[float], acked: set[str],
                counts: dict[str, int], lock: threading.Lock, interval: float = 0.0, run_tag: str = "") -> None:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    conn.request("GET", "/bench/form/")
    resp = conn.getresponse()
    token = re.search(r'value="([^"]+)"', resp.read().decode()).group(1)
    cookie = resp.getheader("Set-Cookie").split(";")[0]
    i, previous = 0, None
    local_lat, local_acked, errors = [], [], 0
    next_at = time.perf_counter() + (interval * n / max(1, CLIENTS))  # spread the paced clients out
    while time.perf_counter() < deadline:
        if interval:
            pause = next_at - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            next_at += interval
            if time.perf_counter() >= deadline:
                break
        i += 1
        key = previous if (previous and i % 10 == 0) else f"b{run_tag}{n:03d}x{i:07d}"
        body, ctype = multipart({"csrfmiddlewaretoken": token, "idem": key,
                                 "text": f"压测：{n} 号客户端第 {i} 次反映，3栋电梯停运", "category": "3.1"})
        headers = {"Content-Type": ctype, "Cookie": cookie, "Referer": f"http://127.0.0.1:{PORT}/"}
        t0 = time.perf_counter()
        try:
            conn.request("POST", path, body=body, headers=headers)
            r = conn.getresponse()
            r.read()
            status = r.status
            if r.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        except (OSError, http.client.HTTPException):
            status = 0
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        local_lat.append(time.perf_counter() - t0)
        if status == 302:
            local_acked.append(key)
            previous = key
        else:
            errors += 1
    with lock:
        latencies.extend(local_lat)
        acked.update(local_acked)
        counts["requests"] += len(local_lat)
        counts["errors"] += errors
    conn.close()


def run(path: str, label: str, rate: float = 0.0) -> dict[str, float]:
    """Closed loop (rate 0: each client sends as fast as answers come) or paced (rate req/s in total)."""
    latencies: list[float] = []
    acked: set[str] = set()
    counts = {"requests": 0, "errors": 0}
    lock = threading.Lock()
    start = time.perf_counter()
    deadline = start + SECONDS
    interval = CLIENTS / rate if rate else 0.0
    run_tag = uuid.uuid4().hex[:6]  # keys unique per run: a later run must not hit an earlier run's leads
    threads = [threading.Thread(target=client_loop,
                                args=(n, path, deadline, latencies, acked, counts, lock, interval, run_tag))
               for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else float("nan")
    stats = {"rps": counts["requests"] / elapsed, "p50": statistics.median(latencies) if latencies else 0,
             "p99": p99, "requests": counts["requests"], "errors": counts["errors"], "acked": len(acked)}
    print(f"{label:<22} {stats['rps']:8.1f} req/s   p50 {stats['p50'] * 1000:6.1f} ms   "
          f"p99 {stats['p99'] * 1000:6.1f} ms   requests {counts['requests']}   errors {counts['errors']}")
    stats["keys"] = acked  # type: ignore[assignment]
    stats["tag"] = run_tag  # type: ignore[assignment]
    return stats


def restart(server: subprocess.Popen, env: dict[str, str]) -> subprocess.Popen:
    stop(server)
    return start_server(env)


def wait_for_suggestions(tag: str = "", limit: float = 300.0, pattern: str = "") -> float:
    """Seconds until every lead of the run `tag` has its triage suggestion (0 when triage makes none here)."""
    pattern = pattern or f"qr:b{tag}%"
    t0 = time.perf_counter()
    if not db_rows("SELECT 1 FROM triage_suggestion LIMIT 1"):
        return 0.0
    while time.perf_counter() - t0 < limit:
        missing = db_rows(f"SELECT count(*) FROM intake_lead l WHERE l.source_ref LIKE '{pattern}' AND NOT EXISTS "
                          "(SELECT 1 FROM triage_suggestion s WHERE s.lead_id = l.id)")[0][0]
        if not missing:
            break
        time.sleep(0.1)
    return time.perf_counter() - t0


def suggestion_lag(tag: str) -> tuple[float, float, int]:
    """p50, p99 seconds from a lead's creation to its Suggestion row, for the leads of run `tag`."""
    row = db_rows(
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY d), percentile_cont(0.99) WITHIN GROUP (ORDER BY d), "
        "count(*) FROM (SELECT extract(epoch FROM s.created_at - l.created_at) AS d FROM intake_lead l "
        f"JOIN triage_suggestion s ON s.lead_id = l.id WHERE l.source_ref LIKE 'qr:b{tag}%') t")[0]
    return float(row[0] or 0), float(row[1] or 0), int(row[2])


def start_lead_worker(env: dict[str, str]) -> subprocess.Popen:
    """One `manage.py lead_worker`, at nice WORKER_NICE as deployed (systemd Nice=10): requests get the CPU first."""
    return subprocess.Popen(["nice", "-n", str(WORKER_NICE), sys.executable, "manage.py", "lead_worker",
                             "--interval", "0.5"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL)


def stop(proc: subprocess.Popen | None) -> None:
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def warm_up() -> None:
    """A few submissions on fresh connections before a timed run (each server process loads what it needs)."""
    for _ in range(GUNICORN_WORKERS * 4):
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        conn.request("GET", "/bench/form/")
        resp = conn.getresponse()
        token = re.search(r'value="([^"]+)"', resp.read().decode()).group(1)
        cookie = resp.getheader("Set-Cookie").split(";")[0]
        body, ctype = multipart({"csrfmiddlewaretoken": token, "idem": "warm" + uuid.uuid4().hex,
                                 "text": "预热：楼道灯坏了"})
        conn.request("POST", f"/q/{ESTATE}/", body=body,
                     headers={"Content-Type": ctype, "Cookie": cookie, "Referer": f"http://127.0.0.1:{PORT}/"})
        conn.getresponse().read()
        conn.close()


def db_rows(sql: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(bench_url()) as conn:
        return list(conn.execute(sql).fetchall())


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="wuye-bench-intake-"))
    (tmp / "bench_intake_settings.py").write_text(SETTINGS)
    (tmp / "bench_intake_urls.py").write_text(URLS)
    env = {**os.environ, "DATABASE_URL": bench_url(), "DJANGO_SETTINGS_MODULE": "bench_intake_settings",
           "PYTHONPATH": f"{tmp}{os.pathsep}{ROOT}", "PYTHONDONTWRITEBYTECODE": "1", "BENCH_SERVER": SERVER}
    if os.environ.get("BENCH_BLAS_THREADS"):
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = os.environ["BENCH_BLAS_THREADS"]
    worker_env = {**env, "BENCH_LEAD_HOOKS": "worker"}
    recreate_database()
    server = worker = None
    try:
        prepare(env)
        server = start_server(env)
        where = (f"gunicorn -k gthread -w {GUNICORN_WORKERS} --threads {GUNICORN_THREADS}" if SERVER == "gunicorn"
                 else "manage.py runserver (threaded, one process)")
        print(f"intake bench: {CLIENTS} concurrent clients, {SECONDS:.0f} s per run, {where}, PostgreSQL; "
              "clients, server, worker and database share the same 2 cores")
        print("closed loop (each client sends again as soon as it has its answer) = capacity")
        warm_up()
        bare = run("/bench/bare/", "bare view (1 INSERT)")
        qr = run(f"/q/{ESTATE}/", "QR form, hooks inline")
        all_keys = set(qr["keys"])  # type: ignore[arg-type]

        server = restart(server, worker_env)
        worker = start_lead_worker(worker_env)
        warm_up()
        wait_for_suggestions(limit=60, pattern="qr:warm%")  # the worker has loaded its model
        print(f"LEAD_HOOKS=worker: the request commits the lead; one `manage.py lead_worker` (nice {WORKER_NICE}) "
              "runs triage")
        qr_w = run(f"/q/{ESTATE}/", "QR form, worker mode")
        drain = wait_for_suggestions(str(qr_w["tag"]))
        lag50, lag99, with_suggestion = suggestion_lag(str(qr_w["tag"]))
        w_incl = qr_w["acked"] / (SECONDS + drain)
        print(f"{'  incl. drain':<22} {w_incl:8.1f} req/s   (worker drained {drain:.1f} s after the run; "
              f"suggestion lag p50 {lag50:.2f} s, p99 {lag99:.2f} s over {with_suggestion} leads)")
        all_keys |= qr_w["keys"]  # type: ignore[arg-type]

        print(f"paced: the {CLIENTS} clients together send {RATE:g} req/s (LEAD_HOOKS=worker, worker running)")
        bare_paced = run("/bench/bare/", "bare view, paced", rate=RATE)
        qr_paced = run(f"/q/{ESTATE}/", "QR form, paced", rate=RATE)
        paced_drain = wait_for_suggestions(str(qr_paced["tag"]))
        plag50, plag99, _ = suggestion_lag(str(qr_paced["tag"]))
        print(f"{'  suggestion lag':<22} p50 {plag50:.2f} s   p99 {plag99:.2f} s   (drained {paced_drain:.1f} s "
              "after the run)")
        all_keys |= qr_paced["keys"]  # type: ignore[arg-type]
        stop(worker)
        worker = None

        server = restart(server, {**env, "BENCH_NO_HOOKS": "1"})
        print("no lead-created hooks at all (the intake path alone)")
        warm_up()
        qr_alone = run(f"/q/{ESTATE}/", "QR form, no hooks")
        all_keys |= qr_alone["keys"]  # type: ignore[arg-type]

        bare_acked = sum(r["requests"] - r["errors"] for r in (bare, bare_paced))
        bare_rows = db_rows("SELECT key, count(*) FROM bench_bare GROUP BY key")
        qr_rows = db_rows("SELECT source_ref, count(*) FROM intake_lead WHERE source_ref LIKE 'qr:b%' "
                          "GROUP BY source_ref")
        qr_keys = {ref.removeprefix("qr:") for ref, _ in qr_rows}
        lost = len(all_keys - qr_keys)
        dup = sum(c - 1 for _, c in qr_rows if c > 1)
        extra = len(qr_keys - all_keys)
        unprocessed = db_rows("SELECT count(*) FROM intake_lead l WHERE l.source_ref LIKE ANY (ARRAY["
                              f"'qr:b{qr_w['tag']}%', 'qr:b{qr_paced['tag']}%']) AND NOT EXISTS "
                              "(SELECT 1 FROM triage_suggestion s WHERE s.lead_id = l.id)")[0][0]
        print("---")
        print(f"ratio QR/bare: {qr['rps'] / bare['rps']:.2f} hooks inline, {qr_w['rps'] / bare['rps']:.2f} worker "
              f"mode ({w_incl / bare['rps']:.2f} incl. drain), {qr_alone['rps'] / bare['rps']:.2f} no hooks "
              "(target ≥ 0.5)")
        print(f"QR p99 at saturation: {qr['p99'] * 1000:.0f} ms inline, {qr_w['p99'] * 1000:.0f} ms worker mode, "
              f"{qr_alone['p99'] * 1000:.0f} ms no hooks (bare {bare['p99'] * 1000:.0f} ms); paced {RATE:g} req/s: "
              f"QR {qr_paced['p99'] * 1000:.1f} ms, bare {bare_paced['p99'] * 1000:.1f} ms (target < 200 ms)")
        print(f"database after the runs: {len(qr_rows)} QR leads for {len(all_keys)} acknowledged submissions "
              f"(every 10th request a retry of the previous key): lost {lost}, duplicated {dup}, "
              f"stored-but-unacknowledged {extra}; worker-mode leads without a suggestion {unprocessed}; "
              f"bare rows {sum(c for _, c in bare_rows)} for {bare_acked} acknowledged")
        if lost or dup:
            sys.exit(1)
    finally:
        stop(worker)
        stop(server)
        drop_database()


if __name__ == "__main__":
    main()
