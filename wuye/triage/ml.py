"""The triage model (§9): category with calibrated top-3 probabilities, urgency, and the terms that explain them.

Offline and CPU-only: TF-IDF over character n-grams and jieba words, multinomial logistic regression for the
category (temperature-scaled on out-of-fold predictions), a binary logistic regression for urgency combined with
explicit safety rules (`rules.py`). The trained objects are stored as a versioned joblib artifact with a manifest
(sklearn version, code version, SHA-256); a mismatched artifact is refused, never half-used.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
import threading
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jieba
import joblib
import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import FeatureUnion

from wuye.cases.taxonomy import Category
from wuye.kernel.conf import county_setting

from . import rules
from .text import fold, near_duplicate_groups

logger = logging.getLogger("wuye.triage")
jieba.setLogLevel(logging.WARNING)

# Bump when feature extraction or the artifact layout changes: older artifacts are then refused and rebuilt.
CODE_VERSION = "1"
NONE = "NONE"
LABELS: tuple[str, ...] = (*Category.values, NONE)
URGENT, NORMAL = "urgent", "normal"

# Chosen by 5-fold cross-validation (grouped by near-duplicates) on the train split only
# (`manage.py triage_train --select`; the table is in docs/triage.md).
DEFAULT_CONFIG: dict[str, Any] = {
    "char": [1, 3],  # character n-gram range, or None
    "word": [1, 2],  # jieba word n-gram range, or None
    "min_df": 2,
    "C": 10.0,  # category model
    "urgent_C": 10.0,  # urgency model
    "urgent_target_recall": 0.98,  # threshold picked on out-of-fold predictions for this recall (rules included)
}


class ModelUnavailable(RuntimeError):
    """No usable artifact: missing, corrupted, or built by another scikit-learn or code version."""


# --- features (module-level functions so the fitted vectorizers pickle) -------------------------------------


def prep_chars(text: str) -> str:
    return fold(text)


def jieba_words(text: str) -> list[str]:
    return list(_jieba_words(text))


@functools.lru_cache(maxsize=20000)
def _jieba_words(text: str) -> tuple[str, ...]:
    # cached: cross-validation tokenises every training text once per fold
    return tuple(w for w in jieba.lcut(prep_chars(text)) if w.strip())


def build_features(config: dict[str, Any]) -> FeatureUnion:
    parts: list[tuple[str, Any]] = []
    if config.get("char"):
        parts.append(
            (
                "c",
                TfidfVectorizer(
                    analyzer="char",
                    ngram_range=tuple(config["char"]),
                    min_df=config["min_df"],
                    sublinear_tf=True,
                    preprocessor=prep_chars,
                    lowercase=False,
                    dtype=np.float32,
                ),
            )
        )
    if config.get("word"):
        parts.append(
            (
                "w",
                TfidfVectorizer(
                    tokenizer=jieba_words,
                    token_pattern=None,
                    lowercase=False,
                    ngram_range=tuple(config["word"]),
                    min_df=config["min_df"],
                    sublinear_tf=True,
                    dtype=np.float32,
                ),
            )
        )
    if not parts:
        raise ValueError("config needs char or word features")
    return FeatureUnion(parts)


# --- data ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    text: str
    category: str
    urgency: str

    @property
    def urgent(self) -> bool:
        return self.urgency == URGENT


class DataError(ValueError):
    pass


def parse_line(raw: str, *, lineno: int) -> Example | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise DataError(f"第 {lineno} 行：不是合法的 JSON（{exc.msg}）") from exc
    if not isinstance(obj, dict):
        raise DataError(f"第 {lineno} 行：应为 JSON 对象")
    text = str(obj.get("text") or "").strip()
    category = str(obj.get("category") or "").strip()
    urgency = str(obj.get("urgency") or NORMAL).strip().lower()
    if not text:
        raise DataError(f"第 {lineno} 行：text 为空")
    if category not in LABELS:
        raise DataError(f"第 {lineno} 行：category「{category}」不是分类代码（{'、'.join(LABELS)}）")
    if urgency not in (URGENT, NORMAL):
        raise DataError(f"第 {lineno} 行：urgency 只能是 urgent 或 normal")
    return Example(text, category, urgency)


def read_jsonl(path: Path | str, *, errors: list[str] | None = None) -> list[Example]:
    """Read labelled lines. With `errors` given, bad lines are reported there and skipped; otherwise they raise."""
    out: list[Example] = []
    with open(path, encoding="utf-8-sig") as fh:
        for lineno, raw in enumerate(fh, 1):
            try:
                ex = parse_line(raw, lineno=lineno)
            except DataError as exc:
                if errors is None:
                    raise
                errors.append(str(exc))
                continue
            if ex is not None:
                out.append(ex)
    return out


def data_hash(examples: Sequence[Example]) -> str:
    h = hashlib.sha256()
    for ex in examples:
        h.update(f"{ex.text}\t{ex.category}\t{ex.urgency}\n".encode())
    return h.hexdigest()


# --- the model ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prediction:
    category: str
    top3: list[tuple[str, float]]
    urgent: bool
    urgent_probability: float
    urgent_reason: str
    terms: list[str]
    urgent_terms: list[str] = field(default_factory=list)
    model_version: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "top3": [{"category": c, "probability": p} for c, p in self.top3],
            "urgent": self.urgent,
            "urgent_probability": self.urgent_probability,
            "urgent_reason": self.urgent_reason,
            "terms": self.terms,
            "urgent_terms": self.urgent_terms,
            "model_version": self.model_version,
        }


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature minimising the negative log-likelihood of out-of-fold logits (Guo et al. 2017)."""
    best_t, best_nll = 1.0, float("inf")
    for t in np.exp(np.linspace(np.log(0.1), np.log(10.0), 81)):
        p = _softmax(logits / t)
        nll = -float(np.mean(np.log(p[np.arange(len(y)), y] + 1e-12)))
        if nll < best_nll:
            best_t, best_nll = float(t), nll
    return best_t


def _readable_terms(names: Iterable[str], k: int, *, words: set[str] | None = None) -> list[str]:
    """The strongest terms a person can read: jieba words, or character n-grams that are (part of) a word of the
    text; no folded digits; a term inside one already shown is skipped, a longer one replaces its parts."""
    chosen: list[str] = []
    for raw in names:
        term = raw.replace(" ", "").strip()
        if len(term) < 2 or "0" in term:
            continue
        if " " in raw.strip() and any(len(part) < 2 for part in raw.split()):
            continue  # a word pair with a one-character word ("栋 电梯") reads as noise
        if words is not None and " " not in raw.strip() and not any(term in w for w in words if len(w) >= 2):
            continue
        if any(term in c for c in chosen):
            continue
        chosen = [c for c in chosen if c not in term]
        chosen.append(term)
        if len(chosen) >= k:
            break
    return chosen


@dataclass
class TriageModel:
    version: str
    features: FeatureUnion
    category_clf: LogisticRegression
    urgent_clf: LogisticRegression
    temperature: float
    urgent_threshold: float
    feature_names: np.ndarray
    meta: dict[str, Any]

    def _category_logits(self, xs: Any) -> np.ndarray:
        return np.asarray(self.category_clf.decision_function(xs), dtype=np.float64)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        xs = self.features.transform(list(texts))
        return _softmax(self._category_logits(xs) / self.temperature)

    def _explain(self, x: Any, weights: np.ndarray, k: int, words: set[str]) -> list[str]:
        idx = x.indices
        if len(idx) == 0:
            return []
        contrib = x.data * weights[idx]
        order = np.argsort(-contrib)
        names = [self.feature_names[idx[i]] for i in order if contrib[i] > 0][: 10 * k]
        return _readable_terms(names, k, words=words)

    def _centred_coef(self) -> np.ndarray:
        """Each class's weights minus the mean over classes (what makes a term speak for *this* class); computed
        once per loaded model, not per prediction (it was ~1 ms of each)."""
        centred = self.__dict__.get("_centred")
        if centred is None:
            coef = self.category_clf.coef_
            centred = self.__dict__["_centred"] = coef - coef.mean(axis=0)
        return centred

    def __getstate__(self) -> dict[str, Any]:
        return {
            k: v for k, v in self.__dict__.items() if k != "_centred"
        }  # derived, not saved in the artifact

    def predict(self, text: str, *, k_terms: int = 6) -> Prediction:
        return self.predict_batch([text], k_terms=k_terms)[0]

    def predict_batch(self, texts: Sequence[str], *, k_terms: int = 6) -> list[Prediction]:
        """`predict` for many texts in one pass: the same result per text, but scikit-learn's fixed cost per call
        (input validation, the feature union) is paid once: ~7 ms for one text, ~0.2 ms a text in a batch."""
        if not texts:
            return []
        xs = self.features.transform(list(texts))
        probs_all = _softmax(self._category_logits(xs) / self.temperature)
        p_urgent_all = self.urgent_clf.predict_proba(xs)[:, 1]
        classes = [str(c) for c in self.category_clf.classes_]
        centred = self._centred_coef()
        urgent_weights = self.urgent_clf.coef_[0]
        rows = xs.tocsr()
        out = []
        for i, text in enumerate(texts):
            probs = probs_all[i]
            order = np.argsort(-probs)[:3]
            top3 = [(classes[j], round(float(probs[j]), 4)) for j in order]
            best = int(order[0])
            x = rows[i]
            words = set(jieba_words(text))
            terms = self._explain(x, centred[best], k_terms, words)
            p_urgent = float(p_urgent_all[i])
            hits = rules.urgent_hits(text)
            model_urgent = p_urgent >= self.urgent_threshold
            urgent_terms = self._explain(x, urgent_weights, 4, words) if (model_urgent or hits) else []
            if hits:
                reason = "安全规则：" + "；".join(f"{h.label}（{h.snippet}）" for h in hits[:3])
            elif model_urgent:
                reason = f"模型判断紧急（概率 {p_urgent:.2f}）：" + "、".join(urgent_terms or ["—"])
            else:
                reason = ""
            out.append(
                Prediction(
                    category=classes[best],
                    top3=top3,
                    urgent=bool(hits) or model_urgent,
                    urgent_probability=round(p_urgent, 4),
                    urgent_reason=reason,
                    terms=terms,
                    urgent_terms=urgent_terms,
                    model_version=self.version,
                )
            )
        return out

    def predict_many(self, texts: Sequence[str]) -> list[tuple[str, bool]]:
        """Category and urgent flag for many texts at once (evaluation)."""
        xs = self.features.transform(list(texts))
        probs = _softmax(self._category_logits(xs) / self.temperature)
        classes = self.category_clf.classes_
        cats = [str(classes[i]) for i in probs.argmax(axis=1)]
        pu = self.urgent_clf.predict_proba(xs)[:, 1]
        return [
            (c, bool(rules.urgent_hits(t)) or float(p) >= self.urgent_threshold)
            for c, t, p in zip(cats, texts, pu, strict=True)
        ]


# --- training ------------------------------------------------------------------------------------------------------


def _fit_once(
    texts: list[str], cats: np.ndarray, urg: np.ndarray, config: dict[str, Any]
) -> tuple[FeatureUnion, LogisticRegression, LogisticRegression]:
    feats = build_features(config)
    xs = feats.fit_transform(texts)
    cat = LogisticRegression(C=config["C"], class_weight="balanced", max_iter=3000)
    cat.fit(xs, cats)
    ur = LogisticRegression(C=config["urgent_C"], class_weight="balanced", max_iter=3000)
    ur.fit(xs, urg)
    return feats, cat, ur


def cross_validate(
    examples: Sequence[Example], config: dict[str, Any], *, folds: int = 5, seed: int = 7
) -> dict[str, Any]:
    """Out-of-fold category logits and urgency probabilities on the training data (no test data involved)."""
    texts = [e.text for e in examples]
    labels = sorted({e.category for e in examples})
    y = np.array([labels.index(e.category) for e in examples])
    urg = np.array([1 if e.urgent else 0 for e in examples])
    logits = np.zeros((len(examples), len(labels)))
    p_urg = np.zeros(len(examples))
    folds = min(folds, max(2, int(np.bincount(y).min())))
    # near-duplicates stay in one fold, or CV would reward memorising them
    groups = near_duplicate_groups(texts)
    skf = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    strat = y * 2 + urg
    counts = np.bincount(strat)
    strat = np.where(counts[strat] >= folds, strat, y)
    with warnings.catch_warnings():  # a class smaller than the fold count is allowed (few corrections)
        warnings.simplefilter("ignore", UserWarning)
        splits = list(skf.split(texts, strat, groups))
    for tr, te in splits:
        feats, cat, ur = _fit_once([texts[i] for i in tr], y[tr], urg[tr], config)
        xs = feats.transform([texts[i] for i in te])
        fold_logits = cat.decision_function(xs)
        full = np.full((len(te), len(labels)), -1e9)
        full[:, cat.classes_] = fold_logits
        logits[te] = full
        p_urg[te] = ur.predict_proba(xs)[:, 1]
    return {
        "folds": folds,
        "labels": labels,
        "y": y,
        "urgent": urg,
        "logits": logits,
        "p_urgent": p_urg,
        "texts": texts,
    }


def _macro_f1(y: np.ndarray, pred: np.ndarray) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(y, pred, average="macro", zero_division=0))


def pick_urgent_threshold(
    p_urgent: np.ndarray, urgent: np.ndarray, rule_hit: np.ndarray, target: float
) -> float:
    """The highest threshold whose combined (rule OR model) recall on out-of-fold data reaches `target`."""
    if urgent.sum() == 0:
        return 0.5
    for t in np.round(np.arange(0.9, 0.049, -0.01), 2):
        flag = rule_hit | (p_urgent >= t)
        recall = float((flag & (urgent == 1)).sum() / urgent.sum())
        if recall >= target:
            return float(t)
    return 0.05


def train(
    examples: Sequence[Example], *, config: dict[str, Any] | None = None, cv_folds: int = 5
) -> TriageModel:
    config = {**DEFAULT_CONFIG, **(config or {})}
    if len({e.category for e in examples}) < 2:
        raise DataError("训练数据至少需要两个类别")
    cv = cross_validate(examples, config, folds=cv_folds)
    y, logits = cv["y"], cv["logits"]
    temperature = _fit_temperature(logits, y)
    rule_hit = np.array([bool(rules.urgent_hits(t)) for t in cv["texts"]])
    threshold = pick_urgent_threshold(cv["p_urgent"], cv["urgent"], rule_hit, config["urgent_target_recall"])
    oof_pred = logits.argmax(axis=1)
    flag = rule_hit | (cv["p_urgent"] >= threshold)
    urg = cv["urgent"]
    cv_metrics = {
        "folds": cv["folds"],
        "macro_f1": round(_macro_f1(y, oof_pred), 4),
        "accuracy": round(float((oof_pred == y).mean()), 4),
        "urgent_recall": round(float((flag & (urg == 1)).sum() / max(1, urg.sum())), 4),
        "urgent_precision": round(float((flag & (urg == 1)).sum() / max(1, flag.sum())), 4),
        "rule_only_urgent_recall": round(float((rule_hit & (urg == 1)).sum() / max(1, urg.sum())), 4),
    }
    texts = [e.text for e in examples]
    cats = np.array([e.category for e in examples])
    feats, cat, ur = _fit_once(texts, cats, np.array([1 if e.urgent else 0 for e in examples]), config)
    names = np.array([n.split("__", 1)[-1] for n in feats.get_feature_names_out()], dtype=object)
    dh = data_hash(examples)
    version = f"{CODE_VERSION}-{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S}-{dh[:8]}"
    meta = {
        "version": version,
        "code_version": CODE_VERSION,
        "sklearn": sklearn.__version__,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "n_train": len(examples),
        "data_sha256": dh,
        "config": config,
        "temperature": temperature,
        "urgent_threshold": threshold,
        "cv": cv_metrics,
        "n_features": len(names),
        "class_counts": {c: int((cats == c).sum()) for c in sorted(set(cats))},
    }
    return TriageModel(
        version=version,
        features=feats,
        category_clf=cat,
        urgent_clf=ur,
        temperature=temperature,
        urgent_threshold=threshold,
        feature_names=names,
        meta=meta,
    )


# --- artifacts -------------------------------------------------------------------------------------------------------


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


def load(directory: Path | None = None) -> TriageModel:
    directory = directory or artifact_dir()
    manifest = read_manifest(directory)
    path = check_manifest(manifest, directory)
    payload = joblib.load(path)
    meta = payload["meta"]
    return TriageModel(
        version=meta["version"],
        features=payload["features"],
        category_clf=payload["category_clf"],
        urgent_clf=payload["urgent_clf"],
        temperature=float(meta["temperature"]),
        urgent_threshold=float(meta["urgent_threshold"]),
        feature_names=payload["feature_names"],
        meta=meta,
    )


_lock = threading.Lock()
_cached: TriageModel | None = None


def get_model() -> TriageModel:
    """The process-wide model, loaded on first use."""
    global _cached
    if _cached is None:
        with _lock:
            if _cached is None:
                _cached = load()
    return _cached


def reset_model(model: TriageModel | None = None) -> None:
    """Drop (or replace) the cached model, e.g. after training or in tests."""
    global _cached
    with _lock:
        _cached = model


def suggest(text: str) -> Prediction:
    return get_model().predict(text)
