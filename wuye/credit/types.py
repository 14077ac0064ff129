"""The credit event types: the one place that names them. Points, level bands and vetoes are rules (`rules.py`),
not here. A new source adds its type below and its default points to CREDIT_EVENT_POINTS (wuye/kernel/conf.py)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class EventType:
    code: str
    label: str
    good: bool  # good information (表彰、满意度高…) or bad (处罚、约谈…)
    manual: bool = False  # entered by the task force (a CreditRecord), not derived from another app's records


EVENT_TYPES: dict[str, EventType] = {
    t.code: t
    for t in (
        EventType("interview", "约谈企业法人", good=False),
        EventType("penalty", "行政处罚", good=False),
        EventType("referral", "移送有关部门", good=False),
        EventType("restrict_honours", "限制评优评先", good=False),
        EventType("revenue_finding", "公共收益违规（经核实）", good=False),
        EventType("revisit_failed", "回头看复查不合格", good=False),
        EventType("satisfaction_poor", "业主满意度低", good=False),
        EventType("satisfaction_good", "业主满意度高", good=True),
        EventType("closed_early", "提前完成整改", good=True),
        EventType("report_late", "整改工作月报逾期报送", good=False),
        EventType("report_missing", "整改工作月报截止日未报送", good=False),
        EventType("handover_overdue", "合同终止后逾期未完成移交", good=False),
        EventType("commendation", "表彰奖励", good=True, manual=True),
        EventType("fund_misuse", "挪用维修资金或公共收益", good=False, manual=True),
        EventType("refuse_to_leave", "合同终止拒不退出", good=False, manual=True),
        EventType("safety_incident", "发生重大安全责任事故", good=False, manual=True),
    )
}

MANUAL_TYPES = [t for t in EVENT_TYPES.values() if t.manual]
LEVELS = ("AAA", "AA", "A", "B")  # best first; the last is the failing level a veto sets


def type_label(code: str) -> str:
    t = EVENT_TYPES.get(code)
    return t.label if t else code
