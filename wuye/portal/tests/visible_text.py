"""What a page shows a person: its visible text, and the raw values that must never appear in it.

Used by the role crawl. Raw values are the machine names of states and kinds (every `choices` value of every
model field that reads as an English word: "received", "verifying", "published"…), "NONE" (triage's "not a
property matter"), period keys ("2026Q3"), motion codes ("M1") and ISO dates ("2026-07-03").
"""

import re
from html.parser import HTMLParser

from django.apps import apps

INVISIBLE = {"script", "style", "template", "head", "title"}


class _Text(HTMLParser):
    """Text nodes outside scripts and styles. A field's help text (`<p class="help">`) is left out too: it may
    show the format a person must type ("如 2025Q1"), which is not a raw value leaking."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._help = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in INVISIBLE:
            self._skip += 1
        elif tag == "p" and "help" in (dict(attrs).get("class") or "").split():
            self._help += 1
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in INVISIBLE and self._skip:
            self._skip -= 1
        elif tag == "p" and self._help:
            self._help -= 1
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)


def raw_choice_values() -> set[str]:
    """Every choices value of every model field that is an English word (a state or kind name)."""
    values: set[str] = set()
    for model in apps.get_models():
        if model._meta.app_label not in {
            "cases",
            "intake",
            "triage",
            "revenue",
            "voting",
            "registry",
            "accounts",
            "duties",
        }:
            continue
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "choices", None) or []:
                if isinstance(value, str) and re.fullmatch(r"[a-z][a-z_]{2,}", value):
                    values.add(value)
    return values


FIXED = [
    (re.compile(r"\bNONE\b"), "the raw triage label NONE"),
    (re.compile(r"\b\d{4}Q[1-4]\b"), "a raw period key"),
    (re.compile(r"(?<![A-Za-z0-9-])M\d{1,2}\b"), "a raw motion code"),
    (re.compile(r"\b(19|20)\d\d-\d\d-\d\d\b"), "an ISO date (pages write 2026年7月3日)"),
    (re.compile(r"[a-z_]{3,} → [a-z_]{3,}"), "an English state change"),
]


def problems(html: str, words: set[str]) -> list[str]:
    text = visible_text(html)
    found = [f"{why}: {m.group(0)!r}" for rx, why in FIXED for m in rx.finditer(text)]
    if words:
        rx = re.compile(
            r"(?<![A-Za-z0-9_@./:-])("
            + "|".join(sorted(words, key=len, reverse=True))
            + r")(?![A-Za-z0-9_@./-])"
        )
        found += [f"a raw state or kind name: {m.group(0)!r}" for m in rx.finditer(text)]
    return found
