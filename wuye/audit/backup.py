"""Backup and restore of the whole platform: a portable JSON dump of every table (through Django, so it restores into
an empty migrated database on SQLite or PostgreSQL), the uploaded files, and a manifest of table counts, sha256 of
every file and the audit chain's head. A restore checks the manifest before loading anything, loads in one
transaction, then proves the result: the same counts, and `audit_verify` passes with the same head."""

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, models, transaction

from wuye.common.dates import now

from .chain import merkle_root
from .models import AuditHead
from .selectors import audit_verify_chain, chain_heads

FORMAT = 1
FORMAT_NAME = "fulljson"  # JSON with microseconds (see fulljson.py); the extension tells loaddata the format
DATA = f"data.{FORMAT_NAME}"
MEDIA = "media"
MANIFEST = "manifest.json"
# rebuilt by `migrate` (content types, permissions) or worthless in a copy (sessions)
EXCLUDED = ("contenttypes", "auth.permission", "sessions")


serializers.register_serializer(FORMAT_NAME, "wuye.audit.fulljson")


class BackupError(Exception):
    """A Chinese message for the operator; nothing has been written when it is raised from a restore."""


@dataclass(frozen=True)
class BackupResult:
    directory: Path
    rows: int
    files: int
    audit_count: int


def _models() -> list[type[models.Model]]:
    out = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.app_label in EXCLUDED or meta.label_lower in EXCLUDED:
            continue
        out.append(model)
    return sorted(out, key=lambda m: m._meta.label_lower)


def table_counts() -> dict[str, int]:
    return {m._meta.label_lower: m._base_manager.count() for m in _models()}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _media_files(root: Path) -> dict[str, str]:
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): _sha256(p) for p in sorted(root.rglob("*")) if p.is_file()}


def _stored_names(folder: str = "") -> list[str]:
    """Every uploaded file's name, through the storage API (local disk or the S3 bucket alike)."""
    try:
        dirs, files = default_storage.listdir(folder)
    except FileNotFoundError:  # local disk: no upload yet
        return []
    prefix = f"{folder}/" if folder else ""
    names = [prefix + f for f in files]
    for d in dirs:
        names += _stored_names(prefix + d)
    return sorted(names)


def _stored_files() -> dict[str, str]:
    out = {}
    for name in _stored_names():
        h = hashlib.sha256()
        with default_storage.open(name, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        out[name] = h.hexdigest()
    return out


def _head() -> dict[str, Any]:
    """The trail's state: all chains' entries and their Merkle root (a single chain 1: its head hash)."""
    heads = chain_heads()
    return {"count": sum(n for _, n, _ in heads), "hash": merkle_root(heads) if heads else "0" * 64}


def backup_create(*, directory: Path) -> BackupResult:
    """Write a backup into `directory` (new or empty). The dump, counts and head come from one snapshot."""
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"备份目录 {directory} 不是空的：请指定新目录，旧备份不会被覆盖")
    directory.mkdir(parents=True, exist_ok=True)
    with transaction.atomic():
        if connection.vendor == "postgresql":  # every table read from the same snapshot
            with connection.cursor() as cur:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        counts = table_counts()
        head = _head()
        call_command(
            "dumpdata",
            *[m._meta.label for m in _models()],
            natural_foreign=True,
            format=FORMAT_NAME,
            output=str(directory / DATA),
            verbosity=0,
        )
    files = _stored_files()
    for rel in files:
        target = directory / MEDIA / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(rel, "rb") as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst)
    copied = _media_files(directory / MEDIA)
    if copied != files:
        raise BackupError("上传文件在备份过程中发生变化，请重新备份")
    manifest = {
        "format": FORMAT,
        "created_at": now().isoformat(),
        "database": connection.vendor,
        "counts": counts,
        "data_sha256": _sha256(directory / DATA),
        "files": files,
        "audit_head": head,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))
    return BackupResult(directory, sum(counts.values()), len(files), head["count"])


def _read_manifest(directory: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{directory} 中没有 {MANIFEST}：不是本系统的备份") from None
    except json.JSONDecodeError as exc:
        raise BackupError(f"{MANIFEST} 不是有效的 JSON：{exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份格式 {manifest.get('format')} 不受支持（本版本为 {FORMAT}）")
    if _sha256(directory / DATA) != manifest["data_sha256"]:
        raise BackupError(f"{DATA} 的 sha256 与清单不符：备份已损坏或被修改")
    if _media_files(directory / MEDIA) != manifest["files"]:
        raise BackupError("上传文件与清单中的 sha256 不符：备份已损坏或被修改")
    return manifest


def _refuse_non_empty() -> None:
    for label, n in table_counts().items():
        if label == "audit.audithead":  # the migration's empty head row is what an empty database has
            if AuditHead.objects.exclude(count=0).exists():
                raise BackupError("数据库不是空的：审计链已有记录。只能恢复到刚迁移的空数据库")
            continue
        if n:
            raise BackupError(f"数据库不是空的：{label} 已有 {n} 行。只能恢复到刚迁移的空数据库")


def backup_restore(*, directory: Path) -> dict[str, Any]:
    """Restore `directory` into an empty migrated database and the file storage (MEDIA_ROOT or the bucket); all or
    nothing for the database."""
    manifest = _read_manifest(directory)
    with transaction.atomic():
        _refuse_non_empty()
        clashes = [rel for rel in manifest["files"] if default_storage.exists(rel)]
        if clashes:
            raise BackupError(f"上传文件存储中已有同名文件（如 {clashes[0]}）：请先清空上传文件目录或存储桶")
        call_command("loaddata", str(directory / DATA), verbosity=0)
        counts = table_counts()
        if counts != manifest["counts"]:
            diff = sorted(
                k for k in set(counts) | set(manifest["counts"]) if counts.get(k) != manifest["counts"].get(k)
            )
            raise BackupError(f"恢复后的行数与清单不符：{'、'.join(diff[:5])}")
        report = audit_verify_chain()
        if not report.ok or _head() != manifest["audit_head"]:
            raise BackupError(f"恢复后的审计链未通过核验：{report.reason or '链头与清单不符'}")
        for rel in manifest["files"]:
            with (directory / MEDIA / rel).open("rb") as fh:
                saved = default_storage.save(rel, File(fh))
            if saved != rel:
                raise BackupError(f"上传文件 {rel} 恢复时被改名为 {saved}：请先清空上传文件目录或存储桶")
    return manifest
