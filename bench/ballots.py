"""Ballots through the service with writers as processes (as gunicorn workers would run them), beside the old figure.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wuye_bench_ballots .venv/bin/python bench/ballots.py

Creates (and drops, unless BENCH_KEEP=1) its own database. One estate of BENCH_UNITS units (default 4,000). Every
run casts BENCH_CASTS ballots (default 1,500) through `voting.services.ballot_cast` on a fresh open assembly (or,
"mixed", the same number of audited writes: half ballots, half estate registrations through
`registry.services.estate_save`), each in its own transaction. Writers are separate processes, each with its own
Django setup and database connection, started and made ready (connected, users loaded) before the clock starts.

The runs, in one go:
- "before (old code)": the code at BENCH_BEFORE_REF (default: the commit before the ballot path was cut down),
  exported with `git archive`, with AUDIT_CHAINS = 1 and 16 threads in one process — the issue's measurement
  (99 ballots/s, p99 485 ms). Skipped with BENCH_BEFORE_REF="".
- "before": the current code with the same configuration (1 chain, 16 threads in one process).
- DB_SERVER_SIDE_BINDING=1 in the environment applies to this code's runs (the old code has no such setting).
- "after": AUDIT_CHAINS = 16, 1, 4 and 16 writer processes (one thread each; BENCH_WRITERS, where "4x4" means 4
  processes of 4 threads: 16 writers as 4 gunicorn workers of 4 threads would serve them); ballots, then mixed
  writes (BENCH_MIXED=0 skips the mixed runs).

Prints writes/s, p50 and p99 for each, the ratio of 16 processes to each "before", where the time goes (CPU ms
per write in the writer processes and in their PostgreSQL backends, from /proc), and `audit_verify` at the end.
"""

import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BEFORE_REF = os.environ.get("BENCH_BEFORE_REF", "e84749e")
CASTS = int(os.environ.get("BENCH_CASTS", "1500"))
# (processes, threads each): "16" is 16 processes of one thread, "4x4" 4 processes of 4 threads
WRITERS = [
    (int(p), int(t or 1))
    for p, _, t in (w.partition("x") for w in os.environ.get("BENCH_WRITERS", "1,4,16").split(","))
]


def _writers(procs: int, threads: int) -> str:
    return f"{procs} processes" if threads == 1 else f"{procs} processes x {threads} threads"


MIXED = os.environ.get("BENCH_MIXED", "1") == "1"


# --- the writer process ----------------------------------------------------------------------------------------


def worker(job_file: str, index: int, procs: int, threads: int) -> None:
    """One writer process: set Django up (from the code root in the job), take every procs-th job, wait for "go"
    on stdin, run them on `threads` threads, print the latencies as one JSON line, wait for "exit"."""
    job = json.loads(Path(job_file).read_text())
    sys.path.insert(0, job["root"])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuye.settings.local")
    os.environ.setdefault("DEBUG", "0")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections

    import wuye
    from wuye.accounts.models import User
    from wuye.kernel.actors import SystemActor
    from wuye.registry import services as registry
    from wuye.registry.models import Town
    from wuye.voting import services
    from wuye.voting.models import Assembly

    assert Path(wuye.__file__).resolve().is_relative_to(Path(job["root"]).resolve()), wuye.__file__
    overrides = {"AUDIT_CHAINS": job["chains"], "SMS_BACKEND": "wuye.accounts.sms.MemorySmsBackend"}
    try:  # this code: the receipt SMS is a job, deferred in the ballot's transaction as in production
        import wuye.common.jobs  # noqa: F401

        overrides["JOBS"] = "procrastinate"
    except ImportError:  # the old code sent it on commit (patched out below)
        pass
    settings.WUYE = {**settings.WUYE, **overrides}
    services.sms_send = lambda phone, text: None  # type: ignore[assignment]
    mine = job["jobs"][index::procs]
    users = {u.pk: u for u in User.objects.filter(pk__in=[a for k, a in mine if k == "ballot"])}
    assembly = Assembly.objects.get(pk=job["assembly"])
    town = Town.objects.get(pk=job["town"])
    demo = SystemActor("demo")
    jobs = list(reversed(mine))
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    connections.close_all()  # each thread opens its own connection below, before the clock starts

    ready = threading.Barrier(threads + 1)

    def run() -> None:
        try:
            User.objects.filter(pk=0).exists()  # connect
            ready.wait()
            go.wait()
            while True:
                with lock:
                    if not jobs:
                        return
                    kind, arg = jobs.pop()
                t = time.perf_counter()
                try:
                    if kind == "ballot":
                        services.ballot_cast(actor=users[arg], assembly=assembly, choices={"M1": "agree"})
                    else:
                        registry.estate_save(
                            actor=demo,
                            town=town,
                            code=f"B{job['stamp']}{arg}",
                            name=f"基准小区{job['stamp']}-{arg}",
                        )
                except Exception as exc:  # noqa: BLE001 — counted and reported, the run goes on
                    with lock:
                        errors.append(repr(exc)[:200])
                else:
                    with lock:
                        latencies.append((time.perf_counter() - t) * 1000)
                with lock:
                    if len(latencies) + len(errors) == len(mine):
                        done.set()
        finally:
            finished.wait()  # the parent reads the backends' CPU before they go
            connections.close_all()

    go, done, finished = threading.Event(), threading.Event(), threading.Event()
    pool = [threading.Thread(target=run) for _ in range(threads)]
    for th in pool:
        th.start()
    ready.wait()
    print(json.dumps({"ready": os.getpid()}), flush=True)
    sys.stdin.readline()
    cpu0 = time.process_time()
    go.set()
    done.wait()
    end = time.time()
    cpu = time.process_time() - cpu0
    print(json.dumps({"latencies": latencies, "errors": errors, "end": end, "cpu": cpu}), flush=True)
    sys.stdin.readline()
    finished.set()
    for th in pool:
        th.join()


# --- the parent ------------------------------------------------------------------------------------------------


def _backend_cpu(pids: list[int]) -> float:
    """CPU seconds used so far by these processes (PostgreSQL backends), from /proc/<pid>/schedstat (ns)."""
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
        except OSError:
            continue
    return total / 1e9


def _old_tree(ref: str) -> Path:
    out = Path(tempfile.mkdtemp(prefix="wuye-before-"))
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "wuye"], check=True, capture_output=True
    )
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive.stdout, check=True)
    return out


def main() -> None:
    sys.path.insert(0, str(HERE))
    from _pg import bench_database, run_in_fresh_database

    url = bench_database("wuye_bench_ballots")
    run_in_fresh_database(url, lambda: run(url))


def run(url: str) -> None:
    import django

    os.environ.setdefault("BENCH_UNITS", "4000")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from voting import build_estate  # bench/voting.py

    from wuye.accounts.models import Role, User
    from wuye.accounts.services import staff_user_create
    from wuye.common.dates import now
    from wuye.kernel.actors import SystemActor
    from wuye.voting import services
    from wuye.voting.models import ElectorVoter

    call_command("migrate", verbosity=0)
    estate, owners = build_estate(random.Random(11))
    committee = staff_user_create(
        actor=SystemActor("demo"),
        username="bench-committee",
        password=None,
        role=Role.COMMITTEE_MEMBER,
        estate_id=estate.pk,
    )
    print(
        f"estate of {os.environ['BENCH_UNITS']} units, {len(owners):,} owners; {CASTS} writes per run; {os.cpu_count()} cores; "
        f"DB_SERVER_SIDE_BINDING={os.environ.get('DB_SERVER_SIDE_BINDING', '0')} (this code's runs); "
        f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    old_root = _old_tree(BEFORE_REF) if BEFORE_REF else None
    dbname = connection.settings_dict["NAME"]

    def assembly_and_users() -> tuple[int, list[int]]:
        a = services.assembly_create(
            actor=committee,
            estate=estate,
            title=f"基准：选票 {time.monotonic_ns()}",
            notice="基准测试",
            vote_start=now() - dt.timedelta(hours=1),
            vote_end=now() + dt.timedelta(days=7),
        )
        services.motion_add(actor=committee, assembly=a, item=4, title="选聘物业")
        services.assembly_open(actor=committee, assembly=a)
        voters = list(
            ElectorVoter.objects.filter(assembly=a, may_vote=True)
            .order_by("owner_id")
            .values_list("owner_id", flat=True)[:CASTS]
        )
        have = set(User.objects.filter(owner_id__in=voters).values_list("owner_id", flat=True))
        User.objects.bulk_create(
            [
                User(username=f"bench-{o}", role=Role.OWNER, owner_id=o, password="!")
                for o in voters
                if o not in have
            ]
        )
        return a.pk, list(User.objects.filter(owner_id__in=voters).values_list("pk", flat=True))

    def measure(root: Path, chains: int, procs: int, threads: int, mixed: bool) -> dict[str, float]:
        assembly, users = assembly_and_users()
        stamp = time.monotonic_ns() % 10**9
        jobs = [["estate", i] if mixed and i % 2 else ["ballot", u] for i, u in enumerate(users)]
        job_file = Path(tempfile.mkstemp(suffix=".json")[1])
        job_file.write_text(
            json.dumps(
                {
                    "root": str(root),
                    "chains": chains,
                    "assembly": assembly,
                    "town": estate.town_id,
                    "stamp": stamp,
                    "jobs": jobs,
                }
            )
        )
        env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(root)}
        children = [
            subprocess.Popen(
                [sys.executable, __file__, "--worker", str(job_file), str(k), str(procs), str(threads)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=env,
                cwd=str(root),
                text=True,
            )
            for k in range(procs)
        ]
        for child in children:
            line = child.stdout.readline() if child.stdout else ""
            if not line.startswith('{"ready"'):
                raise RuntimeError(f"writer failed to start: {line!r}")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [dbname]
            )
            backends = [r[0] for r in cursor.fetchall()]
        pg0 = _backend_cpu(backends)
        t_go = time.time()
        for child in children:
            assert child.stdin
            child.stdin.write("go\n")
            child.stdin.flush()
        results = [json.loads(child.stdout.readline()) for child in children if child.stdout]
        pg_cpu = _backend_cpu(backends) - pg0
        for child in children:
            assert child.stdin
            child.stdin.write("exit\n")
            child.stdin.flush()
            child.wait()
        job_file.unlink()
        elapsed = max(r["end"] for r in results) - t_go
        lat = sorted(x for r in results for x in r["latencies"])
        errors = [e for r in results for e in r["errors"]]
        if errors:
            print(f"  {len(errors)} errors, first: {errors[0]}")
        n = len(lat)
        return {
            "rate": n / elapsed,
            "p50": lat[n // 2],
            "p99": lat[max(0, int(n * 0.99) - 1)],
            "errors": len(errors),
            "py_ms": sum(r["cpu"] for r in results) / n * 1000,
            "pg_ms": pg_cpu / n * 1000,
        }

    def show(label: str, r: dict[str, float]) -> None:
        print(
            f"{label:<44} {r['rate']:6.0f} writes/s  p50 {r['p50']:6.1f} ms  p99 {r['p99']:7.1f} ms  "
            f"CPU/write: writers {r['py_ms']:5.2f} ms, PostgreSQL {r['pg_ms']:5.2f} ms  errors {r['errors']:.0f}",
            flush=True,
        )

    results: dict[str, dict[str, float]] = {}
    runs: list[tuple[str, Path, int, int, int, bool]] = []
    if old_root is not None:
        runs.append((f"ballots before (code {BEFORE_REF}), 1 chain, 16 threads", old_root, 1, 1, 16, False))
    runs.append(("ballots before (this code), 1 chain, 16 threads", ROOT, 1, 1, 16, False))
    runs += [(f"ballots 16 chains, {_writers(p, t)}", ROOT, 16, p, t, False) for p, t in WRITERS]
    if MIXED and old_root is not None:
        runs.append((f"mixed before (code {BEFORE_REF}), 1 chain, 16 threads", old_root, 1, 1, 16, True))
    runs += [(f"mixed 16 chains, {_writers(p, t)}", ROOT, 16, p, t, True) for p, t in WRITERS if MIXED]
    for label, root, chains, procs, threads, mixed in runs:
        results[label] = r = measure(root, chains, procs, threads, mixed)
        show(label, r)
    for kind in ("ballots", "mixed"):
        for p, t in WRITERS:
            after = results.get(f"{kind} 16 chains, {_writers(p, t)}")
            if after is None or p * t < 16:  # the figure is for 16 writers
                continue
            for label, r in results.items():
                if label.startswith(f"{kind} before"):
                    print(
                        f"RATIO {kind}: 16 chains, {_writers(p, t)} / {label.removeprefix(kind + ' ')}: "
                        f"{after['rate'] / r['rate']:.2f}×"
                    )
    if old_root is not None:
        shutil.rmtree(old_root, ignore_errors=True)
    from io import StringIO

    out = StringIO()
    call_command("audit_verify", stdout=out)
    print(out.getvalue().strip())
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        main()
