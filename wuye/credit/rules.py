"""The scoring rules in force on a date: the latest `CreditRuleVersion` from that date on, else the county
settings (the rules before anybody edited them)."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from wuye.kernel.conf import county_setting

from .models import CreditRuleVersion
from .types import LEVELS


@dataclass(frozen=True)
class Rule:
    effective_from: dt.date | None  # None: the county settings' defaults
    base_score: int
    points: dict[str, int]
    bands: dict[str, int]
    veto_types: frozenset[str]
    version_id: int | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        if self.effective_from is None:
            return "默认规则（县级配置）"
        return f"{self.effective_from:%Y年%-m月%-d日}起施行的规则"

    def points_of(self, event_type: str) -> int:
        return int(self.points.get(event_type, 0))

    def level_of(self, score: int, *, veto: bool) -> str:
        if veto:
            return LEVELS[-1]
        for level in LEVELS[:-1]:
            if score >= int(self.bands.get(level, 10**9)):
                return level
        return LEVELS[-1]


def default_rule() -> Rule:
    return Rule(
        effective_from=None,
        base_score=int(county_setting("CREDIT_BASE_SCORE")),
        points={k: int(v) for k, v in county_setting("CREDIT_EVENT_POINTS").items()},
        bands={k: int(v) for k, v in county_setting("CREDIT_LEVEL_BANDS").items()},
        veto_types=frozenset(county_setting("CREDIT_VETO_TYPES")),
    )


def rule_from_version(v: CreditRuleVersion) -> Rule:
    return Rule(
        effective_from=v.effective_from,
        base_score=v.base_score,
        points={k: int(p) for k, p in v.points.items()},
        bands={k: int(b) for k, b in v.bands.items()},
        veto_types=frozenset(v.veto_types),
        version_id=v.pk,
        note=v.note,
    )


def rule_in_force(on: dt.date) -> Rule:
    version = (
        CreditRuleVersion.objects.filter(effective_from__lte=on).order_by("-effective_from", "-id").first()
    )
    return rule_from_version(version) if version else default_rule()
