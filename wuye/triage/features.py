"""Labelled data and features of the triage model: JSONL lines, text → TF-IDF of characters and jieba words."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jieba
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from wuye.kernel.taxonomy import Category

from .text import fold

jieba.setLogLevel(logging.WARNING)

NONE = "NONE"
LABELS: tuple[str, ...] = (*Category.values, NONE)
URGENT, NORMAL = "urgent", "normal"


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
    group: str = ""  # lines of one generated situation share a group: one side of the split, one CV fold

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
    return Example(text, category, urgency, str(obj.get("group") or ""))


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
