from typing import Any, cast

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from wuye.audit.models import AuditEntry
from wuye.audit.services import audit_record, audit_record_many
from wuye.kernel.actors import PublicActor, SystemActor
from wuye.testing import make_company

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def one_chain(settings):
    """These tests exercise one chain's mechanics (links, head, checkpoints); test_parallel_chains splits it."""
    settings.WUYE = {**settings.WUYE, "AUDIT_CHAINS": 1}


def _tamper(sql, params):
    """Edit the table behind the application's back (on PostgreSQL the trigger must be lifted first)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET LOCAL session_replication_role = replica")  # what a superuser could do
        cur.execute(sql, params)


def _three_entries():
    for i in range(3):
        make_company(f"链测试物业{i}")
    return list(AuditEntry.objects.order_by("id"))


def test_intact_chain_verifies(capsys):
    _three_entries()
    call_command("audit_verify")
    assert "审计链完整" in capsys.readouterr().out


def test_an_edited_entry_is_named(capsys):
    entries = _three_entries()
    _tamper(f"UPDATE {AuditEntry._meta.db_table} SET reason = %s WHERE id = %s", ["篡改", entries[1].id])
    with pytest.raises(CommandError, match=f"#{entries[1].id}.*被修改"):
        call_command("audit_verify")


def test_a_deleted_entry_breaks_the_link_of_the_next_one():
    entries = _three_entries()
    _tamper(f"DELETE FROM {AuditEntry._meta.db_table} WHERE id = %s", [entries[1].id])
    with pytest.raises(CommandError, match=f"#{entries[2].id}.*删除"):
        call_command("audit_verify")


def test_deleting_the_newest_entry_is_detected_at_the_head():
    entries = _three_entries()
    _tamper(f"DELETE FROM {AuditEntry._meta.db_table} WHERE id = %s", [entries[-1].id])
    with pytest.raises(CommandError, match="链尾"):
        call_command("audit_verify")


def test_entries_cannot_be_changed_through_the_orm():
    entry = _three_entries()[0]
    entry.reason = "x"
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused():
    company = make_company()
    with pytest.raises(RuntimeError):
        audit_record(actor=SystemActor("demo"), action="x", obj=company)
    with transaction.atomic():
        entry = audit_record(
            actor=SystemActor("demo"), action="x", obj=company, before={"a": 1}, after={"a": 2}
        )
    assert entry.prev_hash == AuditEntry.objects.filter(id__lt=entry.id).order_by("-id").first().hash


def test_postgresql_itself_refuses_to_edit_an_entry():
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    from django.db import DatabaseError

    entry = _three_entries()[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(f"UPDATE {AuditEntry._meta.db_table} SET reason = 'x' WHERE id = %s", [entry.id])


def test_a_batch_of_entries_chains_between_single_ones_and_an_edit_inside_it_is_named(capsys):
    from wuye.audit.models import AuditHead
    from wuye.audit.services import audit_record_many

    companies = [make_company(f"批量链测试物业{i}") for i in range(3)]
    with transaction.atomic():
        batch = audit_record_many(
            actor=SystemActor("demo"),
            action="company.check",
            objs=companies,
            before=[{"n": i} for i in range(3)],
            after=[{"n": i + 1} for i in range(3)],
            reason=["批量", "批量", "批量"],
        )
    make_company("批量之后的物业")  # a single entry after the batch links to its last entry
    assert [e.prev_hash for e in batch[1:]] == [e.hash for e in batch[:-1]]
    assert AuditHead.objects.get(id=1).count == AuditEntry.objects.count()
    call_command("audit_verify")
    assert "审计链完整" in capsys.readouterr().out
    _tamper(f"UPDATE {AuditEntry._meta.db_table} SET reason = %s WHERE id = %s", ["篡改", batch[1].id])
    with pytest.raises(CommandError, match=f"#{batch[1].id}.*被修改"):
        call_command("audit_verify")


@pytest.mark.django_db(transaction=True)
def test_a_batch_needs_a_transaction_and_one_value_per_object():
    from wuye.audit.services import audit_record_many

    company = make_company("批量校验物业")
    with pytest.raises(RuntimeError):
        audit_record_many(
            actor=SystemActor("demo"), action="x", objs=[company], before=[None], after=[None], reason=[""]
        )
    with pytest.raises(ValueError), transaction.atomic():
        audit_record_many(
            actor=SystemActor("demo"), action="x", objs=[company], before=[], after=[None], reason=[""]
        )


def test_an_entry_without_an_actor_is_refused():
    company = make_company("无主体物业")
    with pytest.raises(TypeError), transaction.atomic():
        audit_record(actor=cast(Any, None), action="x", obj=company)
    with pytest.raises(TypeError), transaction.atomic():
        audit_record_many(
            actor=cast(Any, None), action="x", objs=[company], before=[None], after=[None], reason=[""]
        )
    assert not AuditEntry.objects.filter(action="x").exists()


def test_the_trail_names_the_system_job_and_the_public_channel():
    company = make_company("标签物业")
    with transaction.atomic():
        job = audit_record(actor=SystemActor("tick"), action="x", obj=company)
        public = audit_record(actor=PublicActor("qr"), action="x", obj=company)
    assert (job.actor_label, job.actor_id) == ("系统（逾期检查）", None)
    assert (public.actor_label, public.actor_id) == ("群众（扫码即办）", None)
