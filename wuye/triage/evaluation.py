"""Scoring a labelled file against the model: per-class P/R/F1, macro-F1, urgent recall, confusion table."""

from collections.abc import Sequence
from typing import Any

from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from .ml import LABELS, Example, TriageModel


def evaluate(model: TriageModel, examples: Sequence[Example]) -> dict[str, Any]:
    preds = model.predict_many([e.text for e in examples])
    gold = [e.category for e in examples]
    pred = [p[0] for p in preds]
    labels = [c for c in LABELS if c in set(gold) | set(pred)]
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)
    gold_labels = [c for c in labels if c in set(gold)]
    per_class = {
        c: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
        for i, c in enumerate(labels)
    }
    # macro over the classes present in the file (a class nobody wrote about cannot be recalled)
    macro_f1 = sum(per_class[c]["f1"] for c in gold_labels) / max(1, len(gold_labels))
    accuracy = sum(g == q for g, q in zip(gold, pred, strict=True)) / max(1, len(gold))
    g_urg = [e.urgent for e in examples]
    p_urg = [q[1] for q in preds]
    tp = sum(a and b for a, b in zip(g_urg, p_urg, strict=True))
    urgent_recall = tp / sum(g_urg) if any(g_urg) else 1.0
    urgent_precision = tp / sum(p_urg) if any(p_urg) else (1.0 if not any(g_urg) else 0.0)
    cm = confusion_matrix(gold, pred, labels=labels)
    return {
        "labels": labels,
        "per_class": per_class,
        "confusion": cm.tolist(),
        "macro_f1": macro_f1,
        "accuracy": accuracy,
        "urgent_recall": urgent_recall,
        "urgent_precision": urgent_precision,
        "urgent_support": sum(g_urg),
        "n": len(examples),
        "errors": [
            (e.text, e.category, q[0]) for e, q in zip(examples, preds, strict=True) if e.category != q[0]
        ],
        "urgent_missed": [e.text for e, q in zip(examples, preds, strict=True) if e.urgent and not q[1]],
    }


def format_report(result: dict[str, Any]) -> list[str]:
    lines = [f"{'类别':6}{'精确率':>8}{'召回率':>8}{'F1':>8}{'样本数':>8}"]
    for c in result["labels"]:
        m = result["per_class"][c]
        lines.append(f"{c:8}{m['precision']:>10.3f}{m['recall']:>10.3f}{m['f1']:>10.3f}{m['support']:>10}")
    lines.append(
        f"macro-F1 {result['macro_f1']:.4f}   准确率 {result['accuracy']:.4f}   "
        f"紧急召回率 {result['urgent_recall']:.4f}   紧急精确率 {result['urgent_precision']:.4f}   "
        f"（紧急 {result['urgent_support']} 条，共 {result['n']} 条）"
    )
    lines.append("混淆矩阵（行 = 标注，列 = 预测）：")
    labels = result["labels"]
    lines.append(" " * 6 + "".join(f"{c:>6}" for c in labels))
    for c, row in zip(labels, result["confusion"], strict=True):
        lines.append(f"{c:6}" + "".join(f"{v:>6}" for v in row))
    return lines
