"""What public pages may show of a counterparty: organisations by name, private persons masked (§11)."""

from wuye.common.privacy import mask_name

ORG_MARKERS = ("公司", "中心", "店", "部", "局", "会", "行", "厂", "社", "院", "所", "站", "集团", "银行", "移动",
               "联通", "电信", "铁塔", "物业", "传媒", "广告", "快递", "驿站", "委员会")


def public_counterparty(name: str) -> str:
    name = (name or "").strip()
    if not name:
        return ""
    if any(marker in name for marker in ORG_MARKERS):
        return name
    return mask_name(name)
