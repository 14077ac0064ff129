"""The tick task that turns a contract which ended without a successor into a lead (issue #13, item 8).

A contract past its end date and the grace period (CONTRACT_GRACE_DAYS), with no later contract registered for
the estate, leaves the estate with a company that no longer has a contract but has not been replaced: the case
of 物业合同到期拒不退出、不移交 (category 5). One lead per contract (key `contract.ended:<pk>`), opened through
`finding_open_or_update`, so a second tick opens nothing; the exit and handover module picks these leads up.
"""

from collections.abc import Callable

from wuye.common.dates import cn_date
from wuye.kernel.actors import SystemActor
from wuye.kernel.conf import county_setting
from wuye.registry.selectors import contracts_ended_without_successor

from .services import finding_open_or_update

CONTRACT_CHECK = SystemActor("contract_check")
CATEGORY = "5"


def contract_finding_key(contract_id: int) -> str:
    return f"contract.ended:{contract_id}"


def contracts_ended(*, out: Callable[[str], None], quiet: bool) -> None:
    """Open one category-5 lead for each estate whose contract ended (past the grace period) without a successor."""
    grace = county_setting("CONTRACT_GRACE_DAYS")
    found = opened = 0
    for contract in contracts_ended_without_successor().select_related("estate", "company").order_by("pk"):
        assert contract.end is not None
        text = (
            f"{contract.estate.name}的物业服务合同（{contract.company.name}）已于{cn_date(contract.end)}到期，"
            f"{grace} 天过渡期已满，仍未登记新的物业服务合同，原物业服务企业尚未退出。"
            "请核实是否存在合同到期拒不退出、不移交的情形，并组织退出与交接。"
        )
        result = finding_open_or_update(
            actor=CONTRACT_CHECK,
            key=contract_finding_key(contract.pk),
            estate=contract.estate,
            category=CATEGORY,
            text=text,
            evidence={
                "contract_id": contract.pk,
                "company": contract.company.name,
                "start": contract.start.isoformat(),
                "end": contract.end.isoformat(),
                "grace_days": grace,
            },
        )
        found += 1
        opened += int(result.created)
    if not quiet or opened:
        out(f"合同到期未续签、原企业未退出的小区 {found} 个；新生成线索 {opened} 条。")
