"""The app behind pgbouncer in transaction mode (DB_PGBOUNCER=1): a server connection serves another client after
every transaction, so the app must keep no session state (no server-side cursors, no prepared statements, no
session advisory locks or SET). Writes from several threads through a pool of two server connections, and a
chunked read (the ledger export's .iterator()), all succeed.

Runs on PostgreSQL with the pgbouncer binary (Debian's package); a scratch database next to the test database."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[3]
URL = os.environ.get("DATABASE_URL", "")
PGBOUNCER = shutil.which("pgbouncer") or (
    "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else ""
)

pytestmark = pytest.mark.skipif(
    not URL.startswith("postgres") or not PGBOUNCER, reason="needs PostgreSQL (DATABASE_URL) and pgbouncer"
)

SCRIPT = textwrap.dedent(
    """
    import threading
    from django.db import connection, connections
    from django.test import Client
    from wuye.accounts.models import Role
    from wuye.intake.models import Lead
    from wuye.testing import login, make_estate, make_user

    s = connection.settings_dict
    assert s["DISABLE_SERVER_SIDE_CURSORS"] and s["CONN_MAX_AGE"] == 0 and s["OPTIONS"]["prepare_threshold"] is None
    estate = make_estate(code="PGB1")
    errors = []

    def work(n):
        try:
            client = Client(REMOTE_ADDR=f"10.9.0.{n + 1}")  # the QR form is limited per client
            for i in range(6):  # the same statements again and again: psycopg would prepare them by default
                r = client.post(f"/q/{estate.code}/", {"text": f"楼道灯坏了 {n}-{i}", "category": "1.3",
                                                        "idem": f"{n:02d}{i:02d}".ljust(32, "x")})
                assert r.status_code == 302, r.status_code
                make_user(Role.TASK_FORCE, username=f"tf-{n}-{i}")
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads: t.start()
    for t in threads: t.join()
    assert not errors, errors
    assert Lead.objects.count() == 24, Lead.objects.count()
    client = login(Client(), make_user(Role.BUREAU_ADMIN))
    assert client.get("/cases/export.xlsx").status_code == 200  # .iterator(): a client-side cursor here
    print("ok", Lead.objects.count())
    """
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_writes_and_chunked_reads_through_pgbouncer_in_transaction_mode():
    import psycopg

    parts = urlsplit(URL)
    name = f"wuye_pgbouncer_{os.environ.get('WUYE_TEST_DB_SUFFIX', 'test')}"
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as su:
        su.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        su.execute(f"CREATE DATABASE {name}")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_REPLICA_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="wuye.settings.test", DATABASE_URL=urlunsplit(parts._replace(path="/" + name))
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0", "--noinput"], env=env, cwd=ROOT, check=True)

    port = _free_port()
    work = Path(tempfile.mkdtemp(prefix="wuye-pgbouncer-"))
    user = parts.username or "postgres"
    (work / "users.txt").write_text(f'"{user}" "{parts.password or ""}"\n')
    (work / "pgbouncer.ini").write_text(
        textwrap.dedent(
            f"""
            [databases]
            {name} = host={parts.hostname} port={parts.port or 5432} dbname={name}
            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = {port}
            unix_socket_dir =
            auth_type = trust
            auth_file = {work}/users.txt
            pool_mode = transaction
            default_pool_size = 2
            max_client_conn = 100
            ignore_startup_parameters = extra_float_digits,options
            logfile = {work}/pgbouncer.log
            pidfile = {work}/pgbouncer.pid
            """
        )
    )
    as_root = os.geteuid() == 0
    if as_root:  # pgbouncer refuses to run as root
        shutil.chown(work, "postgres")
        for f in work.iterdir():
            shutil.chown(f, "postgres")
    bouncer = subprocess.Popen(
        [PGBOUNCER, *(["-u", "postgres"] if as_root else []), str(work / "pgbouncer.ini")]
    )
    try:
        for _ in range(50):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        through = parts._replace(netloc=f"{parts.username or 'postgres'}@127.0.0.1:{port}", path="/" + name)
        env.update(DATABASE_URL=urlunsplit(through), DB_PGBOUNCER="1")
        out = subprocess.run(
            [*manage, "shell", "-c", SCRIPT], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600
        )
        log = (work / "pgbouncer.log").read_text() if (work / "pgbouncer.log").exists() else ""
        assert out.returncode == 0, out.stderr[-3000:] + log[-2000:]
        assert "ok 24" in out.stdout
    finally:
        bouncer.terminate()
        bouncer.wait(10)
        shutil.rmtree(work, ignore_errors=True)
        with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as su:
            su.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
