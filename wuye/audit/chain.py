"""The hash of an entry covers its content and the previous entry's hash.

Version 1 is a plain SHA-256 of the canonical JSON. Version 2 is an HMAC-SHA256 keyed with `WUYE_AUDIT_KEY`, a
secret kept outside the database: someone who can write the tables but does not hold the key cannot recompute a
rewritten chain. Old version-1 entries stay verifiable; a chain may only go from version 1 to 2, never back.
"""

import datetime as dt
import hashlib
import hmac
import json
import uuid
from decimal import Decimal
from typing import Any

KEYED_VERSION = 2


class MissingAuditKey(RuntimeError):
    """A keyed entry cannot be written or checked without the key."""


def audit_key() -> bytes | None:
    """The HMAC key from settings (WUYE_AUDIT_KEY in the environment); None when unset (entries are version 1)."""
    from django.conf import settings

    key = getattr(settings, "WUYE_AUDIT_KEY", "") or ""
    return key.encode("utf-8") if key else None


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_default)


def jsonable(value: Any) -> Any:
    """Round-trip through canonical JSON so what is hashed equals what the database stores."""
    return json.loads(canonical_json(value))


def entry_hash(
    *,
    prev_hash: str,
    created_at: dt.datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    before: Any,
    after: Any,
    reason: str,
    version: int = 1,
    key: bytes | None = None,
) -> str:
    fields = {
        "prev": prev_hash,
        "at": created_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": actor_id,
        "actor_label": actor_label,
        "action": action,
        "type": object_type,
        "id": object_id,
        "before": before,
        "after": after,
        "reason": reason,
    }
    if version == 1:
        return hashlib.sha256(canonical_json(fields).encode("utf-8")).hexdigest()
    if version == KEYED_VERSION:
        if not key:
            raise MissingAuditKey("version-2 audit entries need WUYE_AUDIT_KEY")
        fields["v"] = KEYED_VERSION
        return hmac.new(key, canonical_json(fields).encode("utf-8"), hashlib.sha256).hexdigest()
    raise ValueError(f"unknown audit hash version {version}")


def merkle_root(heads: list[tuple[int, int, str]]) -> str:
    """One hash for every chain's head (chain, count, hash), as published in a checkpoint.

    A trail with only chain 1 (every trail before the chains were split) publishes that head's own hash, so old
    checkpoints and backups stay comparable. Otherwise: leaves `sha256("chain:count:hash")` in chain order, paired
    up level by level (an odd leaf is carried up), the usual Merkle tree."""
    heads = sorted(heads)
    if not heads:
        return "0" * 64
    if len(heads) == 1 and heads[0][0] == 1:
        return heads[0][2]
    level = [hashlib.sha256(f"{c}:{n}:{h}".encode()).digest() for c, n, h in heads]
    while len(level) > 1:
        nxt = [hashlib.sha256(level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0].hex()
