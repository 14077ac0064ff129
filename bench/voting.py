"""Voting benchmark on PostgreSQL: the tally of an estate of 20,000 units with 15,000 ballots, and casting
throughput under concurrent load.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wuye_bench_voting .venv/bin/python bench/voting.py

Creates (and at the end drops, unless BENCH_KEEP=1) its own database named in DATABASE_URL.
1. Registry: one estate of 20,000 units (200 developer-held; 400 owners with two units; 300 co-owned units),
   bulk-inserted. The committee opens an assembly of four motions through the service (snapshot timed).
2. 15,000 ballots are bulk-inserted for 15,000 distinct persons (this part skips the per-ballot service and its
   audit entry: it measures the tally, not casting). The tally is timed from the database, as the result is
   frozen at closing: read the frozen persons and all ballots, tally exactly (target: < 500 ms median).
   Also timed: building the published ballot document + its SHA-256, and the unit-level re-tally of it
   (what `tally_verify` and anyone re-checking the download does).
3. Casting: BENCH_THREADS threads (default 16), each with its own connection, cast BENCH_CASTS ballots
   (default 2,000) through `services.ballot_cast` (lock, checks, insert, audit entry) on a second open assembly;
   every thread also retries one ballot already cast, which must be refused. Prints ballots/s and latencies.
"""

import datetime as dt
import os
import random
import statistics
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pg import bench_database, run_in_fresh_database  # noqa: E402

URL = bench_database("wuye_bench_voting")
UNITS = int(os.environ.get("BENCH_UNITS", "20000"))
BALLOTS = int(os.environ.get("BENCH_BALLOTS", "15000"))
RUNS = int(os.environ.get("BENCH_RUNS", "15"))
THREADS = int(os.environ.get("BENCH_THREADS", "16"))
CASTS = int(os.environ.get("BENCH_CASTS", "2000"))


def main() -> None:
    run_in_fresh_database(URL, run)


def median_ms(fn, runs: int = RUNS) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), max(times)


def build_estate(rng: random.Random):  # type: ignore[no-untyped-def]
    from wuye.registry.models import Building, County, Estate, Owner, Ownership, Town, Unit

    county = County.objects.create(code="451122", name="钟山县")
    town = Town.objects.create(county=county, code="451122001", name="钟山镇")
    estate = Estate.objects.create(town=town, code="BENCHV", name="基准测试小区")
    per_building = 500
    buildings = Building.objects.bulk_create(
        [Building(estate=estate, name=f"{b + 1}栋") for b in range(-(-UNITS // per_building))]
    )
    units = []
    for i in range(UNITS):
        b = buildings[i // per_building]
        n = i % per_building
        units.append(
            Unit(
                estate=estate,
                building=b,
                number=f"{n // 4 + 1}{n % 4 + 1:02d}",
                area=Decimal(rng.randint(4500, 16000)) / 100,
                developer_held=i >= UNITS - 200,
            )
        )
    units = Unit.objects.bulk_create(units, batch_size=5000)
    owned = [u for u in units if not u.developer_held]
    owners, links = [], []
    i = 0
    while i < len(owned):
        owners.append(Owner(name=f"业主{len(owners)}", phone=f"139{len(owners):08d}"))
        idx = len(owners) - 1
        links.append((owned[i].pk, idx, True))
        if len(owners) <= 400 and i + 1 < len(owned):  # a buyer of two units: one person
            links.append((owned[i + 1].pk, idx, True))
            i += 1
        elif 400 < len(owners) <= 700:  # a co-owned unit: the second owner is not the designated voter
            owners.append(Owner(name=f"共有人{len(owners)}", phone=f"139{len(owners):08d}"))
            links.append((owned[i].pk, len(owners) - 1, False))
        i += 1
    owners = Owner.objects.bulk_create(owners, batch_size=5000)
    Ownership.objects.bulk_create(
        [Ownership(unit_id=u, owner_id=owners[o].pk, is_designated_voter=d) for u, o, d in links],
        batch_size=5000,
    )
    return estate, owners


def run() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test.utils import setup_test_environment

    from wuye.accounts.models import Role, User
    from wuye.accounts.services import staff_user_create
    from wuye.common.dates import now
    from wuye.common.errors import DomainError
    from wuye.voting import selectors, services
    from wuye.voting.models import Ballot, ElectorPerson, ElectorVoter
    from wuye.voting.tally import tally_scenario

    setup_test_environment()
    rng = random.Random(7)
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    estate, owners = build_estate(rng)
    committee = staff_user_create(
        actor=None, username="bench-committee", password=None, role=Role.COMMITTEE_MEMBER, estate_id=estate.pk
    )
    print(f"schema + estate of {UNITS:,} units, {len(owners):,} owners: {time.perf_counter() - t0:.1f} s")

    def new_assembly(title: str):  # type: ignore[no-untyped-def]
        a = services.assembly_create(
            actor=committee,
            estate=estate,
            title=title,
            notice="基准测试",
            vote_start=now() - dt.timedelta(hours=1),
            vote_end=now() + dt.timedelta(days=7),
        )
        for item, t in ((4, "选聘物业"), (8, "电梯广告"), (5, "使用维修资金"), (9, "公共收益分配")):
            services.motion_add(actor=committee, assembly=a, item=item, title=t)
        t = time.perf_counter()
        services.assembly_open(actor=committee, assembly=a)
        a.refresh_from_db()
        return a, (time.perf_counter() - t) * 1000

    assembly, open_ms = new_assembly("基准：计票")
    print(
        f"open (freeze the electorate snapshot): {open_ms:.0f} ms → {assembly.total_persons:,} persons, "
        f"{assembly.total_area:,} m²"
    )

    persons = list(ElectorPerson.objects.filter(assembly=assembly).values_list("id", flat=True))
    chosen = rng.sample(persons, min(BALLOTS, len(persons)))
    codes = ["M1", "M2", "M3", "M4"]
    weights = ["agree"] * 7 + ["disagree"] * 2 + ["abstain"]
    t = time.perf_counter()
    Ballot.objects.bulk_create(
        [
            Ballot(
                assembly=assembly,
                person_id=p,
                channel="paper",
                scan="voting/paper/bench.png",
                cast_by=committee,
                choices={c: rng.choice(weights) for c in codes if rng.random() < 0.97},
                receipt=f"B{n:07d}",
                cast_at=now(),
            )
            for n, p in enumerate(chosen)
        ],
        batch_size=5000,
    )
    print(f"bulk insert {len(chosen):,} ballots: {(time.perf_counter() - t) * 1000:.0f} ms")
    with connection.cursor() as cur:
        cur.execute("ANALYZE")

    results = selectors.tally_from_db(assembly)
    med, worst = median_ms(lambda: selectors.tally_from_db(assembly))
    print(
        f"TALLY from the database ({len(chosen):,} ballots, {assembly.total_persons:,} persons, 4 motions): "
        f"median {med:.0f} ms, max {worst:.0f} ms over {RUNS} runs (target < 500 ms)"
    )
    for r in results:
        print(
            f"  {r.id} item {r.item} {r.threshold}: part {r.participating_persons}/{r.total_persons} persons, "
            f"agree {r.agree_persons}; passed={r.passed}"
        )

    doc_holder = {}

    def document() -> None:
        doc = selectors.ballots_document(assembly)
        doc_holder["doc"] = doc
        doc_holder["digest"] = services.sha256_of(doc)

    med, worst = median_ms(document, runs=5)
    print(f"published ballot document + SHA-256: median {med:.0f} ms, max {worst:.0f} ms")
    med, worst = median_ms(lambda: tally_scenario(doc_holder["doc"]), runs=5)
    again = tally_scenario(doc_holder["doc"])["motions"]
    same = all(
        a["agree_area"] == str(b.agree_area) and a["passed"] == b.passed
        for a, b in zip(again, results, strict=True)
    )
    print(
        f"unit-level re-tally of the download ({UNITS:,} units): median {med:.0f} ms, max {worst:.0f} ms; "
        f"agrees with the database tally: {same}"
    )

    # --- casting under concurrent load ---------------------------------------------------------------------------
    cast_assembly, _ = new_assembly("基准：并发投票")
    voters = list(
        ElectorVoter.objects.filter(assembly=cast_assembly, may_vote=True)
        .values_list("owner_id", flat=True)
        .order_by("owner_id")[:CASTS]
    )
    users = User.objects.bulk_create(
        [User(username=f"bench-owner-{o}", role=Role.OWNER, owner_id=o, password="!") for o in voters],
        batch_size=5000,
    )
    queue = list(users)
    lock = threading.Lock()
    latencies: list[float] = []
    refused: list[str] = []
    errors: list[str] = []
    choices = {"M1": "agree", "M2": "agree", "M3": "disagree", "M4": "abstain"}
    services.sms_send = lambda phone, text: None  # type: ignore[assignment]

    def worker() -> None:
        mine = []
        try:
            while True:
                with lock:
                    if not queue:
                        break
                    user = queue.pop()
                t = time.perf_counter()
                try:
                    services.ballot_cast(actor=user, assembly=cast_assembly, choices=choices)
                except DomainError as exc:
                    errors.append(str(exc))
                    continue
                with lock:
                    latencies.append((time.perf_counter() - t) * 1000)
                mine.append(user)
            if mine:  # the same owner again: must be refused
                try:
                    services.ballot_cast(actor=mine[0], assembly=cast_assembly, choices=choices)
                except DomainError as exc:
                    refused.append(str(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t
    stored = Ballot.objects.filter(assembly=cast_assembly).count()
    lat = sorted(latencies)
    print(
        f"CASTING: {THREADS} threads, {len(lat):,} ballots through services.ballot_cast in {elapsed:.1f} s = "
        f"{len(lat) / elapsed:.0f} ballots/s; latency p50 {lat[len(lat) // 2]:.1f} ms, "
        f"p99 {lat[int(len(lat) * 0.99) - 1]:.1f} ms"
    )
    print(
        f"  stored {stored:,} (expected {len(users):,}); duplicate retries refused: {len(refused)}/{THREADS}; "
        f"unexpected errors: {len(errors)}"
    )


if __name__ == "__main__":
    main()
