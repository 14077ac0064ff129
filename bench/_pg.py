"""Shared by the benchmarks: each runs in a PostgreSQL database of its own, created fresh and dropped after.

The database is named by DATABASE_URL and must start with `wuye_bench`, so a benchmark can never drop a real one.
"""

import os
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent


def bench_database(default_name: str) -> str:
    """Point Django at the benchmark's database (from DATABASE_URL or the default name) and return its URL."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuye.settings.local")
    os.environ.setdefault("DEBUG", "0")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    url = os.environ.get("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{default_name}")
    if not url.startswith("postgres"):
        sys.exit(f"{sys.argv[0]} needs a PostgreSQL DATABASE_URL")
    name = urlparse(url).path.lstrip("/")
    if not name.startswith("wuye_bench"):
        sys.exit(f"refusing to use database {name!r}: a benchmark database's name starts with wuye_bench")
    os.environ["DATABASE_URL"] = url
    return url


def _admin_exec(url: str, sql: str) -> None:
    import psycopg

    parsed = urlparse(url)
    with psycopg.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(sql)


def run_in_fresh_database(url: str, run: Callable[[], None]) -> None:
    """Create the database, run, and drop it again (kept with BENCH_KEEP=1)."""
    name = urlparse(url).path.lstrip("/")
    _admin_exec(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin_exec(url, f'CREATE DATABASE "{name}"')
    try:
        run()
    finally:
        from django.db import connections

        connections.close_all()
        if os.environ.get("BENCH_KEEP") != "1":
            _admin_exec(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
