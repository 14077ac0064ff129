"""The public estate page's section of this app: the estate's open and closed case counts (no texts, no names)."""

from typing import Any

from wuye.registry.models import Estate

from .stats import estate_open_closed


def progress(estate: Estate) -> dict[str, Any]:
    return {
        "title": "问题整改情况",
        "template": "oversight/estate_section.html",
        "context": estate_open_closed(estate),
        "warning": False,
    }
