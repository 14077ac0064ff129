"""County-overridable voting settings, read from settings.WUYE with the legal defaults (rules.md R1)."""

from collections.abc import Iterable
from typing import cast

from django.conf import settings

from .tally import DEFAULT_THREE_QUARTER_ITEMS


def three_quarter_items() -> frozenset[int]:
    """Art. 278 items that need three quarters (default 6, 7, 8)."""
    items = cast(Iterable[int], settings.WUYE.get("VOTING_THREE_QUARTER_ITEMS", DEFAULT_THREE_QUARTER_ITEMS))
    return frozenset(items)


def objection_days() -> int:
    """Length of the result publication (询异公示) period in days."""
    return int(cast(int, settings.WUYE.get("VOTING_OBJECTION_DAYS", 7)))
