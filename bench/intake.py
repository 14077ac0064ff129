"""QR-form (扫码即办) submissions under load vs a bare Django view that inserts one row, on PostgreSQL.

Both are served by the same server, configured as deployed (docs/intake.md): gunicorn with 4 sync workers
(behind nginx each request arrives on its own connection, so the clients reconnect when gunicorn closes),
persistent database connections, `JOBS="procrastinate"` and one `manage.py procrastinate worker` beside it at nice 10 in
the idle scheduling class. 50 concurrent clients (asyncio, over 2 processes: bench/_httpload.py) post the form's fields.

1. Capacity: closed loop for 30 s (each client sends again as soon as it has its answer). Here latency is queueing
   by construction (Little's law: mean latency = 50 / throughput), so its p99 says how fast the machine is.
2. Sustained rate (the target): the highest rate the 50 clients can send for 30 s with p99 under 200 ms and no
   error, found by a short search and confirmed by a full 30 s run; a paced request's latency counts from when
   it was scheduled, so a server that falls behind is charged for it. Ratio = QR's sustained rate / bare's.
3. A county's real rate (20 req/s, BENCH_RATE) with the suggestion lag; then the intake path with no hooks and
   with triage inline in the request (why production runs the worker).
Then it counts the rows: every acknowledged submission must be in the database exactly once (every 10th request
re-sends the previous idempotency key, as a resident's retry would).
Clients, server, worker and PostgreSQL share the machine's 2 cores.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wuye_bench_intake .venv/bin/python bench/intake.py
Options via environment: BENCH_CLIENTS (50), BENCH_SECONDS (30), BENCH_PORT (8765), BENCH_RATE (20),
BENCH_SLO_MS (200), BENCH_SEARCH_STEPS (5), BENCH_SEARCH_SECONDS (10), BENCH_CLIENT_PROCESSES (2),
BENCH_GUNICORN_CLASS (sync | gthread), BENCH_GUNICORN_WORKERS (4),
BENCH_GUNICORN_THREADS (8, gthread only), BENCH_WORKER_NICE (10), BENCH_WORKER_SCHED
(idle | normal), BENCH_SKIP_INLINE (0).
"""

import http.client
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import _httpload  # noqa: E402
from _httpload import Result, multipart  # noqa: E402

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "30"))
PORT = int(os.environ.get("BENCH_PORT", "8765"))
RATE = float(os.environ.get("BENCH_RATE", "20"))
SLO_P99 = float(os.environ.get("BENCH_SLO_MS", "200")) / 1000
SEARCH_STEPS = int(os.environ.get("BENCH_SEARCH_STEPS", "5"))
SEARCH_SECONDS = float(os.environ.get("BENCH_SEARCH_SECONDS", "10"))
CLIENT_PROCESSES = int(os.environ.get("BENCH_CLIENT_PROCESSES", "2"))
GUNICORN_CLASS = os.environ.get("BENCH_GUNICORN_CLASS", "sync")
GUNICORN_WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", "4"))
GUNICORN_THREADS = int(os.environ.get("BENCH_GUNICORN_THREADS", "8"))
WORKER_NICE = int(os.environ.get("BENCH_WORKER_NICE", "10"))
WORKER_SCHED = os.environ.get("BENCH_WORKER_SCHED", "idle")
SKIP_INLINE = os.environ.get("BENCH_SKIP_INLINE") == "1"
ALL_RUNS: list[Result] = []  # every load, search steps included: their leads are counted too
DB_NAME = "wuye_bench_intake"
ESTATE = "BENCH01"

SETTINGS = """
from wuye.settings.local import *  # noqa
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench_intake_urls"
import os as _os
WUYE = {**WUYE, "INTAKE_RATE_LIMITS": {"qr_submit": (10**9, 60), "qr_view": (10**9, 60)},
        "JOBS": _os.environ.get("BENCH_JOBS", "inline")}
DATABASES["default"]["CONN_MAX_AGE"] = 60
LOGGING = {"version": 1, "disable_existing_loggers": True}
"""
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
        "from wuye.testing import make_company, make_estate\n"
        f"make_estate(company=make_company(), name='压测花园', code='{ESTATE}')\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True)


def server_command() -> list[str]:
    worker = (
        ["-k", "gthread", "--threads", str(GUNICORN_THREADS), "--keep-alive", "5"]
        if GUNICORN_CLASS == "gthread"
        else ["-k", "sync"]
    )
    return [
        str(Path(sys.executable).with_name("gunicorn")),
        "wuye.wsgi:application",
        "-b",
        f"127.0.0.1:{PORT}",
        "-w",
        str(GUNICORN_WORKERS),
        *worker,
        "--backlog",
        "2048",
        "--log-level",
        "warning",
    ]


def server_label() -> str:
    if GUNICORN_CLASS == "gthread":
        return f"gunicorn -k gthread -w {GUNICORN_WORKERS} --threads {GUNICORN_THREADS}"
    return f"gunicorn -k sync -w {GUNICORN_WORKERS} (a new connection per request, as behind nginx)"


def start_server(env: dict[str, str]) -> subprocess.Popen:
    proc = subprocess.Popen(
        server_command(), env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
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


def load(
    path: str, label: str, *, rate: float = 0.0, seconds: float = SECONDS, quiet: bool = False
) -> Result:
    """50 clients (over CLIENT_PROCESSES processes): closed loop (rate 0) or paced at `rate` req/s in total."""
    result = _httpload.run(
        host="127.0.0.1",
        port=PORT,
        path=path,
        form_path="/bench/form/",
        clients=CLIENTS,
        seconds=seconds,
        rate=rate,
        processes=CLIENT_PROCESSES,
    )
    ALL_RUNS.append(result)
    if not quiet:
        print(result.line(label))
    return result


def meets_slo(r: Result) -> bool:
    """Every request answered 302, p99 under the target, and the offered rate was carried (≥ 97 %)."""
    return r.errors == 0 and r.p99 < SLO_P99 and r.requests >= 0.97 * r.rate * r.seconds


def sustained(path: str, label: str, capacity: float) -> Result:
    """The highest paced rate the 50 clients can send for SECONDS while p99 stays under SLO_P99.

    Search with SEARCH_STEPS runs of SEARCH_SECONDS (start at 0.6 × closed-loop capacity, then bisect), then confirm
    the best passing rate with a full SECONDS run (10 % lower, up to 3 times, if the confirmation misses)."""
    lo, hi, rate = 0.0, capacity * 1.05, capacity * 0.6
    steps = []
    for _ in range(SEARCH_STEPS):
        r = load(path, label, rate=rate, seconds=SEARCH_SECONDS, quiet=True)
        passed = meets_slo(r)
        steps.append(f"{rate:.0f}{'✓' if passed else '✗'}({r.p99 * 1000:.0f} ms)")
        lo, hi = (rate, hi) if passed else (lo, rate)
        rate = (lo + hi) / 2 if lo else hi * 0.6
    print(f"{'  search ' + label:<30} offered req/s → p99: {'  '.join(steps)}")
    rate = lo or hi * 0.5
    for _ in range(3):
        final = load(path, f"{label} @{rate:.0f}", rate=rate)
        if meets_slo(final):
            break
        rate *= 0.9
    return final


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
        missing = db_rows(
            f"SELECT count(*) FROM intake_lead l WHERE l.source_ref LIKE '{pattern}' AND NOT EXISTS "
            "(SELECT 1 FROM triage_suggestion s WHERE s.lead_id = l.id)"
        )[0][0]
        if not missing:
            break
        time.sleep(0.1)
    return time.perf_counter() - t0


def suggestion_lag(tag: str) -> tuple[float, float, int]:
    """p50, p99 seconds from a lead's creation to its Suggestion row, for the leads of run `tag`."""
    row = db_rows(
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY d), percentile_cont(0.99) WITHIN GROUP (ORDER BY d), "
        "count(*) FROM (SELECT extract(epoch FROM s.created_at - l.created_at) AS d FROM intake_lead l "
        f"JOIN triage_suggestion s ON s.lead_id = l.id WHERE l.source_ref LIKE 'qr:b{tag}%') t"
    )[0]
    return float(row[0] or 0), float(row[1] or 0), int(row[2])


def start_lead_worker(env: dict[str, str]) -> subprocess.Popen:
    """One `manage.py procrastinate worker` as deployed: nice WORKER_NICE, and with BENCH_WORKER_SCHED=idle under the idle
    scheduling class (systemd CPUSchedulingPolicy=idle), so residents' requests get the CPU first."""
    prefix = ["chrt", "--idle", "0"] if WORKER_SCHED == "idle" else []
    return subprocess.Popen(
        [
            *prefix,
            "nice",
            "-n",
            str(WORKER_NICE),
            sys.executable,
            "manage.py",
            "procrastinate",
            "worker",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )


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
        boundary = "----wuye" + uuid.uuid4().hex
        body = multipart(
            {"csrfmiddlewaretoken": token, "idem": "warm" + uuid.uuid4().hex, "text": "预热：楼道灯坏了"},
            boundary,
        )
        conn.request(
            "POST",
            f"/q/{ESTATE}/",
            body=body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Cookie": cookie,
                "Referer": f"http://127.0.0.1:{PORT}/",
            },
        )
        conn.getresponse().read()
        conn.close()


def db_rows(sql: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(bench_url()) as conn:
        return list(conn.execute(sql).fetchall())


def lag_line(r: Result) -> str:
    drain = wait_for_suggestions(r.tag)
    lag50, lag99, n = suggestion_lag(r.tag)
    return (
        f"{'':<30} triage suggestions: lag p50 {lag50:.2f} s, p99 {lag99:.2f} s over {n} leads; "
        f"the worker finished {drain:.1f} s after the run"
    )


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="wuye-bench-intake-"))
    (tmp / "bench_intake_settings.py").write_text(SETTINGS)
    (tmp / "bench_intake_urls.py").write_text(URLS)
    env = {
        **os.environ,
        "DATABASE_URL": bench_url(),
        "DJANGO_SETTINGS_MODULE": "bench_intake_settings",
        "PYTHONPATH": f"{tmp}{os.pathsep}{ROOT}",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    worker_env = {**env, "BENCH_JOBS": "procrastinate"}
    bare_path, qr_path = "/bench/bare/", f"/q/{ESTATE}/"
    recreate_database()
    server = worker = None
    try:
        prepare(env)
        server = start_server(worker_env)
        worker = start_lead_worker(worker_env)
        warm_up()
        wait_for_suggestions(limit=60, pattern="qr:warm%")  # the worker has loaded its model
        print(
            f"intake bench: {CLIENTS} concurrent clients, PostgreSQL, {server_label()}, JOBS=procrastinate with one procrastinate worker at nice {WORKER_NICE}"
            f"{' (idle class)' if WORKER_SCHED == 'idle' else ''}; "
            "clients, server, worker and database share the machine's 2 cores"
        )
        print(
            f"1. capacity: closed loop, {SECONDS:.0f} s each (latency here is queueing: mean ≈ {CLIENTS} / req/s)"
        )
        bare_cap = load(bare_path, "bare view (1 INSERT)")
        qr_cap = load(qr_path, "QR form")
        print(lag_line(qr_cap))

        print(
            f"2. sustained: the highest rate with p99 < {SLO_P99 * 1000:.0f} ms and no errors, "
            f"{SECONDS:.0f} s at that rate (search: {SEARCH_STEPS} runs of {SEARCH_SECONDS:.0f} s)"
        )
        bare_sus = sustained(bare_path, "bare view", bare_cap.rps)
        qr_sus = sustained(qr_path, "QR form", qr_cap.rps)
        print(lag_line(qr_sus))

        print(f"3. a county's rate: {RATE:g} req/s in total")
        load(bare_path, "bare view, paced", rate=RATE)
        qr_paced = load(qr_path, "QR form, paced", rate=RATE)
        print(lag_line(qr_paced))
        stop(worker)
        worker = None

        server = restart(server, {**env, "BENCH_NO_HOOKS": "1"})
        warm_up()
        qr_alone = load(qr_path, "QR form, no hooks at all")
        qr_inline = None
        if not SKIP_INLINE:
            server = restart(server, env)
            warm_up()
            qr_inline = load(qr_path, "QR form, triage inline")

        acked = set().union(*(r.acked for r in ALL_RUNS if r.path == qr_path))
        qr_rows = db_rows(
            "SELECT source_ref, count(*) FROM intake_lead WHERE source_ref LIKE 'qr:b%' GROUP BY source_ref"
        )
        qr_keys = {ref.removeprefix("qr:") for ref, _ in qr_rows}
        lost, dup, extra = len(acked - qr_keys), sum(c - 1 for _, c in qr_rows if c > 1), len(qr_keys - acked)
        bare_acked = set().union(*(r.acked for r in ALL_RUNS if r.path == bare_path))
        bare_rows = db_rows("SELECT count(*), count(DISTINCT key) FROM bench_bare")[0]
        # a lead whose intake.lead_created job succeeded must have its suggestion
        unprocessed = db_rows(
            "SELECT count(*) FROM procrastinate_jobs j WHERE j.task_name = 'intake.lead_created' "
            "AND j.status = 'succeeded' AND NOT EXISTS "
            "(SELECT 1 FROM triage_suggestion s WHERE s.lead_id = (j.args->>'lead_id')::bigint)"
        )[0][0]
        ratio = qr_sus.rps / bare_sus.rps
        print("---")
        print(
            f"sustained with p99 < {SLO_P99 * 1000:.0f} ms ({CLIENTS} clients, {SECONDS:.0f} s): QR form "
            f"{qr_sus.rps:.1f} req/s (p99 {qr_sus.p99 * 1000:.0f} ms), bare view {bare_sus.rps:.1f} req/s "
            f"(p99 {bare_sus.p99 * 1000:.0f} ms): ratio {ratio:.2f} (target ≥ 0.5)"
        )
        print(
            f"capacity (closed loop): QR {qr_cap.rps:.1f} req/s, bare {bare_cap.rps:.1f} req/s: ratio "
            f"{qr_cap.rps / bare_cap.rps:.2f}; p99 {qr_cap.p99 * 1000:.0f} ms / {bare_cap.p99 * 1000:.0f} ms; "
            f"no hooks {qr_alone.rps / bare_cap.rps:.2f}"
            + (f", triage inline {qr_inline.rps / bare_cap.rps:.2f}" if qr_inline else "")
        )
        print(
            f"database after the runs: {len(qr_rows)} QR leads for {len(acked)} acknowledged submissions: lost "
            f"{lost}, duplicated {dup}, stored but unacknowledged {extra}; processed leads without a suggestion "
            f"{unprocessed}; bare rows {bare_rows[0]} ({bare_rows[1]} keys) for {len(bare_acked)} acknowledged"
        )
        if lost or dup:
            sys.exit(1)
    finally:
        stop(worker)
        stop(server)
        drop_database()


if __name__ == "__main__":
    main()
