import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models

from .chain import KEYED_VERSION, MissingAuditKey, audit_key, entry_hash
from .models import AuditCheckpoint, AuditEntry, AuditHead

GENESIS = "0" * 64


def audit_for_object(obj: models.Model) -> models.QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("id")


def audit_checkpoints_public() -> models.QuerySet[AuditCheckpoint]:
    """The published checkpoints, newest first (the public page and its JSON)."""
    return AuditCheckpoint.objects.order_by("-date")


@dataclass(frozen=True)
class Checkpoint:
    """A published head: the chain's entry number `count` (1-based, in chain order) had hash `hash`."""

    count: int
    hash: str
    date: dt.date | None = None


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    bad_entry_id: int | None = None
    reason: str = ""
    checkpoints_matched: int = 0


def _where(cp: Checkpoint) -> str:
    return f"{cp.date.isoformat()} 公示的" if cp.date else "公示的"


def audit_verify_chain(*, batch: int = 5000, checkpoints: Iterable[Checkpoint] = ()) -> ChainReport:
    """Walk the chain in id order; an edited entry breaks its own hash, a removed one breaks the link.

    Given published checkpoints, the entry at each checkpoint's position must exist and carry its hash: a chain
    shortened (last entries deleted and the head row fixed, or everything truncated) or rewritten from some entry
    on is caught even when it is internally consistent."""
    by_count: dict[int, Checkpoint] = {}
    for cp in checkpoints:
        by_count[cp.count] = cp
    matched = 0
    if 0 in by_count:
        if by_count[0].hash != GENESIS:
            return ChainReport(False, 0, None, f"{_where(by_count[0])}空链哈希不正确：公示点文件有误")
        matched += 1
    key = audit_key()
    prev = GENESIS
    checked = 0
    last_id = 0
    keyed_seen = False
    while True:
        rows = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            break
        for e in rows:
            if e.prev_hash != prev:
                return ChainReport(False, checked, e.id, "前一条记录的哈希对不上：其前有记录被删除或修改")
            if e.version < KEYED_VERSION and keyed_seen:
                return ChainReport(False, checked, e.id, "带密钥的记录之后出现不带密钥的记录：该记录被改写")
            keyed_seen = keyed_seen or e.version >= KEYED_VERSION
            try:
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
                    version=e.version,
                    key=key,
                )
            except MissingAuditKey:
                return ChainReport(
                    False, checked, e.id, "该记录使用带密钥的哈希，但未设置 WUYE_AUDIT_KEY，无法核验"
                )
            except ValueError:
                return ChainReport(False, checked, e.id, f"未知的哈希版本 {e.version}：该记录被改写")
            if digest != e.hash:
                return ChainReport(False, checked, e.id, "记录内容与其哈希不符：该记录被修改")
            prev = e.hash
            checked += 1
            last_id = e.id
            published = by_count.get(checked)
            if published is not None:
                if published.hash != e.hash:
                    return ChainReport(
                        False,
                        checked,
                        e.id,
                        f"与{_where(published)}第 {published.count} 条记录的哈希不符：链被改写",
                    )
                matched += 1
    longest = max(by_count.values(), key=lambda c: c.count, default=None)
    if longest is not None and longest.count > checked:
        return ChainReport(
            False,
            checked,
            None,
            f"链被截短：{_where(longest)}第 {longest.count} 条记录不存在（现仅 {checked} 条）",
            matched,
        )
    head = AuditHead.objects.filter(id=1).first()
    if head is None and checked:
        return ChainReport(False, checked, None, "链头缺失：链头记录被删除", matched)
    if head is not None and (head.last_hash != prev or head.count != checked):
        return ChainReport(False, checked, None, "链尾与链头不符：最新的记录被删除", matched)
    return ChainReport(True, checked, checkpoints_matched=matched)
