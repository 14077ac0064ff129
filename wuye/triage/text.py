"""Text normalisation shared by the model and the duplicate finder."""

import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

_SPACE = re.compile(r"\s+")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_DIGITS = re.compile(r"\d+")

# Operator boilerplate and words every complaint contains; they say nothing about which problem it is.
_FILLER = re.compile(
    r"来电人|来电|市民|群众|反映|反应|投诉|举报|诉求|要求|希望|请求|请|尽快|处理|解决|相关部门|有关部门|"
    r"物业公司|物业|小区|业主|我们|你们|他们|我家|现在|目前|一直|已经|问题|情况|这个|那个|的|了|吗|呢|啊|吧"
)


def _load_t2s() -> dict[int, str]:
    path = Path(__file__).resolve().parent / "data" / "t2s.txt"
    table: dict[int, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if len(line) == 2 and not line.startswith("#"):
                table[ord(line[0])] = line[1]
    return table


_T2S = _load_t2s()


def normalize(text: str) -> str:
    """Full-width → half-width (NFKC), traditional → simplified characters, lower case, one space between runs."""
    text = unicodedata.normalize("NFKC", text or "").translate(_T2S).lower()
    return _SPACE.sub(" ", text).strip()


def compact(text: str) -> str:
    """For similarity: no punctuation, digits folded to 0, filler words dropped."""
    text = normalize(text)
    text = _DIGITS.sub("0", text)
    text = _FILLER.sub(" ", text)
    return _PUNCT.sub(" ", text).strip()


def fold(text: str) -> str:
    """For features: normalised, digits folded to 0, punctuation to single spaces."""
    text = _DIGITS.sub("0", normalize(text))
    return _PUNCT.sub(" ", text).strip()


def near_duplicate_groups(
    texts: Sequence[str], *, threshold: float = 0.8, labels: Sequence[str] | None = None
) -> list[int]:
    """A group id per text: exact repeats after folding, texts whose character-3-gram TF-IDF cosine is at least
    `threshold`, and texts with the same non-empty `labels` entry (one generated situation) are one group
    (union-find). Used so near-duplicates never straddle a split or a CV fold."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    keys = [fold(t).replace(" ", "") or "_" for t in texts]
    first: dict[str, int] = {}
    for i, label in enumerate(labels or ()):
        if label:
            if f"\0{label}" in first:
                union(first[f"\0{label}"], i)
            else:
                first[f"\0{label}"] = i
    for i, k in enumerate(keys):
        if k in first:
            union(first[k], i)
        else:
            first[k] = i
    if len(texts) > 1:
        matrix = TfidfVectorizer(analyzer="char", ngram_range=(3, 3)).fit_transform(keys)
        sims = (matrix @ matrix.T).tocoo()
        for i, j, v in zip(sims.row, sims.col, sims.data, strict=True):
            if i < j and v >= threshold:
                union(int(i), int(j))
    return [find(i) for i in range(len(texts))]
