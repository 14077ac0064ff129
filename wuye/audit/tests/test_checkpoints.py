"""Finding 7: the chain cannot be truncated on PostgreSQL, and a shortened or rewritten chain is caught against the
checkpoints published each day on the public portal."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import Client

from wuye.audit.chain import entry_hash
from wuye.audit.models import AuditCheckpoint, AuditEntry, AuditHead
from wuye.audit.services import audit_checkpoint_publish
from wuye.kernel.actors import SystemActor
from wuye.testing import make_company

pytestmark = pytest.mark.django_db

TICK = SystemActor("tick")


@pytest.fixture(autouse=True)
def one_chain(settings):
    """These tests exercise one chain's mechanics (links, head, checkpoints); test_parallel_chains splits it."""
    settings.WUYE = {**settings.WUYE, "AUDIT_CHAINS": 1}


def _tamper(sql, params=()):
    """Write behind the application's back (on PostgreSQL a superuser lifts the triggers first)."""
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute(sql, params)


def _entries(n=3):
    for i in range(n):
        make_company(f"公示点测试物业{i}")
    return list(AuditEntry.objects.order_by("id"))


def _saved_checkpoints(tmp_path, client=None):
    """What a citizen or the city does: save the public JSON."""
    resp = (client or Client()).get("/audit/checkpoints.json")
    assert resp.status_code == 200
    path = tmp_path / "checkpoints.json"
    path.write_bytes(resp.content)
    return path


def _verify(*sources):
    out = StringIO()
    call_command("audit_verify", *[a for s in sources for a in ("--checkpoints", str(s))], stdout=out)
    return out.getvalue()


def test_tick_publishes_the_head_once_a_day():
    _entries(2)
    call_command("tick", stdout=StringIO())
    head = AuditHead.objects.get(id=1)
    cp = AuditCheckpoint.objects.get()
    assert (cp.count, cp.hash) == (head.count, head.last_hash)
    make_company("之后的物业")
    call_command("tick", stdout=StringIO())
    assert AuditCheckpoint.objects.count() == 1, "one checkpoint per day, however often tick runs"
    later = audit_checkpoint_publish(actor=TICK, on=cp.date + dt.timedelta(days=1))
    assert later.count == head.count + 1


def test_the_public_page_and_its_json_show_the_checkpoints_and_the_footer_links_them():
    _entries(2)
    cp = audit_checkpoint_publish(actor=TICK)
    client = Client()
    home = client.get("/")
    assert 'href="/audit/checkpoints/"' in home.content.decode()
    page = client.get("/audit/checkpoints/")
    assert page.status_code == 200 and cp.hash in page.content.decode()
    data = client.get("/audit/checkpoints.json").json()
    assert data["checkpoints"] == [
        {"date": cp.date.isoformat(), "count": cp.count, "hash": cp.hash, "heads": cp.heads}
    ]
    assert cp.heads == [{"chain": 1, "count": cp.count, "hash": cp.hash}]  # one chain: its head is the root
    assert client.post("/audit/checkpoints.json").status_code == 405


def test_an_intact_chain_agrees_with_its_checkpoints(tmp_path):
    _entries(2)
    audit_checkpoint_publish(actor=TICK, on=dt.date(2026, 1, 1))
    make_company("次日的物业")
    audit_checkpoint_publish(actor=TICK, on=dt.date(2026, 1, 2))
    make_company("公示之后的物业")  # entries after the last checkpoint are fine
    assert "与 2 个公示点一致" in _verify(_saved_checkpoints(tmp_path))


def test_deleting_the_newest_entry_and_fixing_the_head_is_caught_by_a_checkpoint(tmp_path):
    entries = _entries(3)
    audit_checkpoint_publish(actor=TICK)
    saved = _saved_checkpoints(tmp_path)
    last, kept = entries[-1], entries[-2]
    _tamper(f"DELETE FROM {AuditEntry._meta.db_table} WHERE id = %s", [last.id])
    _tamper(
        f"UPDATE {AuditHead._meta.db_table} SET last_hash = %s, count = count - 1 WHERE id = 1", [kept.hash]
    )
    call_command(
        "audit_verify", stdout=StringIO()
    )  # without the checkpoints the chain looks whole: the old hole
    with pytest.raises(CommandError, match=f"链被截短.*第 {len(entries)} 条记录不存在"):
        _verify(saved)


def test_erasing_the_whole_chain_and_its_head_is_caught_by_a_checkpoint(tmp_path):
    _entries(2)
    audit_checkpoint_publish(actor=TICK)
    saved = _saved_checkpoints(tmp_path)
    _tamper(f"DELETE FROM {AuditEntry._meta.db_table}")
    _tamper(f"DELETE FROM {AuditHead._meta.db_table}")
    _tamper(
        f"DELETE FROM {AuditCheckpoint._meta.db_table}"
    )  # the copy in the database goes too; the saved one stays
    with pytest.raises(CommandError, match="链被截短"):
        _verify(saved)


def test_a_chain_rewritten_from_some_entry_on_is_caught_by_the_checkpoint(tmp_path, settings):
    """The insider without the key rewrites the newest entry and re-chains it with the unkeyed hash: the downgrade
    is refused, and the published hash no longer matches."""
    entries = _entries(3)
    audit_checkpoint_publish(actor=TICK)
    saved = _saved_checkpoints(tmp_path)
    e = entries[-1]
    forged = entry_hash(
        prev_hash=e.prev_hash,
        created_at=e.created_at,
        actor_id=e.actor_id,
        actor_label=e.actor_label,
        action=e.action,
        object_type=e.object_type,
        object_id=e.object_id,
        before=e.before,
        after={"name": "改写"},
        reason=e.reason,
    )
    _tamper(
        f"UPDATE {AuditEntry._meta.db_table} SET after = %s, hash = %s, version = 1 WHERE id = %s",
        [json.dumps({"name": "改写"}), forged, e.id],
    )
    _tamper(f"UPDATE {AuditHead._meta.db_table} SET last_hash = %s WHERE id = 1", [forged])
    with pytest.raises(CommandError, match=f"#{e.id}.*不带密钥"):
        _verify(saved)


def test_entries_are_keyed_and_old_unkeyed_entries_stay_verifiable(settings):
    settings.WUYE_AUDIT_KEY = ""
    old = _entries(2)
    assert {e.version for e in old} == {1}
    settings.WUYE_AUDIT_KEY = "county-secret"
    make_company("带密钥之后的物业")
    new = AuditEntry.objects.order_by("-id").first()
    assert new.version == 2 and new.prev_hash == old[-1].hash
    call_command("audit_verify", stdout=StringIO())
    settings.WUYE_AUDIT_KEY = "another-key"
    with pytest.raises(CommandError, match=f"#{new.id}.*被修改"):
        call_command("audit_verify", stdout=StringIO())
    settings.WUYE_AUDIT_KEY = ""
    with pytest.raises(CommandError, match=f"#{new.id}.*WUYE_AUDIT_KEY"):
        call_command("audit_verify", stdout=StringIO())


def test_checkpoints_by_file_url_and_bad_sources_are_named(tmp_path):
    _entries(2)
    audit_checkpoint_publish(actor=TICK)
    saved = _saved_checkpoints(tmp_path)
    assert "与 1 个公示点一致" in _verify(saved.as_uri())
    bad = tmp_path / "bad.json"
    bad.write_text('{"checkpoints": [{"date": "2026-01-01", "count": 1, "hash": "xyz"}]}')
    with pytest.raises(CommandError, match="第 1 个公示点的 hash"):
        _verify(bad)
    with pytest.raises(CommandError, match="无法读取公示点文件"):
        _verify(tmp_path / "missing.json")
    with pytest.raises(CommandError, match="不支持的地址"):
        _verify("ftp://example.invalid/x.json")


@pytest.mark.django_db(transaction=True)
def test_checkpoints_fetched_from_the_live_portal(live_server, tmp_path):
    _entries(2)
    with transaction.atomic():
        audit_checkpoint_publish(actor=TICK)
    assert "与 1 个公示点一致" in _verify(f"{live_server.url}/audit/checkpoints.json")


@pytest.mark.parametrize(
    "table", [AuditEntry._meta.db_table, AuditHead._meta.db_table, AuditCheckpoint._meta.db_table]
)
def test_postgresql_refuses_to_truncate_the_audit_tables(table):
    if connection.vendor != "postgresql":
        pytest.skip("the triggers exist on PostgreSQL only")
    _entries(1)
    audit_checkpoint_publish(actor=TICK)
    with pytest.raises(DatabaseError, match="cannot be truncated"), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(
                "SET CONSTRAINTS ALL IMMEDIATE"
            )  # the test's own pending FK checks, not the point here
            cur.execute(f"TRUNCATE {table} CASCADE")
    assert AuditEntry.objects.exists() and AuditHead.objects.exists() and AuditCheckpoint.objects.exists()


def test_postgresql_refuses_to_change_a_checkpoint_or_delete_the_head():
    if connection.vendor != "postgresql":
        pytest.skip("the triggers exist on PostgreSQL only")
    _entries(1)  # a head row exists once its chain has an entry
    cp = audit_checkpoint_publish(actor=TICK)
    for sql in (
        f"UPDATE {AuditCheckpoint._meta.db_table} SET count = 0 WHERE id = {cp.id}",
        f"DELETE FROM {AuditCheckpoint._meta.db_table}",
        f"DELETE FROM {AuditHead._meta.db_table}",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cur:
                cur.execute(sql)
