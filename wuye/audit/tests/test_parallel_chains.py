"""The trail as parallel chains: writers do not queue behind one head, and tampering is still caught, per chain
and against the published Merkle root of all heads."""

import datetime as dt
import json
import threading
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import Client

from wuye.audit.chain import merkle_root
from wuye.audit.models import AuditCheckpoint, AuditEntry, AuditHead
from wuye.audit.services import audit_checkpoint_publish, audit_record
from wuye.audit.tests.test_checkpoints import _tamper
from wuye.kernel.actors import SystemActor
from wuye.testing import make_company

pytestmark = pytest.mark.django_db
TICK = SystemActor("tick")
DEMO = SystemActor("demo")


@pytest.fixture(autouse=True)
def four_chains(settings):
    settings.WUYE = {**settings.WUYE, "AUDIT_CHAINS": 4}


def _spread(n=24):
    """Entries from separate transactions until at least two chains are used (the start chain is random)."""
    for i in range(n):
        connection._wuye_audit_chain = None  # a new transaction has no preference
        make_company(f"并行链测试物业{i}")
    chains = set(AuditEntry.objects.values_list("chain", flat=True))
    assert len(chains) >= 2
    return list(AuditEntry.objects.order_by("id"))


def _verify(*sources):
    out = StringIO()
    call_command("audit_verify", *[a for s in sources for a in ("--checkpoints", str(s))], stdout=out)
    return out.getvalue()


def _saved(tmp_path):
    path = tmp_path / "checkpoints.json"
    path.write_bytes(Client().get("/audit/checkpoints.json").content)
    return path


def test_each_entry_links_to_the_previous_entry_of_its_own_chain_and_the_heads_agree():
    entries = _spread()
    last: dict[int, str] = {}
    for e in entries:
        assert e.prev_hash == last.get(e.chain, "0" * 64)
        last[e.chain] = e.hash
    heads = {h.id: (h.count, h.last_hash) for h in AuditHead.objects.filter(count__gt=0)}
    assert heads == {c: (sum(1 for e in entries if e.chain == c), h) for c, h in last.items()}
    assert "审计链完整" in _verify()


def test_one_transaction_keeps_one_chain_for_all_its_entries():
    companies = [make_company(f"同一事务物业{i}") for i in range(3)]
    connection._wuye_audit_chain = None
    with transaction.atomic():
        entries = [audit_record(actor=DEMO, action="company.check", obj=c) for c in companies]
    assert len({e.chain for e in entries}) == 1
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]


def test_an_edit_in_any_chain_is_named(tmp_path):
    entries = _spread()
    victim = entries[len(entries) // 2]
    _tamper(f"UPDATE {AuditEntry._meta.db_table} SET reason = %s WHERE id = %s", ["篡改", victim.id])
    with pytest.raises(CommandError, match=f"#{victim.id}.*被修改"):
        _verify()


def test_the_checkpoint_publishes_every_head_and_their_merkle_root(tmp_path):
    _spread()
    cp = audit_checkpoint_publish(actor=TICK)
    heads = [(h["chain"], h["count"], h["hash"]) for h in cp.heads]
    assert len(heads) >= 2 and cp.count == AuditEntry.objects.count() == sum(n for _, n, _ in heads)
    assert cp.hash == merkle_root(heads)
    data = Client().get("/audit/checkpoints.json").json()["checkpoints"][0]
    assert data["heads"] == cp.heads and data["hash"] == cp.hash
    make_company("公示之后的物业")
    assert "与 1 个公示点一致" in _verify(_saved(tmp_path))


def test_one_chain_shortened_with_its_head_fixed_is_caught_by_the_checkpoint(tmp_path):
    entries = _spread()
    audit_checkpoint_publish(actor=TICK)
    saved = _saved(tmp_path)
    chain = entries[-1].chain
    mine = [e for e in entries if e.chain == chain]
    _tamper(f"DELETE FROM {AuditEntry._meta.db_table} WHERE id = %s", [mine[-1].id])
    if len(mine) > 1:
        _tamper(
            f"UPDATE {AuditHead._meta.db_table} SET last_hash = %s, count = count - 1 WHERE id = %s",
            [mine[-2].hash, chain],
        )
    else:
        _tamper(
            f"UPDATE {AuditHead._meta.db_table} SET last_hash = %s, count = 0 WHERE id = %s",
            ["0" * 64, chain],
        )
    _verify()  # without the checkpoint the shortened chain looks whole
    with pytest.raises(CommandError, match=f"链被截短.*第 {chain} 链第 {len(mine)} 条记录不存在"):
        _verify(saved)


def test_a_checkpoint_file_whose_root_does_not_match_its_heads_is_refused(tmp_path):
    _spread()
    audit_checkpoint_publish(actor=TICK)
    path = _saved(tmp_path)
    data = json.loads(path.read_text())
    data["checkpoints"][0]["heads"][0]["count"] += 1
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError, match="根哈希与其各链链头不符"):
        _verify(path)


def test_a_head_row_deleted_is_caught():
    entries = _spread()
    _tamper(f"DELETE FROM {AuditHead._meta.db_table} WHERE id = %s", [entries[0].chain])
    with pytest.raises(CommandError, match="链头缺失"):
        _verify()


def test_checkpoints_published_before_the_split_still_verify(tmp_path, settings):
    settings.WUYE = {**settings.WUYE, "AUDIT_CHAINS": 1}
    for i in range(3):
        make_company(f"拆分前物业{i}")
    old = audit_checkpoint_publish(actor=TICK, on=dt.date(2026, 1, 1))
    assert old.heads == [{"chain": 1, "count": 3, "hash": AuditHead.objects.get(id=1).last_hash}]
    legacy = tmp_path / "legacy.json"  # what a citizen saved before the split: no heads
    legacy.write_text(
        json.dumps({"checkpoints": [{"date": "2026-01-01", "count": old.count, "hash": old.hash}]})
    )
    settings.WUYE = {**settings.WUYE, "AUDIT_CHAINS": 4}
    _spread()
    assert "与 1 个公示点一致" in _verify(legacy)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_a_writer_does_not_wait_for_another_transaction_that_holds_a_chain():
    company, other = make_company("长事务物业"), make_company("并发物业")
    held, done = threading.Event(), threading.Event()

    def slow():
        try:
            with transaction.atomic():
                audit_record(actor=DEMO, action="company.check", obj=company)
                held.set()
                done.wait(10)  # keeps its chain locked until the other writer has finished
        finally:
            connection.close()

    thread = threading.Thread(target=slow)
    thread.start()
    assert held.wait(10)
    started = time.perf_counter()
    with transaction.atomic():
        entry = audit_record(actor=DEMO, action="company.check", obj=other)
    elapsed = time.perf_counter() - started
    done.set()
    thread.join()
    assert elapsed < 2, "the second writer took another chain instead of waiting"
    first = AuditEntry.objects.filter(object_id=str(company.pk), action="company.check").get()
    assert entry.chain != first.chain
    assert "审计链完整" in _verify()
    AuditCheckpoint.objects.all()  # nothing published here; the flush lifts the triggers


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_with_every_chain_busy_a_writer_waits_and_links_to_the_entry_of_the_holder(settings):
    settings.WUYE = {**settings.WUYE, "AUDIT_CHAINS": 1}
    company, other = make_company("占用链物业"), make_company("等待链物业")
    held, release = threading.Event(), threading.Event()
    second: dict[str, AuditEntry] = {}

    def holder():
        try:
            with transaction.atomic():
                audit_record(actor=DEMO, action="company.check", obj=company)
                held.set()
                release.wait(10)
        finally:
            connection.close()

    def waiter():
        try:
            with transaction.atomic():
                second["entry"] = audit_record(actor=DEMO, action="company.check", obj=other)
        finally:
            connection.close()

    first_thread, second_thread = threading.Thread(target=holder), threading.Thread(target=waiter)
    first_thread.start()
    assert held.wait(10)
    second_thread.start()
    time.sleep(0.5)
    assert second_thread.is_alive(), "the only chain is held: the second writer must wait for it"
    release.set()
    first_thread.join()
    second_thread.join(10)
    first = AuditEntry.objects.get(object_id=str(company.pk), action="company.check")
    assert second["entry"].chain == first.chain == 1
    assert (
        second["entry"].prev_hash == first.hash
    )  # read the head as the holder left it, not as it was before
    assert "审计链完整" in _verify()
