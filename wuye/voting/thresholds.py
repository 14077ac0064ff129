"""County-overridable voting settings (rules.md R1), declared with their legal defaults in wuye.kernel.conf."""

from typing import cast

from wuye.kernel.conf import county_setting


def three_quarter_items() -> frozenset[int]:
    """Art. 278 items that need three quarters (default 6, 7, 8)."""
    return cast(frozenset[int], county_setting("VOTING_THREE_QUARTER_ITEMS"))


def objection_days() -> int:
    """Length of the result publication (询异公示) period in days."""
    return int(county_setting("VOTING_OBJECTION_DAYS"))
