"""Audited writes under concurrency: one audit chain (before) against parallel chains (after), side by side.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wuye_bench_audit .venv/bin/python bench/audit.py

Creates (and drops, unless BENCH_KEEP=1) its own database. One estate of BENCH_UNITS units (default 4,000). For
AUDIT_CHAINS = 1 (every audited write locks one head row: the trail before the split) and = 16 (the default now),
and for 1, 4 and 16 writer threads:
- ballots: BENCH_CASTS ballots (default 1,200) cast through `voting.services.ballot_cast` on a fresh assembly
  (shared lock on the assembly, checks, insert, audit entry);
- mixed: the same number of audited writes, half ballots and half estate registrations
  (`registry.services.estate_save`, another table, another lock, the same audit trail); each its own transaction.
Prints writes/s, p50 and p99 latency, and the ratio after/before for each writer count. `audit_verify` must pass
at the end (the chains intact under load).
"""

import datetime as dt
import os
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pg import bench_database, run_in_fresh_database  # noqa: E402

URL = bench_database("wuye_bench_audit")
os.environ.setdefault("BENCH_UNITS", "4000")
CASTS = int(os.environ.get("BENCH_CASTS", "1200"))
WRITERS = [int(w) for w in os.environ.get("BENCH_WRITERS", "1,4,16").split(",")]
CHAINS = [int(c) for c in os.environ.get("BENCH_CHAINS", "1,16").split(",")]


def main() -> None:
    run_in_fresh_database(URL, run)


def run() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from voting import build_estate  # bench/voting.py

    from wuye.accounts.models import Role, User
    from wuye.accounts.services import staff_user_create
    from wuye.common.dates import now
    from wuye.kernel.actors import SystemActor
    from wuye.registry import services as registry
    from wuye.voting import services
    from wuye.voting.models import ElectorVoter

    call_command("migrate", verbosity=0)
    rng = random.Random(11)
    estate, owners = build_estate(rng)
    committee = staff_user_create(
        actor=SystemActor("demo"),
        username="bench-committee",
        password=None,
        role=Role.COMMITTEE_MEMBER,
        estate_id=estate.pk,
    )
    services.sms_send = lambda phone, text: None  # type: ignore[assignment]
    print(f"estate of {os.environ['BENCH_UNITS']} units, {len(owners):,} owners; {CASTS} writes per run")

    def fresh_voters(n: int) -> tuple[object, list[User]]:
        a = services.assembly_create(
            actor=committee,
            estate=estate,
            title=f"基准：审计链 {time.monotonic_ns()}",
            notice="基准测试",
            vote_start=now() - dt.timedelta(hours=1),
            vote_end=now() + dt.timedelta(days=7),
        )
        services.motion_add(actor=committee, assembly=a, item=4, title="选聘物业")
        services.assembly_open(actor=committee, assembly=a)
        a.refresh_from_db()
        voters = list(
            ElectorVoter.objects.filter(assembly=a, may_vote=True)
            .order_by("owner_id")
            .values_list("owner_id", flat=True)[:n]
        )
        have = set(User.objects.filter(owner_id__in=voters).values_list("owner_id", flat=True))
        User.objects.bulk_create(
            [
                User(username=f"bench-{o}", role=Role.OWNER, owner_id=o, password="!")
                for o in voters
                if o not in have
            ]
        )
        return a, list(User.objects.filter(owner_id__in=voters))

    def measure(writers: int, mixed: bool) -> tuple[float, float, float]:
        assembly, users = fresh_voters(CASTS)
        jobs: list[tuple[str, object]] = []
        for i, u in enumerate(users):
            if mixed and i % 2:
                jobs.append(("company", i))
            else:
                jobs.append(("ballot", u))
        lock = threading.Lock()
        latencies: list[float] = []
        stamp = time.monotonic_ns()

        def worker() -> None:
            try:
                while True:
                    with lock:
                        if not jobs:
                            return
                        kind, arg = jobs.pop()
                    t = time.perf_counter()
                    if kind == "ballot":
                        services.ballot_cast(actor=arg, assembly=assembly, choices={"M1": "agree"})
                    else:
                        registry.estate_save(
                            actor=SystemActor("demo"),
                            town=estate.town,
                            code=f"B{stamp % 10**9}{arg}"[:20],
                            name=f"基准小区{stamp}-{arg}",
                        )
                    with lock:
                        latencies.append((time.perf_counter() - t) * 1000)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=worker) for _ in range(writers)]
        t0 = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        elapsed = time.perf_counter() - t0
        lat = sorted(latencies)
        return len(lat) / elapsed, lat[len(lat) // 2], lat[max(0, int(len(lat) * 0.99) - 1)]

    results: dict[tuple[str, int, int], tuple[float, float, float]] = {}
    for chains in CHAINS:
        settings.WUYE = {**settings.WUYE, "AUDIT_CHAINS": chains}
        for mixed in (False, True):
            for writers in WRITERS:
                rate, p50, p99 = measure(writers, mixed)
                kind = "mixed" if mixed else "ballots"
                results[(kind, chains, writers)] = (rate, p50, p99)
                print(
                    f"{kind:<8} chains={chains:<3} writers={writers:<3} {rate:7.0f} writes/s  "
                    f"p50 {p50:6.1f} ms  p99 {p99:7.1f} ms",
                    flush=True,
                )
    if len(CHAINS) == 2:
        before, after = CHAINS
        for kind in ("ballots", "mixed"):
            for writers in WRITERS:
                ratio = results[(kind, after, writers)][0] / results[(kind, before, writers)][0]
                print(f"RATIO {kind:<8} writers={writers:<3} {after} chains / {before} chain: {ratio:.2f}×")
    from io import StringIO

    out = StringIO()
    call_command("audit_verify", stdout=out)
    print(out.getvalue().strip())


if __name__ == "__main__":
    main()
