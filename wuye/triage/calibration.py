"""Calibration of the triage model's probabilities and the thresholds chosen on out-of-fold (validation) data.

- category: temperature scaling of the logistic regression's logits (Guo et al. 2017), fitted on out-of-fold logits;
- urgency: Platt scaling (a sigmoid of the balanced classifier's log-odds), fitted on out-of-fold scores;
- the confidence above which the queue shows a percentage, and the urgent threshold, chosen on the same
  out-of-fold predictions — never on a test or realistic file;
- reliability tables (predicted probability in bins against the observed frequency) for the eval output.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature minimising the negative log-likelihood of out-of-fold logits."""
    best_t, best_nll = 1.0, float("inf")
    for t in np.exp(np.linspace(np.log(0.1), np.log(10.0), 81)):
        p = softmax(logits / t)
        nll = -float(np.mean(np.log(p[np.arange(len(y)), y] + 1e-12)))
        if nll < best_nll:
            best_t, best_nll = float(t), nll
    return best_t


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def fit_platt(p_raw: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(a, b) of p = sigmoid(a · logit(p_raw) + b), by maximum likelihood on out-of-fold scores."""
    if y.min() == y.max():
        return 1.0, 0.0
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e4, max_iter=1000)
    lr.fit(_logit(p_raw).reshape(-1, 1), y)
    return float(lr.coef_[0][0]), float(lr.intercept_[0])


def apply_platt(p_raw: np.ndarray, ab: tuple[float, float]) -> np.ndarray:
    a, b = ab
    return 1.0 / (1.0 + np.exp(-(a * _logit(p_raw) + b)))


def pick_urgent_threshold(
    p_urgent: np.ndarray, urgent: np.ndarray, rule_hit: np.ndarray, target: float
) -> float:
    """The highest threshold whose combined (rule OR model) recall on out-of-fold data reaches `target`."""
    if urgent.sum() == 0:
        return 0.5
    for t in np.round(np.arange(0.9, 0.009, -0.01), 2):
        flag = rule_hit | (p_urgent >= t)
        recall = float((flag & (urgent == 1)).sum() / urgent.sum())
        if recall >= target:
            return float(t)
    return 0.01


def pick_confident_threshold(confidence: np.ndarray, correct: np.ndarray, target_accuracy: float) -> float:
    """The lowest top-1 probability above which out-of-fold suggestions are right at least `target_accuracy` of
    the time (so a percentage is shown only where it can be trusted)."""
    order = np.argsort(-confidence)
    conf, ok = confidence[order], correct[order].astype(float)
    acc = np.cumsum(ok) / np.arange(1, len(ok) + 1)
    good = np.nonzero(acc >= target_accuracy)[0]
    if len(good) == 0:
        return 1.0
    return float(np.round(max(0.3, conf[good[-1]]), 2))


def reliability(prob: np.ndarray, outcome: np.ndarray, *, bins: int = 10) -> dict[str, Any]:
    """Rows (bin, n, mean predicted, observed frequency) and the expected calibration error."""
    prob, outcome = np.asarray(prob, dtype=float), np.asarray(outcome, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    rows, ece = [], 0.0
    for i in range(bins):
        lo, hi = edges[i], edges[i + 1]
        mask = (prob >= lo) & ((prob < hi) if i < bins - 1 else (prob <= hi))
        n = int(mask.sum())
        if not n:
            continue
        mean_p, freq = float(prob[mask].mean()), float(outcome[mask].mean())
        ece += n / max(1, len(prob)) * abs(mean_p - freq)
        rows.append({"lo": float(lo), "hi": float(hi), "n": n, "predicted": mean_p, "observed": freq})
    return {"rows": rows, "ece": float(ece), "n": int(len(prob))}
