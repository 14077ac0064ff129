"""The campaign's three phases (the work plan's 三、整治阶段工作安排) and where a day falls in them."""

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Phase:
    name: str
    start: dt.date
    end: dt.date
    targets: str


CAMPAIGN_START = dt.date(2025, 1, 1)
PHASES: tuple[Phase, ...] = (
    Phase(
        "动员部署",
        CAMPAIGN_START,
        dt.date(2025, 4, 30),
        "召开动员会，全面排查问题线索，建立全县整治工作台账。",
    ),
    Phase(
        "集中整治",
        dt.date(2025, 5, 1),
        dt.date(2026, 9, 30),
        "核查线索、督促整改销号；公共收益专项整治；健全长效监管机制；开展宣传培训。",
    ),
    Phase(
        "巩固提高",
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 31),
        "总结整治成果，通报整治情况，完善物业管理政策制度。",
    ),
)


def phase_rows(on: dt.date) -> list[dict[str, object]]:
    """Each phase with its state on `on` (done / current / to come) and, for the current one, its elapsed share."""
    rows = []
    for p in PHASES:
        if on > p.end:
            state, share = "已完成", 100
        elif on < p.start:
            state, share = "未开始", 0
        else:
            state = "进行中"
            share = round(100 * ((on - p.start).days + 1) / ((p.end - p.start).days + 1))
        rows.append({"phase": p, "state": state, "share": share, "current": state == "进行中"})
    return rows


def campaign_share(on: dt.date) -> int:
    start, end = PHASES[0].start, PHASES[-1].end
    if on <= start:
        return 0
    if on >= end:
        return 100
    return round(100 * (on - start).days / (end - start).days)
