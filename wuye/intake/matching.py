"""Which estate an address (12345 work order, e-mail, Open311) is about: exact name, alias, or fuzzy.

Fuzzy matches are always flagged for staff to confirm; an address that matches nothing is flagged to assign.
"""

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from wuye.registry.models import Estate
from wuye.registry.selectors import bureau_county_id

# Generic endings of estate names; what is left ("翠竹" of 翠竹园 / 翠竹花园) is the distinctive core.
SUFFIXES = (
    "花园",
    "小区",
    "家园",
    "名都",
    "华庭",
    "豪庭",
    "公寓",
    "新村",
    "新城",
    "名苑",
    "雅苑",
    "苑",
    "园",
    "城",
    "庭",
    "府",
    "居",
    "湾",
    "里",
)


def normalize(text: str) -> str:
    """Full-width digits and letters to half-width, no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def core_name(name: str) -> str:
    name = normalize(name)
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True)
class EstateMatch:
    estate: Estate | None
    how: str  # exact | alias | fuzzy | none
    matched: str = ""
    score: float = 0.0

    @property
    def needs_confirmation(self) -> bool:
        return self.how in ("fuzzy", "none")

    def evidence(self) -> dict[str, object]:
        return {
            "how": self.how,
            "matched": self.matched,
            "score": round(self.score, 2),
            "estate_code": self.estate.code if self.estate else "",
        }


class EstateMatcher:
    """Loads the estates once (an import matches many rows): every county's, or one county's when given (a
    county's task force importing its 12345 file matches only its own estates)."""

    def __init__(self, county_id: int | None = None) -> None:
        qs = Estate.objects.select_related("town").order_by("id")
        self.estates = list(qs.filter(town__county_id=county_id) if county_id else qs)

    @classmethod
    def for_actor(cls, actor: Any) -> "EstateMatcher":
        """The matcher for whoever imports: a bureau user's own county, else every county."""
        return cls(bureau_county_id(actor))

    def match(self, address: str) -> EstateMatch:
        text = normalize(address)
        if not text:
            return EstateMatch(None, "none")
        pool = self.estates
        in_town = [e for e in pool if e.town.name and e.town.name in text]
        candidates = in_town or pool
        best = self._longest(candidates, text, lambda e: [normalize(e.name)])
        if best is not None:
            return EstateMatch(best[0], "exact", best[1], 1.0)
        if in_town:
            # the name exists, but in another town than the address says: staff confirm
            other = self._longest(pool, text, lambda e: [normalize(e.name)])
            if other is not None:
                return EstateMatch(other[0], "fuzzy", f"{other[1]}（{other[0].town.name}）", 0.8)
        best = self._longest(
            candidates, text, lambda e: [normalize(a) for a in e.alias_list() if len(a) >= 2]
        )
        if best is not None:
            return EstateMatch(best[0], "alias", best[1], 0.9)
        scored: list[tuple[float, int, Estate, str]] = []
        for estate in candidates:
            core = core_name(estate.name)
            if len(core) >= 2 and core in text:
                # the words after the core in the address, compared with the estate's full name
                tail = text[text.index(core) : text.index(core) + len(normalize(estate.name)) + 2]
                ratio = difflib.SequenceMatcher(None, normalize(estate.name), tail).ratio()
                scored.append((ratio, len(core), estate, core))
        if scored:
            scored.sort(key=lambda s: (-s[1], -s[0], s[2].pk))
            ratio, _, estate, core = scored[0]
            return EstateMatch(estate, "fuzzy", core, ratio)
        return EstateMatch(None, "none")

    @staticmethod
    def _longest(
        estates: Iterable[Estate], text: str, names: Callable[[Estate], Iterable[str]]
    ) -> tuple[Estate, str] | None:
        best: tuple[Estate, str] | None = None
        for estate in estates:
            for name in names(estate):
                if name and name in text and (best is None or len(name) > len(best[1])):
                    best = (estate, name)
        return best


# --- the building a report is about ("3栋", "3号楼", "三幢", "3#楼") --------------------------------------------

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_BUILDING = re.compile(r"([0-9]{1,3}|[零〇一二两三四五六七八九十百]{1,4})\s*(?:号楼|栋|幢|#楼|号?座)")


def _cn_number(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    total, current = 0, 0
    for ch in s:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current or None


def building_of(text: str) -> str:
    """The first building named in a report, as "3栋" (from "3栋", "3号楼", "三幢", "3#楼", "３栋"); "" if none.
    Look-alike reports must name the same building: a "3栋电梯" report is not the "2栋电梯" case."""
    m = _BUILDING.search(normalize(text))
    if not m:
        return ""
    n = _cn_number(m.group(1))
    return f"{n}栋" if n else ""
