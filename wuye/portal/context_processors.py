from django.conf import settings
from django.http import HttpRequest

from .nav import nav_for


def site(request: HttpRequest) -> dict:
    return {
        "BUREAU_NAME": settings.WUYE["BUREAU_NAME"],
        "COUNTY_NAME": settings.WUYE["COUNTY_NAME"],
        "HOTLINE": settings.WUYE["HOTLINE"],
        "MAILBOX": settings.WUYE["MAILBOX"],
        "nav_items": nav_for(getattr(request, "user", None)),
    }
