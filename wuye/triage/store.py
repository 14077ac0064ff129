"""The trained triage model on disk: a versioned joblib artifact with a manifest (sklearn version, code version,
SHA-256); a mismatched artifact is refused, never half-used. Loaded once per process."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import joblib
import sklearn

from wuye.kernel.conf import county_setting

if TYPE_CHECKING:
    from .ml import TriageModel


# Bump when feature extraction, calibration or the artifact layout changes: older artifacts are then refused.
CODE_VERSION = "2"


class ModelUnavailable(RuntimeError):
    """No usable artifact: missing, corrupted, or built by another scikit-learn or code version."""


def artifact_dir() -> Path:
    configured = county_setting("TRIAGE")["ARTIFACT_DIR"]
    return Path(configured) if configured else Path(__file__).resolve().parent / "artifacts"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def save(model: TriageModel, *, directory: Path | None = None, keep_old: bool = False) -> Path:
    """Write model-<version>.joblib and point current.json at it (written last, atomically)."""
    directory = directory or artifact_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"model-{model.version}.joblib"
    payload = {
        "meta": model.meta,
        "features": model.features,
        "category_clf": model.category_clf,
        "urgent_clf": model.urgent_clf,
        "feature_names": model.feature_names,
    }
    joblib.dump(payload, path, compress=3)
    manifest = {**model.meta, "file": path.name, "sha256": _sha256(path), "size_bytes": path.stat().st_size}
    tmp = directory / "current.json.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    tmp.replace(directory / "current.json")
    if not keep_old:
        for old in directory.glob("model-*.joblib"):
            if old != path:
                old.unlink()
    return path


def read_manifest(directory: Path | None = None) -> dict[str, Any] | None:
    path = (directory or artifact_dir()) / "current.json"
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def usable_artifact_exists(directory: Path | None = None) -> bool:
    try:
        check_manifest(read_manifest(directory), directory or artifact_dir())
    except ModelUnavailable:
        return False
    return True


def check_manifest(manifest: dict[str, Any] | None, directory: Path) -> Path:
    if manifest is None:
        raise ModelUnavailable("没有训练好的分拣模型：请运行 python manage.py triage_train")
    if manifest.get("code_version") != CODE_VERSION:
        raise ModelUnavailable(
            f"模型由代码版本 {manifest.get('code_version')} 训练，当前代码版本为 {CODE_VERSION}：请重新运行 triage_train"
        )
    if manifest.get("sklearn") != sklearn.__version__:
        raise ModelUnavailable(
            f"模型由 scikit-learn {manifest.get('sklearn')} 训练，当前安装的是 {sklearn.__version__}："
            "请安装 pyproject.toml 中固定的版本，或重新运行 triage_train"
        )
    path = directory / str(manifest.get("file", ""))
    if not path.is_file():
        raise ModelUnavailable(f"模型文件 {path.name} 不存在：请重新运行 triage_train")
    if _sha256(path) != manifest.get("sha256"):
        raise ModelUnavailable(f"模型文件 {path.name} 的校验值与清单不符（文件可能已损坏或被改动），拒绝加载")
    return path
