"""Dashboard benchmark on PostgreSQL: the county dashboard's data and the city report .xlsx on a large ledger, each
beside the raw SQL aggregate it stands on.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wuye_bench_dashboard .venv/bin/python bench/dashboard.py --scale 1

`--scale 1` is 1,000,000 cases over 2,000 estates and two years (the lead's run); `--scale 0.01` checks the script.
Creates (and at the end drops, unless BENCH_KEEP=1) its own database; rows are bulk-inserted, then the daily summary
is built once by the tick's service (its time is printed). Targets: dashboard data < 300 ms median, city report
< 10 s. Each line prints the median, the max, and the ratio to the raw SQL it stands on.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pg import bench_database, run_in_fresh_database  # noqa: E402

URL = bench_database("wuye_bench_dashboard")
N_ESTATES = 2000
RUNS = int(os.environ.get("BENCH_RUNS", "9"))
BATCH = 20_000


def timed(fn, runs: int = RUNS) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    fn()
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples), max(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1,000,000 cases")
    args = parser.parse_args()
    run_in_fresh_database(URL, lambda: run(int(1_000_000 * args.scale)))


def run(n_cases: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from wuye.cases.models import Case
    from wuye.kernel.actors import SystemActor
    from wuye.kernel.case_states import CaseStatus
    from wuye.kernel.conf import county_setting
    from wuye.kernel.taxonomy import Category
    from wuye.oversight import cityreport, dashboard, stats
    from wuye.oversight.calendar import month_start, previous_month
    from wuye.oversight.services import summary_refresh
    from wuye.oversight.tick import SUMMARY_WINDOW_DAYS
    from wuye.registry.models import County, Estate, PropertyCompany, ServiceContract, Town

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    rng = random.Random(15)
    county = County.objects.create(code=county_setting("COUNTY_CODE"), name=county_setting("COUNTY_NAME"))
    towns = [
        Town.objects.create(county=county, code=f"{county.code}{i:03d}", name=f"镇{i}") for i in range(10)
    ]
    companies = PropertyCompany.objects.bulk_create(
        [
            PropertyCompany(
                name=f"基准物业{i}有限公司", credit_code=f"91451122BENCH{i:05d}", legal_representative="张"
            )
            for i in range(200)
        ]
    )
    estates = Estate.objects.bulk_create(
        [Estate(town=towns[i % 10], code=f"B{i:05d}", name=f"基准小区{i}") for i in range(N_ESTATES)]
    )
    ServiceContract.objects.bulk_create(
        [
            ServiceContract(
                estate=e,
                company=companies[i % 200],
                start=dt.date(2020, 1, 1),
                fee_per_m2=Decimal("1.20"),
                hiring="tender",
                is_current=True,
            )
            for i, e in enumerate(estates)
        ]
    )
    now = timezone.now()
    today = timezone.localdate()
    span = 730 * 86400
    statuses = [
        (CaseStatus.ACCEPTED, 45),
        (CaseStatus.RECTIFYING, 20),
        (CaseStatus.UNFOUNDED, 12),
        (CaseStatus.SUBMITTED, 6),
        (CaseStatus.RETURNED, 3),
        (CaseStatus.RECEIVED, 8),
        (CaseStatus.VERIFYING, 6),
    ]
    population = [s for s, w in statuses for _ in range(w)]
    categories = list(Category.values)
    made = 0
    while made < n_cases:
        rows = []
        for _ in range(min(BATCH, n_cases - made)):
            made += 1
            estate = estates[rng.randrange(N_ESTATES)]
            created = now - dt.timedelta(seconds=rng.randrange(span))
            status = rng.choice(population)
            planned = status in (
                CaseStatus.RECTIFYING,
                CaseStatus.SUBMITTED,
                CaseStatus.RETURNED,
                CaseStatus.ACCEPTED,
            )
            closed = status in (CaseStatus.ACCEPTED, CaseStatus.UNFOUNDED)
            rows.append(
                Case(
                    number=f"BN{made:08d}",
                    year=created.year,
                    seq=made,
                    estate=estate,
                    company_id=companies[estate.pk % 200].pk,
                    category=rng.choice(categories),
                    description="基准",
                    source_channel="qr",
                    status=status,
                    target="t" if planned else "",
                    measures="m" if planned else "",
                    responsible="r" if planned else "",
                    deadline=(created + dt.timedelta(days=rng.randrange(10, 60))).date() if planned else None,
                    created_at=created,
                    updated_at=created,
                    closed_at=min(now, created + dt.timedelta(days=rng.randrange(1, 90))) if closed else None,
                )
            )
        Case.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(
        f"{n_cases} cases over {N_ESTATES} estates inserted in {time.perf_counter() - t0:.1f} s", flush=True
    )

    t = time.perf_counter()
    summary_refresh(actor=SystemActor("daily_summary"), since=None)
    print(
        f"summaries (daily, monthly, state, close days) built in {time.perf_counter() - t:.1f} s", flush=True
    )
    t = time.perf_counter()
    summary_refresh(actor=SystemActor("daily_summary"), since=today - dt.timedelta(days=SUMMARY_WINDOW_DAYS))
    print(
        f"summary refresh (each tick: the last days, the state in full; nothing changed) in {time.perf_counter() - t:.1f} s",
        flush=True,
    )

    def raw_dashboard() -> None:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT category, count(*) FROM cases_case WHERE created_at >= %s GROUP BY category",
                [now - dt.timedelta(days=730)],
            )
            cur.fetchall()
            cur.execute("SELECT status, count(*) FROM cases_case GROUP BY status")
            cur.fetchall()

    def raw_summaries() -> None:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT category, sum(received), sum(accepted) FROM oversight_monthsummary GROUP BY category"
            )
            cur.fetchall()
            cur.execute(
                "SELECT estate_id, sum(received + verifying + rectifying + submitted + returned) AS o,"
                " sum(overdue) FROM oversight_statesummary GROUP BY estate_id ORDER BY o DESC LIMIT 10"
            )
            cur.fetchall()

    def dash() -> None:
        dashboard.build(stats.Filters(), with_people=True)

    month = previous_month(month_start(today))

    def raw_city() -> None:
        with connection.cursor() as cur:
            cur.execute("SELECT category, status, count(*) FROM cases_case GROUP BY category, status")
            cur.fetchall()
            cur.execute(
                "SELECT e.town_id, c.status, count(*) FROM cases_case c JOIN registry_estate e ON e.id = c.estate_id"
                " GROUP BY e.town_id, c.status"
            )
            cur.fetchall()

    def city() -> None:
        cityreport.to_xlsx(cityreport.build(month))

    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        prof = cProfile.Profile()
        city()
        dash()
        prof.runcall(dash)
        pstats.Stats(prof).sort_stats("cumulative").print_stats("wuye", 30)
    for label, fn, raw, runs in (
        ("dashboard data", dash, raw_dashboard, RUNS),
        ("city report .xlsx", city, raw_city, 3),
    ):
        med, worst = timed(fn, runs)
        raw_med, _ = timed(raw, runs)
        print(
            f"{label:<22} median {med:8.1f} ms   max {worst:8.1f} ms   raw SQL {raw_med:8.1f} ms   ratio {med / raw_med:5.1f}",
            flush=True,
        )
    # the dashboard now reads the summaries: their own raw SQL floor, for comparison
    med, _ = timed(dash)
    raw_med, _ = timed(raw_summaries)
    print(
        f"{'dashboard vs summaries':<22} median {med:8.1f} ms   raw SQL on the summary tables {raw_med:8.1f} ms   ratio {med / raw_med:5.1f}"
    )


if __name__ == "__main__":
    main()
