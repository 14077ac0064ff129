"""Reading published checkpoints back: the JSON of `/audit/checkpoints.json`, saved to a file or fetched by URL."""

import datetime as dt
import json
import re
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from .selectors import Checkpoint

HASH = re.compile(r"^[0-9a-f]{64}$")
URL_SCHEMES = ("http", "https", "file")


class CheckpointSourceError(ValueError):
    """The checkpoints could not be read or are malformed (a Chinese message for the operator)."""


def checkpoints_as_json(rows: Any, *, county: str, generated_at: dt.datetime) -> dict[str, Any]:
    return {
        "county": county,
        "generated_at": generated_at.isoformat(),
        "checkpoints": [
            {
                "date": c.date.isoformat(),
                "count": c.count,
                "hash": c.hash,
                **({"heads": c.heads} if c.heads else {}),
            }
            for c in rows
        ],
    }


def _read(source: str, *, timeout: float) -> bytes:
    scheme = urlparse(source).scheme
    if scheme in URL_SCHEMES:
        try:
            with urllib.request.urlopen(source, timeout=timeout) as resp:  # noqa: S310 - scheme checked above
                data: bytes = resp.read()
                return data
        except OSError as exc:
            raise CheckpointSourceError(f"无法读取公示点 {source}：{exc}") from exc
    if scheme and len(scheme) > 1:
        raise CheckpointSourceError(f"不支持的地址 {source}：只接受 http、https、file 或本地文件")
    try:
        return Path(source).read_bytes()
    except OSError as exc:
        raise CheckpointSourceError(f"无法读取公示点文件 {source}：{exc.strerror}") from exc


def parse_checkpoints(raw: bytes) -> list[Checkpoint]:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckpointSourceError(f"公示点不是有效的 JSON：{exc}") from exc
    items = data.get("checkpoints") if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        raise CheckpointSourceError("公示点文件中没有 checkpoints 列表")
    out = []
    for i, item in enumerate(items, start=1):
        try:
            count, digest = item["count"], item["hash"]
            day = dt.date.fromisoformat(item["date"]) if item.get("date") else None
        except (TypeError, KeyError, ValueError) as exc:
            raise CheckpointSourceError(f"第 {i} 个公示点缺少 count、hash 或日期无效") from exc
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise CheckpointSourceError(f"第 {i} 个公示点的 count 不是非负整数")
        if not isinstance(digest, str) or not HASH.match(digest):
            raise CheckpointSourceError(f"第 {i} 个公示点的 hash 不是 64 位十六进制")
        out.append(Checkpoint(count=count, hash=digest, date=day, heads=_heads(item.get("heads"), i)))
    return out


def _heads(raw: Any, i: int) -> tuple[tuple[int, int, str], ...]:
    """A checkpoint's chain heads ([] or absent: a checkpoint of the single chain 1, from before the split)."""
    if not raw:
        return ()
    if not isinstance(raw, list):
        raise CheckpointSourceError(f"第 {i} 个公示点的 heads 不是列表")
    heads = []
    for head in raw:
        try:
            chain, count, digest = head["chain"], head["count"], head["hash"]
        except (TypeError, KeyError) as exc:
            raise CheckpointSourceError(f"第 {i} 个公示点的链头缺少 chain、count 或 hash") from exc
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in (chain, count)):
            raise CheckpointSourceError(f"第 {i} 个公示点的链号或条数不是非负整数")
        if not isinstance(digest, str) or not HASH.match(digest):
            raise CheckpointSourceError(f"第 {i} 个公示点的链头 hash 不是 64 位十六进制")
        heads.append((chain, count, digest))
    return tuple(heads)


def load_checkpoints(source: str, *, timeout: float = 30.0) -> list[Checkpoint]:
    return parse_checkpoints(_read(source, timeout=timeout))
