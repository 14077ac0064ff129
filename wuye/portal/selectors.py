"""The home page: what each role should see first. Other apps add their own panels to `HOME_PANELS`."""

import importlib
from typing import Any

from wuye.registry.selectors import estates_visible_to

# Each entry is "module:function" taking the user and returning a dict {title, items:[(label, value, url)]} or None.
HOME_PANELS: list[str] = [
    "wuye.cases.selectors:home_panel",
    "wuye.triage.selectors:home_panel",
    "wuye.revenue.selectors:home_panel",
    "wuye.voting.selectors:home_panel",
]


def _panels(user: Any) -> list[dict[str, Any]]:
    panels = []
    for ref in HOME_PANELS:
        module_name, func_name = ref.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        func = getattr(module, func_name, None)
        if func is None:
            continue
        panel = func(user)
        if panel:
            panels.append(panel)
    return panels


def home_summary(user: Any) -> dict[str, Any]:
    if not user.is_authenticated:
        return {"panels": [], "estate_count": None}
    return {"panels": _panels(user), "estate_count": estates_visible_to(user).count()}
