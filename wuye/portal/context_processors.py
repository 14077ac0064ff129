from typing import Any

from django.http import HttpRequest

from wuye.kernel.conf import county_setting

from .nav import nav_for


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "BUREAU_NAME": county_setting("BUREAU_NAME"),
        "COUNTY_NAME": county_setting("COUNTY_NAME"),
        "HOTLINE": county_setting("HOTLINE"),
        "MAILBOX": county_setting("MAILBOX"),
        "nav_items": nav_for(getattr(request, "user", None)),
    }
