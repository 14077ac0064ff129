"""Writing the audit chain. Call inside the transaction of the change being recorded."""

import datetime as dt
import random
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, models, transaction

from wuye.common.dates import now, today
from wuye.kernel.actors import Actor, actor_label, actor_user, ensure_actor, requires_actor
from wuye.kernel.conf import county_setting

from .chain import KEYED_VERSION, audit_key, entry_hash, jsonable, merkle_root
from .models import AuditCheckpoint, AuditEntry, AuditHead
from .selectors import chain_heads

# the first key of PostgreSQL's two-key advisory locks taken on chains ("WY"); the second key is the chain number
LOCK_SPACE = 0x5759


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of a model instance as JSON-ready values (FKs by id)."""
    out: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if isinstance(field, models.ForeignKey):
            out[name] = getattr(obj, field.attname)
        else:
            out[name] = getattr(obj, name)
    result: dict[str, Any] = jsonable(out)
    return result


def _label_and_id(actor: Actor) -> tuple[str, int | None]:
    ensure_actor(actor)
    user = actor_user(actor)
    return actor_label(actor), (user.pk if user is not None else None)


def _lock_head(chain: int) -> AuditHead:
    """Lock one chain's head row (made on the chain's first entry; chain 1 by migration 0002)."""
    head = AuditHead.objects.select_for_update().filter(id=chain).first()
    if head is None:
        try:
            with transaction.atomic():
                AuditHead.objects.create(id=chain)
        except IntegrityError:
            pass  # a concurrent writer created it first
        head = AuditHead.objects.select_for_update().get(id=chain)
    return head


# One round trip for the usual case on PostgreSQL: try the chains in order and stop at the first free one (the
# LIMIT stops the scan, so no other chain is locked; a CTE calling a volatile function runs once), then lock and
# read that chain's head row. FOR UPDATE also makes the row read the newest committed version (READ COMMITTED
# re-reads a row updated since the statement's snapshot), so the head written by the transaction that held the
# chain just before is never missed. No row: every chain is busy; a NULL hash: the chain has no head row yet.
_TAKE_FREE_CHAIN = (
    "WITH taken AS (SELECT c FROM unnest(%s::int[]) AS c WHERE pg_try_advisory_xact_lock(%s, c) LIMIT 1) "
    'SELECT taken.c, h.last_hash FROM taken LEFT JOIN LATERAL (SELECT last_hash FROM "{head}" '
    "WHERE id = taken.c FOR UPDATE) AS h ON true"
)


def _take_chain() -> tuple[int, str]:
    """The chain this transaction appends to, locked until it ends, and its head's hash.

    A transaction keeps one chain for all its entries (so it never holds two and never waits while holding one:
    no deadlock between appends). On PostgreSQL it takes a free chain with `pg_try_advisory_xact_lock` — trying
    first the chain it may already hold (the lock is re-entrant), then the others from a random start — and waits
    only when every chain is busy. Concurrent writers thus spread over `AUDIT_CHAINS` chains instead of queueing
    behind one row. SQLite has one writer at a time: any chain will do."""
    connection = transaction.get_connection()
    chains = max(1, int(county_setting("AUDIT_CHAINS")))
    preferred = getattr(connection, "_wuye_audit_chain", None)
    start = preferred if preferred and preferred <= chains else random.randint(1, chains)  # noqa: S311
    chain = start
    if connection.vendor == "postgresql":
        order = [1 + (start - 1 + i) % chains for i in range(chains)]
        with connection.cursor() as cursor:
            cursor.execute(_TAKE_FREE_CHAIN.format(head=AuditHead._meta.db_table), [order, LOCK_SPACE])
            row = cursor.fetchone()
            if row is not None and row[1] is not None:
                connection._wuye_audit_chain = row[0]
                return row[0], row[1]
            if row is not None:  # the chain's first entry: its head row is made below
                chain = row[0]
            else:  # every chain busy: wait for one (holding none, so no cycle)
                chain = random.randint(1, chains)  # noqa: S311
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_SPACE, chain])
    connection._wuye_audit_chain = chain
    head = _lock_head(chain)
    return head.id, head.last_hash


def _append(entry: AuditEntry) -> None:
    """Insert the entry and move its chain's head to it: on PostgreSQL in one statement (a round trip less for
    every audited write), elsewhere with the ORM."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        entry.save(force_insert=True)
        AuditHead.objects.filter(id=entry.chain).update(last_hash=entry.hash, count=models.F("count") + 1)
        return
    fields = [f for f in AuditEntry._meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in fields]
    head_table = connection.ops.quote_name(AuditHead._meta.db_table)
    sql = (
        f"WITH head AS (UPDATE {head_table} SET last_hash = %s, count = count + 1 WHERE id = %s) "
        f"INSERT INTO {connection.ops.quote_name(AuditEntry._meta.db_table)} "
        f"({', '.join(connection.ops.quote_name(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [entry.hash, entry.chain, *values])
        entry.pk = cursor.fetchone()[0]
    entry._state.adding = False
    entry._state.db = connection.alias


def _chained_entry(
    *,
    chain: int,
    prev_hash: str,
    created_at: Any,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str | int,
    before: Any,
    after: Any,
    reason: str,
) -> AuditEntry:
    ensure_actor(actor)
    before_j, after_j = jsonable(before), jsonable(after)
    label, actor_id = _label_and_id(actor)
    key = audit_key()
    version = KEYED_VERSION if key else 1
    digest = entry_hash(
        prev_hash=prev_hash,
        created_at=created_at,
        actor_id=actor_id,
        actor_label=label,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=before_j,
        after=after_j,
        reason=reason,
        version=version,
        key=key,
    )
    return AuditEntry(
        created_at=created_at,
        actor_id=actor_id,
        actor_label=label,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=before_j,
        after=after_j,
        reason=reason,
        chain=chain,
        prev_hash=prev_hash,
        hash=digest,
        version=version,
    )


@requires_actor
def audit_record(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> AuditEntry:
    """Append one entry. `actor` is required: a User, SystemActor(job) or PublicActor(channel); None is refused
    (TypeError), so the trail never says a bare "系统"."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
    if not object_type or object_id is None:
        raise ValueError("audit_record needs obj or object_type and object_id")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change it records")
    chain, prev_hash = _take_chain()
    entry = _chained_entry(
        chain=chain,
        prev_hash=prev_hash,
        created_at=now(),
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
        reason=reason,
    )
    _append(entry)
    return entry


@requires_actor
def audit_record_many(
    *,
    actor: Actor,
    action: str,
    objs: list[models.Model],
    before: list[Any],
    after: list[Any],
    reason: list[str],
) -> list[AuditEntry]:
    """One entry per object, chained in order, written with one INSERT and one head update (a batch job: the
    triage worker marking leads urgent). Same entries, same chain as calling audit_record for each in turn."""
    if not (len(objs) == len(before) == len(after) == len(reason)):
        raise ValueError("audit_record_many needs one before, after and reason per object")
    if not objs:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record_many must run inside the transaction of the change it records")
    chain, prev_hash = _take_chain()
    created_at = now()
    entries = []
    for obj, b, a, r in zip(objs, before, after, reason, strict=True):
        entry = _chained_entry(
            chain=chain,
            prev_hash=prev_hash,
            created_at=created_at,
            actor=actor,
            action=action,
            object_type=obj._meta.label_lower,
            object_id=obj.pk,
            before=b,
            after=a,
            reason=r,
        )
        entries.append(entry)
        prev_hash = entry.hash
    AuditEntry.objects.bulk_create(entries)  # ids in list order: the chain's order
    AuditHead.objects.filter(id=chain).update(last_hash=prev_hash, count=models.F("count") + len(entries))
    return entries


@requires_actor
@transaction.atomic
def audit_checkpoint_publish(*, actor: Actor, on: dt.date | None = None) -> AuditCheckpoint:
    """Publish every chain's head, and their Merkle root, as the checkpoint of the day, once; later calls return it.

    Each head is read as committed (a real position of its chain); the chains need no common moment, so nothing is
    locked and no writer waits. `actor` is the job that publishes (the scheduler); a checkpoint is itself the
    record, so it writes no audit entry."""
    day = on or today()
    existing = AuditCheckpoint.objects.filter(date=day).first()
    if existing is not None:
        return existing
    if actor is None:
        raise TypeError("actor is required")
    heads = chain_heads()
    checkpoint, _ = AuditCheckpoint.objects.get_or_create(
        date=day,
        defaults={
            "count": sum(n for _, n, _ in heads),
            "hash": merkle_root(heads),
            "heads": [{"chain": c, "count": n, "hash": h} for c, n, h in heads],
            "created_at": now(),
        },
    )
    return checkpoint
