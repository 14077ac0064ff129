"""Model selection by cross-validation on the training split only (never on test.jsonl)."""

import time
from collections.abc import Callable, Sequence

import numpy as np

from . import rules
from .calibration import pick_urgent_threshold
from .ml import DEFAULT_CONFIG, Example, _macro_f1, cross_validate

CANDIDATES: list[dict] = [
    {"char": [1, 3], "word": None},
    {"char": [2, 4], "word": None},
    {"char": None, "word": [1, 2]},
    {"char": [1, 3], "word": [1, 2]},
]
C_VALUES = [1.0, 3.0, 10.0, 30.0]


def run_selection(examples: Sequence[Example], *, write: Callable[[str], object], folds: int = 5) -> None:
    rule_hit = np.array([bool(rules.urgent_hits(e.text)) for e in examples])
    write(f"{'features':28}{'C':>6}{'macro-F1':>10}{'acc':>8}{'urg-R':>8}{'urg-P':>8}{'sec':>6}")
    for cand in CANDIDATES:
        for c in C_VALUES:
            config = {**DEFAULT_CONFIG, **cand, "C": c, "urgent_C": c}
            t = time.perf_counter()
            cv = cross_validate(examples, config, folds=folds)
            pred = cv["logits"].argmax(axis=1)
            thr = pick_urgent_threshold(
                cv["p_urgent"], cv["urgent"], rule_hit, config["urgent_target_recall"]
            )
            flag = rule_hit | (cv["p_urgent"] >= thr)
            urg = cv["urgent"]
            rec = (flag & (urg == 1)).sum() / max(1, urg.sum())
            prec = (flag & (urg == 1)).sum() / max(1, flag.sum())
            name = f"char{cand['char']} word{cand['word']}"
            write(
                f"{name:28}{c:>6}{_macro_f1(cv['y'], pred):>10.4f}{(pred == cv['y']).mean():>8.4f}"
                f"{rec:>8.3f}{prec:>8.3f}{time.perf_counter() - t:>6.1f}"
            )
