"""The portal's own sections of the public estate page: who manages it, and where to report a problem."""

from wuye.common.dates import today
from wuye.registry.models import Estate
from wuye.registry.selectors import estate_current_committee, estate_current_contract

from .sections import EstateSection


def management(estate: Estate) -> EstateSection:
    contract = estate_current_contract(estate)
    committee = estate_current_committee(estate)
    return EstateSection(
        title="物业服务",
        template="portal/sections/management.html",
        context={
            "contract": contract,
            "expired": bool(contract and contract.end and contract.end < today()),
            "committee": committee,
        },
    )
