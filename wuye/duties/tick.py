"""The duty checks as a periodic task of `manage.py tick` (listed in `settings.WUYE_TICK_TASKS`)."""

import datetime as dt
from collections import Counter
from collections.abc import Callable

from wuye.common.dates import today
from wuye.intake.services import finding_open_or_update
from wuye.kernel.actors import SystemActor

from .checks import checked_estates, findings

JOB = SystemActor("duties_checks")

# the checks' keys as the operator reads them in the tick's output
CHECK_LABELS = {
    "confined_unfiled": "有限空间作业未备案",
    "disclosure": "信息公示缺项或过期",
    "fee_rise": "收费上调未经批准",
    "fire_unfixed": "消防设施故障未修复",
    "hazard_open": "隐患逾期未处理",
    "no_drill": "未按期演练",
    "plan_missing": "缺少应急预案",
    "plan_review": "应急预案逾期未评审",
    "renovation_notice": "装修未告知禁止行为",
    "renovation_violation": "装修违规未劝阻或报告",
    "room_use": "物业服务用房改变用途",
    "supply_expired": "应急物资过期",
}


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
        detail = "、".join(f"{CHECK_LABELS.get(k, k)} {n}" for k, n in sorted(opened.items())) or "无"
        out(f"履约台账检查：新开线索 {sum(opened.values())} 条（{detail}）。")
