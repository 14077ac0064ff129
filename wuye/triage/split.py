"""Deterministic train/test split of the corpus (§9): ~20% test per class, near-duplicates never straddle it."""

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from .ml import Example, read_jsonl
from .text import fold, near_duplicate_groups

DATA_DIR = Path(__file__).resolve().parent / "data"
CORPUS_DIR = DATA_DIR / "corpus"
NEAR_DUPLICATE_COSINE = 0.8


def _key(text: str) -> str:
    return fold(text).replace(" ", "")


def _groups(examples: Sequence[Example]) -> list[list[int]]:
    members: dict[int, list[int]] = defaultdict(list)
    texts, labels = [e.text for e in examples], [e.group for e in examples]
    for i, g in enumerate(near_duplicate_groups(texts, threshold=NEAR_DUPLICATE_COSINE, labels=labels)):
        members[g].append(i)
    return list(members.values())


def _hash(text: str) -> str:
    return hashlib.sha256(_key(text).encode()).hexdigest()


def split(examples: Sequence[Example], *, test_share: float = 0.2) -> tuple[list[Example], list[Example]]:
    """Groups are ordered by the smallest hash of their members' normalised texts (independent of file order);
    within each class (the group's majority label) the first groups in that order go to test until the class
    has its share. Adding lines moves only groups near the boundary."""
    by_class: dict[str, list[list[int]]] = defaultdict(list)
    for g in _groups(examples):
        labels = [examples[i].category for i in g]
        major = max(sorted(set(labels)), key=labels.count)
        by_class[major].append(sorted(g))
    test_idx: set[int] = set()
    for _label, groups in sorted(by_class.items()):
        groups.sort(key=lambda g: min(_hash(examples[i].text) for i in g))
        total = sum(len(g) for g in groups)
        goal = round(total * test_share)
        taken = 0
        for g in groups:
            if taken >= goal:
                break
            test_idx.update(g)
            taken += len(g)
    train = [ex for i, ex in enumerate(examples) if i not in test_idx]
    test = [ex for i, ex in enumerate(examples) if i in test_idx]
    return train, test


def read_corpus(directory: Path = CORPUS_DIR) -> tuple[list[Example], list[str]]:
    examples: list[Example] = []
    errors: list[str] = []
    seen: set[tuple[str, str]] = set()
    for path in sorted(directory.glob("*.jsonl")):
        file_errors: list[str] = []
        for ex in read_jsonl(path, errors=file_errors):
            if (ex.text, ex.category) in seen:  # an exact repeat adds nothing
                continue
            seen.add((ex.text, ex.category))
            examples.append(ex)
        errors.extend(f"{path.name} {e}" for e in file_errors)
    return examples, errors


def write_jsonl(path: Path, examples: Sequence[Example]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for ex in examples:
            row = {"text": ex.text, "category": ex.category, "urgency": ex.urgency}
            if ex.group:
                row["group"] = ex.group
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
