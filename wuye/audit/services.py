"""Writing the audit chain. Call inside the transaction of the change being recorded."""

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, models, transaction

from wuye.common.dates import now

from .chain import entry_hash, jsonable
from .models import AuditEntry, AuditHead


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of a model instance as JSON-ready values (FKs by id)."""
    out: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if isinstance(field, models.ForeignKey):
            out[name] = getattr(obj, field.attname)
        else:
            out[name] = getattr(obj, name)
    return jsonable(out)


def _actor_label(actor: Any) -> str:
    if actor is None:
        return "系统"
    label = getattr(actor, "audit_label", None)
    return str(label() if callable(label) else (label or actor))


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


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> AuditEntry:
    """Append one entry. `actor` is a User or None for the system (scheduler, checks)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
    if not object_type or object_id is None:
        raise ValueError("audit_record needs obj or object_type and object_id")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change it records")
    head = _lock_head()
    created_at = now()
    before_j, after_j = jsonable(before), jsonable(after)
    actor_id = getattr(actor, "pk", None)
    label = _actor_label(actor)
    digest = entry_hash(
        prev_hash=head.last_hash,
        created_at=created_at,
        actor_id=actor_id,
        actor_label=label,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=before_j,
        after=after_j,
        reason=reason,
    )
    entry = AuditEntry(
        created_at=created_at,
        actor_id=actor_id,
        actor_label=label,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=before_j,
        after=after_j,
        reason=reason,
        prev_hash=head.last_hash,
        hash=digest,
    )
    entry.save(force_insert=True)
    AuditHead.objects.filter(id=1).update(last_hash=digest, count=models.F("count") + 1)
    return entry
