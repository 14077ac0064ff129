"""Scoring a labelled file against the model: per-class P/R/F1, macro-F1, urgent recall and precision, confusion
table, and reliability tables of the calibrated probabilities (category confidence, urgent probability)."""

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from .calibration import reliability
from .ml import LABELS, UNCERTAIN, Example, TriageModel


def evaluate(model: TriageModel, examples: Sequence[Example]) -> dict[str, Any]:
    s = model.scores([e.text for e in examples])
    probs = s["probs"]
    pred = [s["classes"][i] for i in probs.argmax(axis=1)]
    conf = probs.max(axis=1)
    p_urg = [bool(u) for u in s["urgent"]]
    gold = [e.category for e in examples]
    labels = [c for c in LABELS if c in set(gold) | set(pred)]
    p, r, f, sup = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)
    gold_labels = [c for c in labels if c in set(gold)]
    per_class = {
        c: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(sup[i])}
        for i, c in enumerate(labels)
    }
    # macro over the classes present in the file (a class nobody wrote about cannot be recalled)
    macro_f1 = sum(per_class[c]["f1"] for c in gold_labels) / max(1, len(gold_labels))
    correct = np.array([g == q for g, q in zip(gold, pred, strict=True)])
    accuracy = float(correct.mean()) if len(correct) else 0.0
    g_urg = [e.urgent for e in examples]
    tp = sum(a and b for a, b in zip(g_urg, p_urg, strict=True))
    urgent_recall = tp / sum(g_urg) if any(g_urg) else 1.0
    urgent_precision = tp / sum(p_urg) if any(p_urg) else (1.0 if not any(g_urg) else 0.0)
    confident = conf >= model.confident_threshold
    return {
        "labels": labels,
        "per_class": per_class,
        "confusion": confusion_matrix(gold, pred, labels=labels).tolist(),
        "macro_f1": macro_f1,
        "accuracy": accuracy,
        "urgent_recall": urgent_recall,
        "urgent_precision": urgent_precision,
        "urgent_support": sum(g_urg),
        "urgent_rule_recall": (
            sum(a and b for a, b in zip(g_urg, s["rule_hit"], strict=True)) / sum(g_urg)
            if any(g_urg)
            else 1.0
        ),
        "n": len(examples),
        "reliability_category": reliability(conf, correct),
        "reliability_urgent": reliability(s["p_urgent"], np.array(g_urg)),
        "confident_threshold": model.confident_threshold,
        "confident_share": float(confident.mean()) if len(confident) else 0.0,
        "confident_accuracy": float(correct[confident].mean()) if confident.any() else 0.0,
        "uncertain_accuracy": float(correct[~confident].mean()) if (~confident).any() else 0.0,
        "errors": [(e.text, e.category, q) for e, q in zip(examples, pred, strict=True) if e.category != q],
        "urgent_missed": [e.text for e, q in zip(examples, p_urg, strict=True) if e.urgent and not q],
    }


def format_reliability(title: str, table: dict[str, Any]) -> list[str]:
    lines = [
        f"{title}（ECE {table['ece']:.3f}，共 {table['n']} 条）",
        f"{'概率区间':<14}{'条数':>6}{'平均预测':>10}{'实际比例':>10}",
    ]
    for row in table["rows"]:
        lines.append(
            f"{row['lo']:.1f}–{row['hi']:.1f}{'':<7}{row['n']:>6}{row['predicted']:>12.3f}{row['observed']:>12.3f}"
        )
    return lines


def format_report(result: dict[str, Any]) -> list[str]:
    lines = [f"{'类别':6}{'精确率':>8}{'召回率':>8}{'F1':>8}{'样本数':>8}"]
    for c in result["labels"]:
        m = result["per_class"][c]
        lines.append(f"{c:8}{m['precision']:>10.3f}{m['recall']:>10.3f}{m['f1']:>10.3f}{m['support']:>10}")
    lines.append(
        f"macro-F1 {result['macro_f1']:.4f}   准确率 {result['accuracy']:.4f}   "
        f"紧急召回率 {result['urgent_recall']:.4f}（仅规则 {result['urgent_rule_recall']:.4f}）   "
        f"紧急精确率 {result['urgent_precision']:.4f}   （紧急 {result['urgent_support']} 条，共 {result['n']} 条）"
    )
    lines.append("混淆矩阵（行 = 标注，列 = 预测）：")
    labels = result["labels"]
    lines.append(" " * 6 + "".join(f"{c:>6}" for c in labels))
    for c, row in zip(labels, result["confusion"], strict=True):
        lines.append(f"{c:6}" + "".join(f"{v:>6}" for v in row))
    lines += format_reliability("可靠性表：类别（最高概率 vs 实际正确率）", result["reliability_category"])
    lines += format_reliability("可靠性表：紧急（紧急概率 vs 实际紧急比例）", result["reliability_urgent"])
    lines.append(
        f"显示百分比的门槛 {result['confident_threshold']:.2f}：{result['confident_share'] * 100:.1f}% 的建议显示百分比，"
        f"其准确率 {result['confident_accuracy']:.3f}；其余显示“{UNCERTAIN}”，准确率 {result['uncertain_accuracy']:.3f}"
    )
    return lines
