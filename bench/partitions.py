"""Should the audit trail (and the leads) be partitioned? Measure the hot queries at a province's size first.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wuye_bench_partitions .venv/bin/python bench/partitions.py

Creates (and drops, unless BENCH_KEEP=1) its own database, migrated, and fills `audit_auditentry` with BENCH_ROWS
synthetic entries (default 5,000,000) over 24 months: ~1M objects of 30 types, 60 actions, 16 chains, JSON
before/after of the size the app writes. Then a copy of the same rows in a table partitioned by month of
`created_at` (PostgreSQL declarative partitioning, the same indexes per partition). For both, EXPLAIN ANALYZE of
the trail's hot queries (median of 5 runs, warm cache):
- history: one object's entries (`audit_for_object`, every case/ledger page's 操作记录);
- verify-batch: `audit_verify`'s walk, 5,000 entries after an id in the middle of the trail;
- ballots: `voting.verify`, 5,000 ballots' cast entries by object_id;
- month: a month's entries counted by action (reports, retention);
- append: 1,000 audited inserts (the write path's cost of the indexes);
plus table and index sizes and bytes per entry. Prints a table; the conclusion is in docs/scale.md.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pg import bench_database, run_in_fresh_database  # noqa: E402

URL = bench_database("wuye_bench_partitions")
ROWS = int(os.environ.get("BENCH_ROWS", "5000000"))
MONTHS = 24
OBJECTS = max(1000, ROWS // 5)

FILL = """
INSERT INTO {table} (created_at, actor_id, actor_label, action, object_type, object_id, before, after, reason,
                     chain, prev_hash, hash, version)
SELECT timestamptz '2025-01-01 00:00+08' + (g::float8 / %(rows)s) * interval '{months} months',
       NULL, 'system:bench',
       'action.' || (g %% 60),
       'app.type' || (g %% 30),
       ((g * 7919) %% %(objects)s)::text,
       jsonb_build_object('status', 'open', 'n', g %% 97),
       jsonb_build_object('status', 'closed', 'n', g %% 89, 'note', repeat('x', 40)),
       '',
       1 + g %% 16,
       md5((g - 1)::text) || md5((g - 1)::text || 'p'),
       md5(g::text) || md5(g::text || 'h'),
       2
FROM generate_series(%(start)s::bigint, %(stop)s::bigint) AS g
"""


def _fill(cur, table: str) -> float:
    started = time.monotonic()
    step = 500_000
    for start in range(1, ROWS + 1, step):
        stop = min(ROWS, start + step - 1)
        cur.execute(
            FILL.format(table=table, months=MONTHS),
            {"rows": ROWS, "objects": OBJECTS, "start": start, "stop": stop},
        )
    cur.execute(f"ANALYZE {table}")
    return time.monotonic() - started


def _partitioned(cur) -> float:
    """The same table partitioned by month of created_at; the unique hash must then include the key."""
    cur.execute(
        "CREATE TABLE audit_part (LIKE audit_auditentry INCLUDING DEFAULTS INCLUDING IDENTITY)"
        " PARTITION BY RANGE (created_at)"
    )
    cur.execute("ALTER TABLE audit_part ALTER COLUMN id DROP IDENTITY IF EXISTS")
    for m in range(MONTHS + 1):
        cur.execute(
            f"CREATE TABLE audit_part_{m:02d} PARTITION OF audit_part FOR VALUES FROM "
            f"(timestamptz '2025-01-01 00:00+08' + interval '{m} months') TO "
            f"(timestamptz '2025-01-01 00:00+08' + interval '{m + 1} months')"
        )
    started = time.monotonic()
    cur.execute("INSERT INTO audit_part SELECT * FROM audit_auditentry")
    cur.execute("CREATE INDEX ON audit_part (id)")
    cur.execute("CREATE INDEX ON audit_part (created_at)")
    cur.execute("CREATE INDEX ON audit_part (action)")
    cur.execute("CREATE INDEX ON audit_part (object_type, object_id, id)")
    cur.execute("CREATE UNIQUE INDEX ON audit_part (hash, created_at)")
    cur.execute("ANALYZE audit_part")
    return time.monotonic() - started


def _timed(cur, sql: str, params: dict | None = None, runs: int = 5) -> float:
    """Median execution time (ms) reported by EXPLAIN ANALYZE."""
    times = []
    for _ in range(runs):
        cur.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params or {})
        plan = cur.fetchone()[0][0]
        times.append(plan["Execution Time"] + plan.get("Planning Time", 0))
    return statistics.median(times)


def _queries(cur, table: str) -> dict[str, float]:
    mid = ROWS // 2
    ids = [str((g * 7919) % OBJECTS) for g in range(mid, mid + 5000)]
    out = {
        "history": _timed(
            cur,
            f"SELECT * FROM {table} WHERE object_type = 'app.type7' AND object_id = %(o)s ORDER BY id",
            {"o": str((mid * 7919) % OBJECTS)},
        ),
        "verify-batch": _timed(
            cur, f"SELECT * FROM {table} WHERE id > %(i)s ORDER BY id LIMIT 5000", {"i": mid}
        ),
        "ballots": _timed(
            cur,
            f"SELECT object_id, after FROM {table} WHERE object_type = 'app.type7' AND action LIKE 'action.1%%'"
            " AND object_id = ANY(%(ids)s)",
            {"ids": ids},
        ),
        "month": _timed(
            cur,
            f"SELECT action, count(*) FROM {table} WHERE created_at >= timestamptz '2026-06-01 00:00+08'"
            " AND created_at < timestamptz '2026-07-01 00:00+08' GROUP BY action",
        ),
    }
    started = time.monotonic()
    cur.execute("BEGIN")
    cur.execute(
        f"INSERT INTO {table} (id, created_at, actor_id, actor_label, action, object_type, object_id, before, after,"
        " reason, chain, prev_hash, hash, version)"
        f" SELECT {ROWS + 10} + g, timestamptz '2026-12-20 00:00+08', NULL, 'system:bench', 'action.1',"
        " 'app.type1', g::text, NULL, '{}'::jsonb, '', 1, md5(g::text), md5(g::text || 'append'), 2"
        " FROM generate_series(1, 1000) g"
        if table == "audit_part"
        else f"INSERT INTO {table} (created_at, actor_id, actor_label, action, object_type, object_id, before,"
        " after, reason, chain, prev_hash, hash, version)"
        " SELECT timestamptz '2026-12-20 00:00+08', NULL, 'system:bench', 'action.1',"
        " 'app.type1', g::text, NULL, '{}'::jsonb, '', 1, md5(g::text), md5(g::text || 'append'), 2"
        " FROM generate_series(1, 1000) g"
    )
    cur.execute("ROLLBACK")
    out["append-1000"] = (time.monotonic() - started) * 1000
    return out


def _sizes(cur, table: str) -> tuple[int, int]:
    cur.execute(
        "SELECT coalesce(sum(pg_relation_size(c.oid)), 0), coalesce(sum(pg_indexes_size(c.oid)), 0)"
        " FROM pg_class c WHERE c.relname = %(t)s OR c.relname LIKE %(p)s AND c.relkind = 'r'",
        {"t": table, "p": table + "\\_%"},
    )
    heap, idx = cur.fetchone()
    return int(heap), int(idx)


def run() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cur:
        # the trail forbids UPDATE/DELETE with triggers; the bench only inserts (and rolls its appends back)
        print(f"filling {ROWS:,} audit entries over {MONTHS} months ({OBJECTS:,} objects) …", flush=True)
        fill = _fill(cur, "audit_auditentry")
        print(f"  plain table filled in {fill:.0f} s", flush=True)
        part = _partitioned(cur)
        print(f"  partitioned copy ({MONTHS + 1} monthly partitions) built in {part:.0f} s", flush=True)
        plain_q, part_q = _queries(cur, "audit_auditentry"), _queries(cur, "audit_part")
        (ph, pi), (qh, qi) = _sizes(cur, "audit_auditentry"), _sizes(cur, "audit_part")
    print()
    print(f"{'query (ms, median of 5)':<28}{'plain':>12}{'by month':>12}")
    for k in plain_q:
        print(f"{k:<28}{plain_q[k]:>12.2f}{part_q[k]:>12.2f}")
    mb = 1024 * 1024
    print(f"{'heap MB':<28}{ph / mb:>12.0f}{qh / mb:>12.0f}")
    print(f"{'indexes MB':<28}{pi / mb:>12.0f}{qi / mb:>12.0f}")
    print(f"{'bytes per entry (all)':<28}{(ph + pi) / ROWS:>12.0f}{(qh + qi) / ROWS:>12.0f}")


if __name__ == "__main__":
    run_in_fresh_database(URL, run)
