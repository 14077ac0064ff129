"""Ledger benchmark: 1,000,000 cases on PostgreSQL; the filtered list page, the case page, a 10,000-row export.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wuye_bench_ledger .venv/bin/python bench/ledger.py

Creates (and at the end drops, unless BENCH_KEEP=1) its own database named in DATABASE_URL. 999,980 cases are
COPYed in, 20 more are walked through the services so their pages have real timelines. Pages are requested
through Django's test client as a logged-in task-force member (and a company user), so the timings include
middleware, scoping, templates. Targets: list and case page < 150 ms median, 10,000-row export < 10 s.
"""

import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pg import bench_database, run_in_fresh_database  # noqa: E402

URL = bench_database("wuye_bench_ledger")
N_CASES = int(os.environ.get("BENCH_CASES", "1000000"))
RUNS = int(os.environ.get("BENCH_RUNS", "15"))


def main() -> None:
    run_in_fresh_database(URL, run)


def run() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from wuye.accounts import demo as accounts_demo
    from wuye.accounts.models import Role, User
    from wuye.cases import services
    from wuye.cases.demo import TEXTS
    from wuye.cases.export import ledger_xlsx
    from wuye.cases.models import Case, CaseSequence
    from wuye.cases.selectors import LedgerFilter, case_list
    from wuye.common.dates import today
    from wuye.registry import demo as registry_demo
    from wuye.registry.models import Estate, ServiceContract

    setup_test_environment()

    class Null:
        def write(self, s: str) -> None:
            pass

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    registry_demo.build(seed=1, scale=1.0, out=Null())
    accounts_demo.build(seed=1, scale=1.0, out=Null())
    print(f"schema + registry: {time.perf_counter() - t0:.1f} s")

    contracts = {c.estate_id: c.company_id for c in ServiceContract.objects.filter(is_current=True)}
    estates = list(Estate.objects.order_by("id").values_list("id", "name"))
    rng = random.Random(42)
    statuses = [
        ("received", 6),
        ("verifying", 6),
        ("unfounded", 8),
        ("rectifying", 18),
        ("submitted", 8),
        ("returned", 4),
        ("accepted", 50),
    ]
    population = [s for s, w in statuses for _ in range(w)]
    channels = [
        "qr",
        "qr",
        "hotline_12345",
        "phone",
        "web",
        "email",
        "inspection",
        "questionnaire",
        "collection_station",
    ]
    cats = list(TEXTS)
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    span = (dt.datetime.now(dt.UTC) - start).total_seconds()
    n_bulk = N_CASES - 20
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("DROP INDEX IF EXISTS case_description_trgm")
        cols = (
            "number, year, seq, estate_id, company_id, category, title, description, source_channel, status, "
            "target, measures, responsible, deadline, progress, closed_reason, report_count, created_at, "
            "updated_at, closed_at"
        )
        seqs: dict[int, int] = {}
        stamps = sorted(start + dt.timedelta(seconds=rng.random() * span) for _ in range(n_bulk))
        with cur.cursor.copy(f"COPY cases_case ({cols}) FROM STDIN") as copy:
            for i in range(n_bulk):
                estate_id, estate_name = estates[rng.randrange(len(estates))]
                created = stamps[i]
                year = created.year
                seqs[year] = seqs.get(year, 0) + 1
                cat = rng.choice(cats)
                text = rng.choice(TEXTS[cat])
                status = rng.choice(population)
                planned = status in ("rectifying", "submitted", "returned", "accepted")
                deadline = (created + dt.timedelta(days=rng.randint(7, 60))).date() if planned else None
                closed = (
                    created + dt.timedelta(days=rng.randint(10, 90))
                    if status in ("accepted", "unfounded")
                    else None
                )
                copy.write_row(
                    (
                        f"ZS{year}-{seqs[year]:07d}",
                        year,
                        seqs[year],
                        estate_id,
                        contracts.get(estate_id),
                        cat,
                        text[:40],
                        f"{estate_name}{rng.randint(1, 30)}栋：{text}（第{i}号）",
                        rng.choice(channels),
                        status,
                        "彻底整改" if planned else "",
                        "按方案落实" if planned else "",
                        "项目经理" if planned else "",
                        deadline,
                        "",
                        "验收合格" if status == "accepted" else "",
                        rng.randint(1, 4),
                        created,
                        created,
                        closed,
                    )
                )
        for year, last in seqs.items():
            CaseSequence.objects.update_or_create(year=year, defaults={"last": last})
        copy_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        cur.execute(
            "CREATE INDEX case_description_trgm ON cases_case USING gin (UPPER(description) gin_trgm_ops)"
        )
        trgm_s = time.perf_counter() - t1
        cur.execute("VACUUM ANALYZE cases_case")
    print(f"COPY {n_bulk:,} cases: {copy_s:.1f} s; trigram index: {trgm_s:.1f} s")

    tf = User.objects.get(username="zhongchu")
    company_user = User.objects.get(username="company")
    staff = company_user
    estate = Estate.objects.get(pk=next(e for e in contracts if contracts[e] == staff.company_id))
    walked = []
    for k in range(20):
        c = services.case_create(
            actor=tf, estate=estate, category="3.1", description=f"电梯困人第{k}次，维修不及时"
        )
        services.case_verify(actor=tf, case=c)
        services.case_start_rectification(
            actor=tf,
            case=c,
            target="恢复运行",
            measures="更换部件",
            responsible="王经理",
            deadline=today() + dt.timedelta(days=20),
        )
        services.case_progress_update(actor=staff, case=c, progress="已订购部件")
        services.case_action_record(
            actor=tf,
            case=c,
            kind="interview",
            date=today(),
            interviewee="法人",
            interviewers="专班",
            minutes="责令整改",
        )
        walked.append(c.number)
    print(f"total cases: {Case.objects.count():,}")

    client = Client()
    client.force_login(tf)
    town_id = Estate.objects.get(pk=estates[0][0]).town_id
    some_estate = estates[3][0]
    some_company = contracts[some_estate]
    lists = {
        "全部（首页）": "",
        "第 20 页": "page=20",
        "状态=整改中": "status=rectifying",
        "在办": "status=open",
        "逾期": "overdue=on",
        "乡镇": f"town={town_id}",
        "小区+类别": f"estate={some_estate}&category=3.1",
        "企业+状态": f"company={some_company}&status=accepted",
        "来源+日期段": "channel=hotline_12345&date_from=2025-03-01&date_to=2025-03-31",
        "全文“电梯困人”": "q=电梯困人",
        "全文“消防栓没有水”+在办": "q=消防栓没有水&status=open",
        "编号查找": f"q={walked[0]}",
    }

    def timed(url: str, c: Client = client) -> tuple[float, int, int]:
        c.get(url)  # warm
        samples = []
        for _ in range(RUNS):
            t = time.perf_counter()
            r = c.get(url)
            samples.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (url, r.status_code)
        with CaptureQueriesContext(connection) as ctx:
            c.get(url)
        return statistics.median(samples), len(ctx.captured_queries), len(r.content)

    print(f"\nlist page /cases/ (task force, {RUNS} runs each, median):")
    medians = []
    for label, query in lists.items():
        med, nq, _ = timed(f"/cases/?{query}")
        medians.append(med)
        print(f"  {label:<24} {med:7.1f} ms   {nq} queries")
    company = Client()
    company.force_login(company_user)
    med, nq, _ = timed("/cases/", company)
    medians.append(med)
    print(f"  {'企业用户（含待办）':<24} {med:7.1f} ms   {nq} queries")
    print(
        f"  => median over list variants: {statistics.median(medians):.1f} ms, worst {max(medians):.1f} ms"
        f"   [target < 150 ms]"
    )

    detail = []
    nqs = set()
    for number in walked[:10]:
        med, nq, _ = timed(f"/cases/{number}/")
        detail.append(med)
        nqs.add(nq)
    print(
        f"\ncase page /cases/<number>/: median {statistics.median(detail):.1f} ms, worst {max(detail):.1f} ms, "
        f"queries {sorted(nqs)}   [target < 150 ms]"
    )
    med, nq, _ = timed(f"/api/v1/cases/{walked[0]}/")
    print(f"API case detail: median {med:.1f} ms, {nq} queries")
    med, nq, _ = timed("/api/v1/cases/?status=rectifying")
    print(f"API case list (status filter): median {med:.1f} ms, {nq} queries")

    qs = case_list(tf, LedgerFilter())
    exports = []
    for _ in range(3):
        t = time.perf_counter()
        data = ledger_xlsx(qs, title="整治工作台账", limit=10_000)
        exports.append(time.perf_counter() - t)
    print(
        f"\nexport 10,000 rows (.xlsx, {len(data) / 1e6:.1f} MB): median {statistics.median(exports):.2f} s"
        f"   [target < 10 s]"
    )
    t = time.perf_counter()
    r = client.get("/cases/export.xlsx?date_from=2025-06-01&date_to=2025-06-07")
    print(
        f"export via the page (one week, {r['Content-Length'] if r.has_header('Content-Length') else len(r.content)}"
        f" bytes): {time.perf_counter() - t:.2f} s"
    )
    _ = Role


if __name__ == "__main__":
    main()
