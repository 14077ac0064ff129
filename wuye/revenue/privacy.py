"""What public pages may show of a counterparty: organisations by name, private persons masked (§11)."""

import re

from wuye.common.privacy import mask_name

ORG_MARKERS = (
    "公司",
    "中心",
    "店",
    "部",
    "局",
    "会",
    "行",
    "厂",
    "社",
    "院",
    "所",
    "站",
    "集团",
    "银行",
    "移动",
    "联通",
    "电信",
    "铁塔",
    "物业",
    "传媒",
    "广告",
    "快递",
    "驿站",
    "委员会",
    "系统",
    "专户",
    "账户",
)
# A private person's name as entered: two to four Chinese characters (optionally with a middle dot).
PERSON_RE = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")


def public_counterparty(name: str) -> str:
    name = (name or "").strip()
    if not name or any(marker in name for marker in ORG_MARKERS):
        return name
    if PERSON_RE.match(name) or len(name) <= 4:
        return mask_name(name)
    return name
