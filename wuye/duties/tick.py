"""The duty checks as a periodic task of `manage.py tick` (listed in `settings.WUYE_TICK_TASKS`)."""

import datetime as dt
from collections import Counter
from collections.abc import Callable

from wuye.common.dates import today
from wuye.intake.services import finding_open_or_update
from wuye.kernel.actors import SystemActor

from .checks import checked_estates, findings

JOB = SystemActor("duties_checks")


def run_checks(*, on: dt.date | None = None) -> Counter[str]:
    """Open or refresh one lead per finding that has a category; returns the new leads by check."""
    day = on or today()
    opened: Counter[str] = Counter()
    for f in findings(checked_estates(day), day):
        if not f.category:
            continue
        result = finding_open_or_update(
            actor=JOB,
            key=f.key,
            estate=f.estate,
            category=f.category,
            text=f.text,
            evidence=f.evidence,
            urgent=f.urgent,
        )
        if result.created:
            opened[str(f.evidence.get("check", f.duty))] += 1
    return opened


def duties_checks(*, out: Callable[[str], None], quiet: bool) -> None:
    """The companies' standing duties: disclosure, renovation, emergency readiness, fees and service rooms."""
    opened = run_checks()
    if not quiet or opened:
        detail = "、".join(f"{k} {n}" for k, n in sorted(opened.items())) or "无"
        out(f"履约台账检查：新开线索 {sum(opened.values())} 条（{detail}）。")
