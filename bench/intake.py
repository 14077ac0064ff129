"""QR-form (扫码即办) submissions under load vs a bare Django view that inserts one row.

50 concurrent clients for 30 s each against a real server process (manage.py runserver, threaded) on PostgreSQL;
prints sustained submissions/s, p50/p99 latency, the ratio QR/bare, and counts the rows in the database after
each run: every acknowledged submission must be there exactly once (every 10th request is a retry of the previous
one with the same idempotency key, which must not add a row).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wuye_bench_intake .venv/bin/python bench/intake.py
Options via environment: BENCH_CLIENTS (50), BENCH_SECONDS (30), BENCH_PORT (8765).
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
DATABASES["default"]["CONN_MAX_AGE"] = 0
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


def start_server(env: dict[str, str]) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{PORT}", "--noreload"],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
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
    return stats


def restart(server: subprocess.Popen, env: dict[str, str]) -> subprocess.Popen:
    server.terminate()
    server.wait(timeout=10)
    return start_server(env)


def wait_for_suggestions(limit: float = 300.0) -> float:
    """Seconds until every bench lead has its triage suggestion (0 when triage makes none here)."""
    t0 = time.perf_counter()
    if not db_rows("SELECT 1 FROM triage_suggestion LIMIT 1"):
        return 0.0
    while time.perf_counter() - t0 < limit:
        missing = db_rows("SELECT count(*) FROM intake_lead l WHERE l.source_ref LIKE 'qr:b%' AND NOT EXISTS "
                          "(SELECT 1 FROM triage_suggestion s WHERE s.lead_id = l.id)")[0][0]
        if not missing:
            break
        time.sleep(0.2)
    return time.perf_counter() - t0


def db_rows(sql: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(bench_url()) as conn:
        return list(conn.execute(sql).fetchall())


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="wuye-bench-intake-"))
    (tmp / "bench_intake_settings.py").write_text(SETTINGS)
    (tmp / "bench_intake_urls.py").write_text(URLS)
    env = {**os.environ, "DATABASE_URL": bench_url(), "DJANGO_SETTINGS_MODULE": "bench_intake_settings",
           "PYTHONPATH": f"{tmp}{os.pathsep}{ROOT}", "PYTHONDONTWRITEBYTECODE": "1"}
    if os.environ.get("BENCH_BLAS_THREADS"):
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = os.environ["BENCH_BLAS_THREADS"]
    recreate_database()
    server = None
    try:
        prepare(env)
        server = start_server(env)
        print(f"intake bench: {CLIENTS} concurrent clients, {SECONDS:.0f} s per run, runserver (threaded), "
              "PostgreSQL, same machine")
        print("closed loop (each client sends again as soon as it has its answer) = capacity")
        bare = run("/bench/bare/", "bare view (1 INSERT)")
        qr = run(f"/q/{ESTATE}/", "QR form, hooks inline")
        all_keys = set(qr["keys"])  # type: ignore[arg-type]
        server = restart(server, {**env, "BENCH_LEAD_HOOKS": "background"})
        print("LEAD_HOOKS=background (triage suggestion in the worker thread; the time to drain counts)")
        qr_bg = run(f"/q/{ESTATE}/", "QR form, background")
        drain = wait_for_suggestions()
        bg_rps = qr_bg["acked"] / (SECONDS + drain)
        print(f"{'  incl. drain':<22} {bg_rps:8.1f} req/s   (queue drained {drain:.1f} s after the run)")
        all_keys |= qr_bg["keys"]  # type: ignore[arg-type]
        paced_rate = round(bg_rps * 0.5, 1)
        print(f"paced: the {CLIENTS} clients together send {paced_rate} req/s (half the QR capacity incl. drain)")
        bare_paced = run("/bench/bare/", "bare view, paced", rate=paced_rate)
        qr_paced = run(f"/q/{ESTATE}/", "QR form, paced", rate=paced_rate)
        wait_for_suggestions()
        all_keys |= qr_paced["keys"]  # type: ignore[arg-type]
        server = restart(server, {**env, "BENCH_NO_HOOKS": "1"})
        print("no lead-created hooks at all (the intake path alone)")
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
        print("---")
        print(f"ratio QR/bare: {qr['rps'] / bare['rps']:.2f} hooks inline, {bg_rps / bare['rps']:.2f} hooks in "
              f"background (incl. drain), {qr_alone['rps'] / bare['rps']:.2f} intake path alone   (target ≥ 0.5)")
        print(f"QR p99: {qr_paced['p99'] * 1000:.1f} ms at a sustained {paced_rate} req/s from {CLIENTS} clients "
              f"(bare {bare_paced['p99'] * 1000:.1f} ms); at saturation p99 is queueing: {qr_bg['p99'] * 1000:.0f} ms "
              "(target < 200 ms)")
        print(f"database after the runs: {len(qr_rows)} QR leads for {len(all_keys)} acknowledged submissions "
              f"(every 10th request a retry of the previous key): lost {lost}, duplicated {dup}, "
              f"stored-but-unacknowledged {extra}; bare rows {sum(c for _, c in bare_rows)} for {bare_acked} "
              "acknowledged")
        if lost or dup:
            sys.exit(1)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        drop_database()


if __name__ == "__main__":
    main()
