from typing import Any

from django.http import HttpRequest

from wuye.kernel.conf import county_setting

from .nav import nav_for


def _county(request: HttpRequest) -> Any:
    """Whose bureau name and hotline a page shows: the county of the estate the page is about (a view sets
    `request.wuye_county`), else a bureau user's own county, else the deployment's."""
    county = getattr(request, "wuye_county", None)
    if county is not None:
        return county
    user = getattr(request, "user", None)
    if getattr(user, "county_id", None):
        return user.county  # type: ignore[union-attr]
    return None


def site(request: HttpRequest) -> dict[str, Any]:
    county = _county(request)
    return {
        "BUREAU_NAME": county_setting("BUREAU_NAME", county),
        "COUNTY_NAME": county.name if county is not None else county_setting("COUNTY_NAME"),
        "HOTLINE": county_setting("HOTLINE", county),
        "MAILBOX": county_setting("MAILBOX", county),
        "nav_items": nav_for(getattr(request, "user", None)),
    }
