from dataclasses import dataclass

from django.db import models

from .chain import entry_hash
from .models import AuditEntry, AuditHead


def audit_for_object(obj: models.Model) -> models.QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("id")


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    bad_entry_id: int | None = None
    reason: str = ""


def audit_verify_chain(*, batch: int = 5000) -> ChainReport:
    """Walk the chain in id order; an edited entry breaks its own hash, a removed one breaks the link."""
    prev = "0" * 64
    checked = 0
    last_id = 0
    while True:
        rows = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            break
        for e in rows:
            if e.prev_hash != prev:
                return ChainReport(False, checked, e.id, "前一条记录的哈希对不上：其前有记录被删除或修改")
            digest = entry_hash(
                prev_hash=e.prev_hash,
                created_at=e.created_at,
                actor_id=e.actor_id,
                actor_label=e.actor_label,
                action=e.action,
                object_type=e.object_type,
                object_id=e.object_id,
                before=e.before,
                after=e.after,
                reason=e.reason,
            )
            if digest != e.hash:
                return ChainReport(False, checked, e.id, "记录内容与其哈希不符：该记录被修改")
            prev = e.hash
            checked += 1
            last_id = e.id
    head = AuditHead.objects.filter(id=1).first()
    if head is not None and (head.last_hash != prev or head.count != checked):
        return ChainReport(False, checked, None, "链尾与链头不符：最新的记录被删除")
    return ChainReport(True, checked)
