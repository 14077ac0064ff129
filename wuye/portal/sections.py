"""The public estate page (`/estates/<code>/`) is assembled from sections the apps contribute.

Each entry of `settings.WUYE_ESTATE_SECTIONS` is a dotted path to a function `(estate) -> EstateSection | None`;
None leaves the section out (nothing to show). Apps above the registry (revenue, assets, duties, oversight, credit…)
add their section to the list instead of editing the page. A section shows only what the public may see: no
personal data, no complaint texts.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from wuye.registry.models import Estate


@dataclass(frozen=True)
class EstateSection:
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    # a warning (e.g. the managing company's credit level) is drawn at the top of the page
    warning: bool = False


# Apps below the portal cannot import EstateSection (the layers forbid it): they return a plain dict with the same keys.
SectionProvider = Callable[[Estate], EstateSection | dict[str, Any] | None]


def estate_sections(estate: Estate) -> list[EstateSection]:
    sections = []
    for path in settings.WUYE_ESTATE_SECTIONS:
        provider: SectionProvider = import_string(path)
        section = provider(estate)
        if isinstance(section, dict):
            section = EstateSection(**section)
        if section is not None:
            sections.append(section)
    return sections
