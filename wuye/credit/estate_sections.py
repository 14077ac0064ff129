"""The credit section of the public estate page: the managing company's level, a warning when it fails or has a
veto (listed in settings.WUYE_ESTATE_SECTIONS; a plain dict, since the portal sits above this app)."""

from typing import Any

from wuye.registry.models import Estate

from .selectors import estate_company_explanation
from .types import LEVELS


def credit_warning(estate: Estate) -> dict[str, Any] | None:
    ex = estate_company_explanation(estate)
    if ex is None:
        return None
    warning = ex.veto or ex.level == LEVELS[-1]
    return {
        "title": "信用警示" if warning else "物业企业信用",
        "template": "credit/estate_section.html",
        "context": {
            "company": ex.company,
            "level": ex.level,
            "score": ex.score,
            "veto": ex.veto,
            "on": ex.on,
        },
        "warning": warning,
    }
