"""Revenue benchmark on PostgreSQL: a disclosure statement for an estate with 100,000 entries, and the county
compliance table for 2,000 estates.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wuye_bench_revenue .venv/bin/python bench/revenue.py

Creates (and at the end drops, unless BENCH_KEEP=1) its own database. Rows are bulk-inserted. The statement is
timed as the selector (every line of the quarter with a running balance; the opening balance is the previous
published closing balance plus the SUM of later entries, and, separately, with no earlier statement published, the
SUM of all earlier entries) and as the public page through Django's test client (middleware, template, every line rendered).
The compliance table is timed as the full 2,000-row evaluation (what the export reads) and as the task force's
page. Target: each median < 300 ms.
"""

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

URL = bench_database("wuye_bench_revenue")
N_ENTRIES = int(os.environ.get("BENCH_ENTRIES", "100000"))
N_ESTATES = int(os.environ.get("BENCH_ESTATES", "2000"))
YEARS = int(os.environ.get("BENCH_YEARS", "8"))
RUNS = int(os.environ.get("BENCH_RUNS", "15"))


def main() -> None:
    run_in_fresh_database(URL, run)


def timed(fn, runs: int = RUNS) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    for _ in range(2):
        fn()
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples), max(samples)


def run() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from wuye.accounts.models import Role, User
    from wuye.intake.models import Channel, Lead
    from wuye.registry.models import County, Estate, PropertyCompany, ServiceContract, Town
    from wuye.revenue import selectors
    from wuye.revenue.models import (
        AccountStatus,
        Direction,
        Disclosure,
        Entry,
        EntryKind,
        EntryUse,
        HolderKind,
        RevenueAccount,
    )
    from wuye.revenue.periods import periods_between

    settings.ALLOWED_HOSTS = ["*"]
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    rng = random.Random(5)
    stamp = timezone.now()
    from wuye.kernel.conf import county_setting

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
            if i % 15 != 14
        ]
    )
    today = timezone.localdate()
    start = dt.date(today.year - YEARS, 1, 1)
    accounts = RevenueAccount.objects.bulk_create(
        [
            RevenueAccount(
                estate=e,
                bank="农业银行",
                number=f"62284{i:010d}",
                holder="业委会",
                holder_kind=HolderKind.COMMITTEE,
                opened_on=start,
                status=AccountStatus.SUPERVISED if i % 7 else AccountStatus.PENDING,
                created_at=stamp,
            )
            for i, e in enumerate(estates)
            if i % 10 != 9
        ]
    )

    # One estate with N_ENTRIES entries over YEARS years.
    big = accounts[0]
    days = (today - start).days
    rows, balance = [], Decimal(0)
    for n in range(1, N_ENTRIES + 1):
        day = start + dt.timedelta(days=(n * days) // N_ENTRIES)
        if n % 4 == 0 and balance > 200:
            amount = Decimal(rng.randint(1000, 19999)) / 100
            rows.append(
                Entry(
                    account=big,
                    number=n,
                    occurred_on=day,
                    kind=EntryKind.EXPENSE,
                    direction=Direction.OUT,
                    amount=amount,
                    use=EntryUse.OPERATING_COST,
                    description="电费",
                    counterparty="供电局",
                    created_at=stamp,
                )
            )
            balance -= amount
        else:
            amount = Decimal(rng.randint(1000, 50000)) / 100
            rows.append(
                Entry(
                    account=big,
                    number=n,
                    occurred_on=day,
                    kind=EntryKind.INCOME,
                    direction=Direction.IN,
                    amount=amount,
                    source="parking",
                    description="停车费",
                    counterparty="道闸系统",
                    created_at=stamp,
                )
            )
            balance += amount
    Entry.objects.bulk_create(rows, batch_size=5000)
    # Four published quarters for every account, and open findings for some estates.
    quarters = [p for p in periods_between(start, today) if p.end < today][-4:]
    Disclosure.objects.bulk_create(
        [
            Disclosure(
                account=a,
                period_key=p.key,
                period_start=p.start,
                period_end=p.end,
                opening_balance=0,
                income_total=0,
                outgo_total=0,
                closing_balance=Decimal(rng.randint(0, 10**6)) / 100,
                line_count=0,
                digest="0" * 64,
                published_at=stamp,
                objection_until=today,
            )
            for i, a in enumerate(accounts[1:], start=1)
            for j, p in enumerate(quarters)
            if not (i % 9 == 4 and j == 3)
        ],
        batch_size=5000,
    )
    Lead.objects.bulk_create(
        [
            Lead(
                tracking_code=f"BENCH{i:05d}",
                channel=Channel.CHECK,
                estate=e,
                text="核查发现",
                category="2.3",
                source_ref=f"revenue:bench:{i}",
                created_at=stamp,
                updated_at=stamp,
            )
            for i, e in enumerate(estates)
            if i % 6 == 0
        ],
        batch_size=5000,
    )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(
        f"数据：{N_ESTATES} 个小区，{len(accounts)} 个账户，基准小区 {Entry.objects.filter(account=big).count()} "
        f"笔分录（{YEARS} 年），构建 {time.perf_counter() - t0:.1f} s"
    )

    tf = User.objects.create(username="bench-tf", role=Role.TASK_FORCE, display_name="专班")
    # The big estate published every quarter, in order, as the company would (snapshots computed from entries).
    all_quarters = [p for p in periods_between(start, today) if p.end < today]
    for p in all_quarters:
        st = selectors.statement(big, p, with_vouchers=False)
        Disclosure.objects.create(
            account=big,
            period_key=p.key,
            period_start=p.start,
            period_end=p.end,
            opening_balance=st.opening,
            income_total=st.income_total,
            outgo_total=st.outgo_total,
            closing_balance=st.closing,
            line_count=len(st.lines),
            digest=st.digest,
            published_at=stamp,
            objection_until=today,
        )
    period = all_quarters[-1]
    st = selectors.statement(big, period)
    assert st.opening == selectors.account_balance(big, before=period.start)
    assert st.closing == selectors.account_balance(big, before=period.end + dt.timedelta(days=1))
    lines = len(st.lines)
    earlier = Entry.objects.filter(account=big, occurred_on__lt=period.start).count()

    med, worst = timed(lambda: selectors.statement(big, period))
    print(
        f"公示明细（选择器，各期按时公示）：{period.label} {lines} 笔，期初余额 = 上期公示期末余额 + 其后分录之和"
        f"（共 {earlier} 笔之和）："
        f"中位数 {med:.1f} ms，最慢 {worst:.1f} ms"
    )
    anon = Client(HTTP_HOST="localhost")
    url = f"/estates/{big.estate.code}/revenue/{period.key}/"
    assert anon.get(url).status_code == 200
    med_p, worst_p = timed(lambda: anon.get(url), runs=max(5, RUNS // 2))
    print(f"公示明细（公开页面 {url}，渲染全部 {lines} 行）：中位数 {med_p:.1f} ms，最慢 {worst_p:.1f} ms")
    med_b, worst_b = timed(lambda: selectors.account_balance(big))
    print(f"账户余额（{N_ENTRIES} 笔全部求和，不借助公示快照）：中位数 {med_b:.1f} ms，最慢 {worst_b:.1f} ms")
    Disclosure.objects.filter(account=big).exclude(period_key=period.key).delete()
    med_f, worst_f = timed(lambda: selectors.statement(big, period))
    print(
        f"公示明细（选择器，此前各期均未公示，期初余额为 {earlier} 笔全部求和）："
        f"中位数 {med_f:.1f} ms，最慢 {worst_f:.1f} ms"
    )

    def table() -> int:
        return len(selectors.compliance_rows(selectors.compliance_table(tf)))

    assert table() == N_ESTATES
    med_t, worst_t = timed(table)
    print(
        f"全县合规表（{N_ESTATES} 个小区全部行：账户状态、最近公示、未办结发现）：中位数 {med_t:.1f} ms，最慢 {worst_t:.1f} ms"
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(tf, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/revenue/").status_code == 200
    med_h, worst_h = timed(lambda: client.get("/revenue/"))
    print(f"全县合规表页面（/revenue/，每页 100 个）：中位数 {med_h:.1f} ms，最慢 {worst_h:.1f} ms")
    med_x, worst_x = timed(lambda: client.get("/revenue/compliance.xlsx"), runs=5)
    print(f"全县合规表导出 Excel（{N_ESTATES} 行）：中位数 {med_x:.1f} ms，最慢 {worst_x:.1f} ms")
    ok = med < 300 and med_f < 300 and med_t < 300
    print("目标（中位数 < 300 ms）：" + ("达到" if ok else "未达到"))


if __name__ == "__main__":
    main()
