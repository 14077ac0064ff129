import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models

from .chain import KEYED_VERSION, MissingAuditKey, audit_key, entry_hash, merkle_root
from .models import AuditCheckpoint, AuditEntry, AuditHead

GENESIS = "0" * 64


def audit_for_object(obj: models.Model) -> models.QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("id")


def audit_checkpoints_public() -> models.QuerySet[AuditCheckpoint]:
    """The published checkpoints, newest first (the public page and its JSON)."""
    return AuditCheckpoint.objects.order_by("-date")


def chain_heads() -> list[tuple[int, int, str]]:
    """(chain, count, hash) of every chain that has entries, in chain order."""
    rows = AuditHead.objects.filter(count__gt=0).order_by("id").values_list("id", "count", "last_hash")
    return [(c, n, h) for c, n, h in rows]


@dataclass(frozen=True)
class Checkpoint:
    """A published state of the trail: `count` entries in all, Merkle root `hash`, and each chain's head.

    `heads` maps a chain to (count, hash): that chain's entry number `count` (1-based, in chain order) had hash
    `hash`. A checkpoint from before the chains were split has no heads: it was the head of chain 1."""

    count: int
    hash: str
    date: dt.date | None = None
    heads: tuple[tuple[int, int, str], ...] = ()

    def chain_positions(self) -> dict[int, tuple[int, str]]:
        if not self.heads:
            return {1: (self.count, self.hash)}
        return {c: (n, h) for c, n, h in self.heads}


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    bad_entry_id: int | None = None
    reason: str = ""
    checkpoints_matched: int = 0
    chains: int = 0


def _where(cp: Checkpoint) -> str:
    return f"{cp.date.isoformat()} 公示的" if cp.date else "公示的"


def _entry_digest(e: AuditEntry, key: bytes | None) -> str:
    return entry_hash(
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


def audit_verify_chain(*, batch: int = 5000, checkpoints: Iterable[Checkpoint] = ()) -> ChainReport:
    """Walk every chain (entries in id order, each linked to the previous entry of its chain); an edited entry
    breaks its own hash, a removed one breaks the link.

    Given published checkpoints, the entry at each chain position a checkpoint names must exist and carry its
    hash, and the checkpoint's root must be the Merkle root of its heads: a chain shortened (last entries deleted
    and the head row fixed, or everything truncated) or rewritten from some entry on is caught even when it is
    internally consistent."""
    cps = list(checkpoints)
    expected: dict[tuple[int, int], tuple[str, Checkpoint]] = {}
    for cp in cps:
        if cp.heads and merkle_root(list(cp.heads)) != cp.hash:
            return ChainReport(False, 0, None, f"{_where(cp)}根哈希与其各链链头不符：公示点文件有误")
        for chain, (n, h) in cp.chain_positions().items():
            if n == 0 and h != GENESIS:
                return ChainReport(False, 0, None, f"{_where(cp)}空链哈希不正确：公示点文件有误")
            expected[(chain, n)] = (h, cp)
    matched: set[tuple[int, int]] = {k for k in expected if k[1] == 0}
    key = audit_key()
    prev: dict[int, str] = {}
    counts: dict[int, int] = {}
    keyed_seen: set[int] = set()
    checked = 0
    last_id = 0
    while True:
        rows = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            break
        for e in rows:
            chain = e.chain
            if e.prev_hash != prev.get(chain, GENESIS):
                return ChainReport(False, checked, e.id, "前一条记录的哈希对不上：其前有记录被删除或修改")
            if e.version < KEYED_VERSION and chain in keyed_seen:
                return ChainReport(False, checked, e.id, "带密钥的记录之后出现不带密钥的记录：该记录被改写")
            if e.version >= KEYED_VERSION:
                keyed_seen.add(chain)
            try:
                digest = _entry_digest(e, key)
            except MissingAuditKey:
                return ChainReport(
                    False, checked, e.id, "该记录使用带密钥的哈希，但未设置 WUYE_AUDIT_KEY，无法核验"
                )
            except ValueError:
                return ChainReport(False, checked, e.id, f"未知的哈希版本 {e.version}：该记录被改写")
            if digest != e.hash:
                return ChainReport(False, checked, e.id, "记录内容与其哈希不符：该记录被修改")
            prev[chain] = e.hash
            counts[chain] = counts.get(chain, 0) + 1
            checked += 1
            last_id = e.id
            published = expected.get((chain, counts[chain]))
            if published is not None:
                if published[0] != e.hash:
                    return ChainReport(
                        False,
                        checked,
                        e.id,
                        f"与{_where(published[1])}第 {chain} 链第 {counts[chain]} 条记录的哈希不符：链被改写",
                    )
                matched.add((chain, counts[chain]))
    for (chain, n), (_, cp) in sorted(expected.items()):
        if counts.get(chain, 0) < n:
            return ChainReport(
                False,
                checked,
                None,
                f"链被截短：{_where(cp)}第 {chain} 链第 {n} 条记录不存在（现仅 {counts.get(chain, 0)} 条）",
                _matched(cps, matched),
            )
    heads = {c: (n, h) for c, n, h in AuditHead.objects.values_list("id", "count", "last_hash")}
    for chain, n in counts.items():
        if chain not in heads:
            return ChainReport(
                False, checked, None, f"链头缺失：第 {chain} 链的链头记录被删除", _matched(cps, matched)
            )
        if heads[chain] != (n, prev[chain]):
            return ChainReport(
                False, checked, None, f"链尾与链头不符：第 {chain} 链最新的记录被删除", _matched(cps, matched)
            )
    for chain, (n, _) in heads.items():
        if n and chain not in counts:
            return ChainReport(
                False, checked, None, f"链头与记录不符：第 {chain} 链的记录全部缺失", _matched(cps, matched)
            )
    return ChainReport(True, checked, checkpoints_matched=_matched(cps, matched), chains=len(counts))


def _matched(cps: list[Checkpoint], seen: set[tuple[int, int]]) -> int:
    """How many checkpoints had every chain position found and equal."""
    return sum(1 for cp in cps if all((c, n) in seen for c, (n, _) in cp.chain_positions().items()))
