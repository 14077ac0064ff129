"""Exit 0 if the PostgreSQL named by DATABASE_URL (or the local default) accepts connections."""

import os
import sys

import psycopg

url = os.environ.get("PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
try:
    with psycopg.connect(url, connect_timeout=3) as conn:
        conn.execute("select 1")
except Exception as exc:  # noqa: BLE001
    print(f"PostgreSQL 不可用：{exc}", file=sys.stderr)
    sys.exit(1)
