"""The triage model (§9): category with calibrated top-3 probabilities, urgency, and the terms that explain them.

Offline and CPU-only: TF-IDF over character n-grams and jieba words (`features.py`), multinomial logistic
regression for the category (temperature-scaled on out-of-fold logits), a binary logistic regression for urgency
(Platt-scaled on out-of-fold scores) combined with explicit safety rules (`rules.py`). Thresholds — the urgent
decision and the confidence above which a percentage is shown — are chosen on the out-of-fold predictions of the
training data (`calibration.py`). Artifacts: `store.py`. This module is the public face: the names other modules
use (`ml.train`, `ml.get_model`, `ml.read_jsonl`, …) are all importable from here.
"""

from __future__ import annotations

import datetime as dt
import threading
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import FeatureUnion

from . import rules
from .calibration import (
    apply_platt,
    fit_platt,
    fit_temperature,
    pick_confident_threshold,
    pick_urgent_threshold,
    softmax,
)
from .features import (
    LABELS,
    NONE,
    NORMAL,
    URGENT,
    DataError,
    Example,
    build_features,
    data_hash,
    jieba_words,
    parse_line,
    prep_chars,
    read_jsonl,
)
from .store import (
    CODE_VERSION,
    ModelUnavailable,
    artifact_dir,
    check_manifest,
    read_manifest,
    save,
    usable_artifact_exists,
)
from .text import near_duplicate_groups

# The model's names plus those re-exported from features and store, which callers use as `ml.X`.
__all__ = [
    "CODE_VERSION",
    "DEFAULT_CONFIG",
    "LABELS",
    "NONE",
    "NORMAL",
    "URGENT",
    "DataError",
    "Example",
    "ModelUnavailable",
    "Prediction",
    "TriageModel",
    "artifact_dir",
    "build_features",
    "check_manifest",
    "cross_validate",
    "data_hash",
    "get_model",
    "jieba_words",
    "load",
    "parse_line",
    "prep_chars",
    "read_jsonl",
    "read_manifest",
    "reset_model",
    "save",
    "suggest",
    "train",
    "usable_artifact_exists",
]

# Chosen by 5-fold cross-validation (grouped by near-duplicates) on the train split only
# (`manage.py triage_train --select`; the table is in docs/triage.md).
DEFAULT_CONFIG: dict[str, Any] = {
    "char": [1, 3],  # character n-gram range, or None
    "word": [1, 2],  # jieba word n-gram range, or None
    "min_df": 2,
    "C": 10.0,  # category model
    "urgent_C": 10.0,  # urgency model
    "urgent_target_recall": 0.99,  # threshold picked on out-of-fold predictions for this recall (rules included)
    "confident_accuracy": 0.95,  # a percentage is shown above the confidence where OOF accuracy reaches this
}
UNCERTAIN = "不确定"


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
    confident: bool = True
    department: str = ""  # for NONE: the department the complaint should be transferred to

    @property
    def confidence_label(self) -> str:
        return f"{round(self.top3[0][1] * 100)}%" if self.confident and self.top3 else UNCERTAIN

    def as_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "top3": [{"category": c, "probability": p} for c, p in self.top3],
            "confident": self.confident,
            "confidence": self.confidence_label,
            "urgent": self.urgent,
            "urgent_probability": self.urgent_probability,
            "urgent_reason": self.urgent_reason,
            "terms": self.terms,
            "urgent_terms": self.urgent_terms,
            "department": self.department,
            "model_version": self.model_version,
        }


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
    urgent_platt: tuple[float, float] = (1.0, 0.0)
    confident_threshold: float = 0.0

    def _category_logits(self, xs: Any) -> np.ndarray:
        return np.asarray(self.category_clf.decision_function(xs), dtype=np.float64)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        xs = self.features.transform(list(texts))
        return softmax(self._category_logits(xs) / self.temperature)

    def _urgent_proba(self, xs: Any) -> np.ndarray:
        return apply_platt(self.urgent_clf.predict_proba(xs)[:, 1], self.urgent_platt)

    def scores(self, texts: Sequence[str]) -> dict[str, Any]:
        """Calibrated probabilities for many texts at once (evaluation): category probabilities, urgent
        probability, rule hits and the urgent decision."""
        texts = list(texts)
        xs = self.features.transform(texts)
        probs = softmax(self._category_logits(xs) / self.temperature)
        p_urgent = self._urgent_proba(xs)
        rule_hit = np.array([bool(rules.urgent_hits(t)) for t in texts], dtype=bool)
        return {
            "classes": [str(c) for c in self.category_clf.classes_],
            "probs": probs,
            "p_urgent": p_urgent,
            "rule_hit": rule_hit,
            "urgent": rule_hit | (p_urgent >= self.urgent_threshold),
        }

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
        once per loaded model, not per prediction."""
        centred = self.__dict__.get("_centred")
        if centred is None:
            coef = self.category_clf.coef_
            centred = self.__dict__["_centred"] = coef - coef.mean(axis=0)
        return centred

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_centred"}  # derived, not saved

    def predict(self, text: str, *, k_terms: int = 6) -> Prediction:
        return self.predict_batch([text], k_terms=k_terms)[0]

    def predict_batch(self, texts: Sequence[str], *, k_terms: int = 6) -> list[Prediction]:
        """`predict` for many texts in one pass: the same result per text, but scikit-learn's fixed cost per call
        (input validation, the feature union) is paid once."""
        if not texts:
            return []
        from .departments import suggest_department

        xs = self.features.transform(list(texts))
        probs_all = softmax(self._category_logits(xs) / self.temperature)
        p_urgent_all = self._urgent_proba(xs)
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
                    confident=float(probs[best]) >= self.confident_threshold,
                    department=suggest_department(text) if classes[best] == NONE else "",
                )
            )
        return out

    def predict_many(self, texts: Sequence[str]) -> list[tuple[str, bool]]:
        """Category and urgent flag for many texts at once (evaluation)."""
        s = self.scores(texts)
        cats = [s["classes"][i] for i in s["probs"].argmax(axis=1)]
        return [(c, bool(u)) for c, u in zip(cats, s["urgent"], strict=True)]


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
    # near-duplicates and the lines of one generated situation stay in one fold
    groups = near_duplicate_groups(texts, labels=[e.group for e in examples])
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
        p_urg[te] = ur.predict_proba(xs)[:, 1] if len(ur.classes_) > 1 else float(ur.classes_[0])
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


def train(
    examples: Sequence[Example], *, config: dict[str, Any] | None = None, cv_folds: int = 5
) -> TriageModel:
    config = {**DEFAULT_CONFIG, **(config or {})}
    if len({e.category for e in examples}) < 2:
        raise DataError("训练数据至少需要两个类别")
    cv = cross_validate(examples, config, folds=cv_folds)
    y, logits, urg = cv["y"], cv["logits"], cv["urgent"]
    temperature = fit_temperature(logits, y)
    oof_probs = softmax(logits / temperature)
    oof_pred = oof_probs.argmax(axis=1)
    confident_threshold = pick_confident_threshold(
        oof_probs.max(axis=1), oof_pred == y, config["confident_accuracy"]
    )
    platt = fit_platt(cv["p_urgent"], urg)
    p_urgent = apply_platt(cv["p_urgent"], platt)
    rule_hit = np.array([bool(rules.urgent_hits(t)) for t in cv["texts"]])
    threshold = pick_urgent_threshold(p_urgent, urg, rule_hit, config["urgent_target_recall"])
    flag = rule_hit | (p_urgent >= threshold)
    confident = oof_probs.max(axis=1) >= confident_threshold
    cv_metrics = {
        "folds": cv["folds"],
        "macro_f1": round(_macro_f1(y, oof_pred), 4),
        "accuracy": round(float((oof_pred == y).mean()), 4),
        "urgent_recall": round(float((flag & (urg == 1)).sum() / max(1, urg.sum())), 4),
        "urgent_precision": round(float((flag & (urg == 1)).sum() / max(1, flag.sum())), 4),
        "rule_only_urgent_recall": round(float((rule_hit & (urg == 1)).sum() / max(1, urg.sum())), 4),
        "confident_share": round(float(confident.mean()), 4),
        "confident_accuracy": round(float((oof_pred == y)[confident].mean()) if confident.any() else 0.0, 4),
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
        "urgent_platt": list(platt),
        "urgent_threshold": threshold,
        "confident_threshold": confident_threshold,
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
        urgent_platt=platt,
        confident_threshold=confident_threshold,
        feature_names=names,
        meta=meta,
    )


def suggest(text: str) -> Prediction:
    return get_model().predict(text)


# --- the process-wide model ---


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
        urgent_platt=(float(meta["urgent_platt"][0]), float(meta["urgent_platt"][1])),
        confident_threshold=float(meta["confident_threshold"]),
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
