"""Dashboards, the city report and exports read through reading_replica(); ordinary pages do not. With a real
streaming replica (deploy/pg-replica.sh; WUYE_TEST_PRIMARY_URL and WUYE_TEST_REPLICA_URL set) the dashboard's
reads are shown to come from the replica."""

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wuye.accounts.models import Role
from wuye.common import dbrouter
from wuye.testing import login, make_user

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def flags(monkeypatch):
    """Records, for every ORM read, whether it was inside reading_replica()."""
    seen: list[bool] = []
    original = dbrouter.ReplicaRouter.db_for_read

    def spy(self, model, **hints):
        seen.append(dbrouter._reading_replica.get())
        return original(self, model, **hints)

    monkeypatch.setattr(dbrouter.ReplicaRouter, "db_for_read", spy)
    return seen


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "oversight:dashboard",
        "oversight:dashboard_export",
        "oversight:city_report_xlsx",
        "oversight:progress",
        "cases:export",
        "revenue:compliance_export",
        "credit:joint_export",
    ],
)
def test_reporting_pages_read_through_reading_replica(client, flags, name):
    login(client, make_user(Role.BUREAU_ADMIN))
    flags.clear()
    with CaptureQueriesContext(connection):
        assert client.get(reverse(name)).status_code == 200
    # the session and the user are read first, on default; every read of the page itself is a replica read
    assert True in flags and all(flags[flags.index(True) :])


@pytest.mark.django_db
def test_an_ordinary_page_reads_from_default(client, flags):
    login(client, make_user(Role.BUREAU_ADMIN))
    flags.clear()
    assert client.get(reverse("cases:list")).status_code == 200
    assert flags and not any(flags)


PRIMARY, REPLICA = os.environ.get("WUYE_TEST_PRIMARY_URL", ""), os.environ.get("WUYE_TEST_REPLICA_URL", "")


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


SCRIPT = textwrap.dedent(
    """
    import time, psycopg
    from django.db import connections
    from django.test import Client
    from wuye.accounts.models import Role
    from wuye.testing import login, make_town, make_user

    replica_queries = []
    def spy(execute, sql, params, many, context):
        replica_queries.append(sql)
        return execute(sql, params, many, context)

    viewer = make_user(Role.CITY_VIEWER)
    client = login(Client(), viewer)
    su = psycopg.connect(REPLICA_SU, autocommit=True)
    time.sleep(1)  # the user reached the replica
    su.execute("SELECT pg_wal_replay_pause()")
    try:
        make_town("复制延迟镇")  # on the primary; the paused replica does not have it yet
        with connections["replica"].execute_wrapper(spy):
            page = client.get("/oversight/dashboard/").content.decode()
        assert replica_queries, "no query went to the replica"
        assert "复制延迟镇" not in page, "the dashboard did not read from the replica"
        print("replica queries:", len(replica_queries))
    finally:
        su.execute("SELECT pg_wal_replay_resume()")
    for _ in range(50):
        page = client.get("/oversight/dashboard/").content.decode()
        if "复制延迟镇" in page:
            break
        time.sleep(0.2)
    assert "复制延迟镇" in page, "the replica never caught up"
    ordinary = client.get("/cases/").status_code
    print("caught up; ordinary page", ordinary)
    """
)


@pytest.mark.skipif(
    not (PRIMARY and REPLICA), reason="WUYE_TEST_PRIMARY_URL and WUYE_TEST_REPLICA_URL not set"
)
def test_the_dashboard_reads_from_a_streaming_replica():
    import psycopg

    name = "wuye_router_test"
    with psycopg.connect(PRIMARY, autocommit=True) as su:
        su.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        su.execute(f"CREATE DATABASE {name}")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "wuye.settings.test",
        "DATABASE_URL": _with_db(PRIMARY, name),
        "DATABASE_REPLICA_URL": _with_db(REPLICA, name),
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0", "--noinput"], env=env, cwd=ROOT, check=True)
    started = time.monotonic()
    code = f"REPLICA_SU = {_with_db(REPLICA, name)!r}\n" + SCRIPT
    out = subprocess.run(
        [*manage, "shell", "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert "replica queries:" in out.stdout and "caught up" in out.stdout
    print(out.stdout, f"({time.monotonic() - started:.1f} s)")
