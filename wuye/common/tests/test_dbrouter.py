"""The database router: replica reads only inside reading_replica(), only when a replica is configured, never
inside a transaction on default; writes and migrations always on default; pgbouncer settings."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, router

from wuye.common.dbrouter import REPLICA_ALIAS, ReplicaRouter, reading_replica, replica_alias

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def with_replica():
    """A `replica` alias configured as DATABASE_REPLICA_URL would (no connection is opened by these tests)."""
    added = REPLICA_ALIAS not in connections.settings
    if added:
        connections.settings[REPLICA_ALIAS] = {
            **connections.settings[DEFAULT_DB_ALIAS],
            "TEST": {"MIRROR": "default"},
        }
    yield
    if added:
        del connections.settings[REPLICA_ALIAS]


class _Model:
    pass


def test_without_a_replica_everything_uses_default():
    if REPLICA_ALIAS in connections.settings:
        pytest.skip("DATABASE_REPLICA_URL is set")
    with reading_replica() as alias:
        assert alias == DEFAULT_DB_ALIAS
        assert ReplicaRouter().db_for_read(_Model) == DEFAULT_DB_ALIAS
    assert replica_alias() == DEFAULT_DB_ALIAS


def test_with_a_replica_only_reads_inside_reading_replica_go_there(with_replica):
    r = ReplicaRouter()
    assert r.db_for_read(_Model) == DEFAULT_DB_ALIAS  # an ordinary read
    with reading_replica() as alias:
        assert alias == REPLICA_ALIAS
        assert r.db_for_read(_Model) == REPLICA_ALIAS
        assert r.db_for_write(_Model) == DEFAULT_DB_ALIAS  # writes never
    assert r.db_for_read(_Model) == DEFAULT_DB_ALIAS  # the block is over
    assert (
        r.allow_migrate(REPLICA_ALIAS, "cases") is False
        and r.allow_migrate(DEFAULT_DB_ALIAS, "cases") is True
    )


def test_inside_a_transaction_on_default_reads_stay_there(with_replica):
    """A reading_replica() block inside an operation that may have written must see its own writes."""
    conn = connections[DEFAULT_DB_ALIAS]
    conn.in_atomic_block = True
    try:
        with reading_replica() as alias:
            assert alias == DEFAULT_DB_ALIAS
            assert ReplicaRouter().db_for_read(_Model) == DEFAULT_DB_ALIAS
    finally:
        conn.in_atomic_block = False


def test_the_router_is_installed():
    assert any(isinstance(r, ReplicaRouter) for r in router.routers)


def _settings_with(env: dict[str, str]) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps({a: {k: d.get(k) for k in ('ENGINE', 'CONN_MAX_AGE', 'DISABLE_SERVER_SIDE_CURSORS',"
        " 'OPTIONS', 'TEST')} for a, d in settings.DATABASES.items()}, default=str))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"DB_PGBOUNCER", "DATABASE_REPLICA_URL"}}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "wuye.settings.test", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_settings_replica_url_and_pgbouncer_mode():
    base = {"DATABASE_URL": "postgres://app@127.0.0.1:6432/wuye"}
    plain = _settings_with(base)
    assert set(plain) == {"default"} and not plain["default"]["DISABLE_SERVER_SIDE_CURSORS"]
    both = _settings_with(
        {**base, "DB_PGBOUNCER": "1", "DATABASE_REPLICA_URL": "postgres://app@127.0.0.1:6433/wuye"}
    )
    assert both["replica"]["TEST"]["MIRROR"] == "default"
    for alias in ("default", "replica"):
        assert both[alias]["DISABLE_SERVER_SIDE_CURSORS"] is True
        assert both[alias]["CONN_MAX_AGE"] == 0  # pgbouncer pools; Django keeps no connection
        assert both[alias]["OPTIONS"]["prepare_threshold"] is None  # psycopg never prepares statements
