from typing import Any

from django.http import HttpRequest

from wuye.kernel.conf import county_setting
from wuye.kernel.roles import Role

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


def _viewer_heading(request: HttpRequest) -> tuple[str, str] | None:
    """A city or province viewer reads many counties: their pages are headed with their own bureau and area,
    never the first county's (None for everyone else, or when a page is about one estate's county)."""
    if getattr(request, "wuye_county", None) is not None:
        return None
    user = getattr(request, "user", None)
    role = getattr(user, "role", None)
    if role == Role.PROVINCE_VIEWER:
        return str(county_setting("PROVINCE_BUREAU_NAME")), "全省"
    if role == Role.CITY_VIEWER and getattr(user, "city_id", None):
        city = user.city.name  # type: ignore[union-attr]
        return f"{city}住房和城乡建设局", city
    return None


def site(request: HttpRequest) -> dict[str, Any]:
    county = _county(request)
    heading = _viewer_heading(request)
    if heading is not None:
        bureau, area = heading
    else:
        bureau = county_setting("BUREAU_NAME", county)
        area = county.name if county is not None else county_setting("COUNTY_NAME")
    return {
        "BUREAU_NAME": bureau,
        "COUNTY_NAME": area,
        "HOTLINE": county_setting("HOTLINE", county),
        "MAILBOX": county_setting("MAILBOX", county),
        "nav_items": nav_for(getattr(request, "user", None)),
    }
