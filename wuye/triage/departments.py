"""Where a non-property complaint (NONE) goes: the department whose topic words the text mentions most
(the county setting `TRIAGE_DEPARTMENTS`: department → topic words). A suggestion for the 转办 form, never a decision."""

from __future__ import annotations

from wuye.kernel.conf import county_setting

from .text import normalize


def departments() -> dict[str, tuple[str, ...]]:
    return {name: tuple(words) for name, words in county_setting("TRIAGE_DEPARTMENTS").items()}


def suggest_department(text: str) -> str:
    """The department with the most topic words in the text (ties: the one listed first); "" when none matches."""
    norm = normalize(text)
    best, best_score = "", 0
    for name, words in departments().items():
        score = sum(1 for w in words if normalize(w) in norm)
        if score > best_score:
            best, best_score = name, score
    return best
