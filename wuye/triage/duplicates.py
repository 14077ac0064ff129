"""Likely duplicates of a new report among the open cases of the same estate (§9).

One function serves the QR form's "is it one of these?" list, the triage queue's merge suggestion and the API.
There are few open cases per estate, so the TF-IDF space is built on the fly from that estate's cases.
"""

import datetime as dt
from typing import Any

from django.db.models import Prefetch, Q
from sklearn.feature_extraction.text import TfidfVectorizer

from wuye.cases.models import OPEN_STATES, Case
from wuye.common.dates import now
from wuye.intake.models import Lead
from wuye.kernel.conf import county_setting

from .text import compact


def triage_setting(name: str) -> Any:
    """One entry of the county setting TRIAGE (declared with its defaults in wuye.kernel.conf)."""
    return county_setting("TRIAGE")[name]


def _case_texts(case: Case, leads_per_case: int) -> list[str]:
    texts = [f"{case.title} {case.description}".strip()]
    texts.extend(lead.text for lead in list(getattr(case, "recent_leads", []))[:leads_per_case])
    return texts


def open_case_candidates(estate_ids: list[int], *, days: int = 90) -> dict[int, list[Case]]:
    """The open cases of several estates in the time window, with their merged reports, in two queries.
    A page listing many leads loads them once and passes each estate's list to `similar_open_cases`."""
    cutoff = now() - dt.timedelta(days=days)
    cap = int(triage_setting("DUP_MAX_CANDIDATES"))
    out: dict[int, list[Case]] = {i: [] for i in estate_ids}
    cases = (
        Case.objects.filter(estate_id__in=estate_ids, status__in=list(OPEN_STATES))
        .filter(Q(created_at__gte=cutoff) | Q(updated_at__gte=cutoff))
        .prefetch_related(
            Prefetch(
                "leads",
                queryset=Lead.objects.only("id", "text", "case_id").order_by("-created_at"),
                to_attr="recent_leads",
            )
        )
        .order_by("-created_at", "-id")
    )
    for case in cases:
        bucket = out.setdefault(case.estate_id, [])
        if len(bucket) < cap:
            bucket.append(case)
    return out


def similar_open_cases(
    *,
    estate: Any,
    text: str,
    category: str | None = None,
    limit: int = 5,
    days: int = 90,
    exclude_case_ids: tuple[int, ...] = (),
    candidates: list[Case] | None = None,
) -> list[tuple[Case, float]]:
    """Open cases of `estate` created or updated in the last `days` days that describe the same problem as `text`,
    best first, as (case, score) with 0 < score ≤ 1; only scores at or above the threshold.

    `candidates` (from `open_case_candidates`) skips the query when a caller checks many texts."""
    query = compact(text)
    if estate is None or not query:
        return []
    leads_per_case = int(triage_setting("DUP_LEADS_PER_CASE"))
    if candidates is None:
        candidates = open_case_candidates([estate.pk], days=days)[estate.pk]
    candidates = [c for c in candidates if c.pk not in exclude_case_ids]
    if not candidates:
        return []
    docs: list[str] = []
    owner: list[int] = []
    for i, case in enumerate(candidates):
        for t in _case_texts(case, leads_per_case):
            c = compact(t)
            if c:
                docs.append(c)
                owner.append(i)
    if not docs:
        return []
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 2), sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform([query, *docs])
    except ValueError:  # no usable characters
        return []
    q = matrix[0]
    cosine = (matrix[1:] @ q.T).toarray().ravel()
    # Coverage: the share of the query's (squared, unit-norm) weight found in the case text. A short report
    # ("电梯又坏了") is fully covered by a long case description even though their cosine is low.
    present = matrix[1:].copy()
    present.data[:] = 1.0
    coverage = (present @ q.multiply(q).T).toarray().ravel()
    sims = 0.5 * cosine + 0.5 * coverage
    best: dict[int, float] = {}
    for i, sim in zip(owner, sims, strict=True):
        best[i] = max(best.get(i, 0.0), float(sim))
    bonus = float(triage_setting("DUP_CATEGORY_BONUS"))
    threshold = float(triage_setting("DUP_THRESHOLD"))
    scored: list[tuple[Case, float]] = []
    for i, sim in best.items():
        case = candidates[i]
        if sim <= 0.0:
            continue
        score = sim + (bonus if category and case.category == category else 0.0)
        score = round(min(score, 1.0), 3)
        if score >= threshold:
            scored.append((case, score))
    scored.sort(key=lambda pair: (-pair[1], -pair[0].pk))
    return scored[:limit]
