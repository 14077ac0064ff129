"""Writing the audit chain. Call inside the transaction of the change being recorded."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, models, transaction

from wuye.common.dates import now, today
from wuye.kernel.actors import Actor, actor_label, actor_user, ensure_actor, requires_actor

from .chain import KEYED_VERSION, audit_key, entry_hash, jsonable
from .models import AuditCheckpoint, AuditEntry, AuditHead


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


def _lock_head() -> AuditHead:
    """Lock the chain head (made by migration 0002; recreated if a test flush removed it)."""
    head = AuditHead.objects.select_for_update().filter(id=1).first()
    if head is None:
        try:
            with transaction.atomic():
                AuditHead.objects.create(id=1)
        except IntegrityError:
            pass  # a concurrent writer created it first
        head = AuditHead.objects.select_for_update().get(id=1)
    return head


def _chained_entry(
    *,
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
    head = _lock_head()
    entry = _chained_entry(
        prev_hash=head.last_hash,
        created_at=now(),
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
        reason=reason,
    )
    entry.save(force_insert=True)
    AuditHead.objects.filter(id=1).update(last_hash=entry.hash, count=models.F("count") + 1)
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
    head = _lock_head()
    created_at = now()
    entries, prev_hash = [], head.last_hash
    for obj, b, a, r in zip(objs, before, after, reason, strict=True):
        entry = _chained_entry(
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
    AuditHead.objects.filter(id=1).update(last_hash=prev_hash, count=models.F("count") + len(entries))
    return entries


@requires_actor
@transaction.atomic
def audit_checkpoint_publish(*, actor: Actor, on: dt.date | None = None) -> AuditCheckpoint:
    """Publish the chain head (count and hash) as the checkpoint of the day, once; later calls return it.

    The head is locked like an append, so the count and hash belong to the same moment of the chain. `actor` is
    the job that publishes (the scheduler); a checkpoint is itself the record, so it writes no audit entry."""
    day = on or today()
    existing = AuditCheckpoint.objects.filter(date=day).first()
    if existing is not None:
        return existing
    if actor is None:
        raise TypeError("actor is required")
    head = _lock_head()
    checkpoint, _ = AuditCheckpoint.objects.get_or_create(
        date=day, defaults={"count": head.count, "hash": head.last_hash, "created_at": now()}
    )
    return checkpoint
