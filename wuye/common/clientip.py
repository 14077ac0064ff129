"""The client's address, the one thing every per-client limit keys on (login lockouts, SMS limits, rate limits).

Behind nginx every request comes from the proxy's address, so `REMOTE_ADDR` alone would put every resident in one
bucket. `settings.WUYE_TRUSTED_PROXY_HEADER` names the request header the trusted proxy sets (a `request.META`
key such as "HTTP_X_FORWARDED_FOR" or "HTTP_X_REAL_IP"; empty: no proxy, use `REMOTE_ADDR`). For a list header the
right-most entry is taken: it is the one our proxy appended; anything left of it came from the client and is not
trusted. Deploy so that the application is reachable only through that proxy.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(value: str) -> str | None:
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    header = getattr(settings, "WUYE_TRUSTED_PROXY_HEADER", "")
    if header:
        entries = [e for e in request.META.get(header, "").split(",") if e.strip()]
        if entries:
            found = _valid(entries[-1])
            if found:
                return found
    return _valid(request.META.get("REMOTE_ADDR", "")) or "unknown"


def client_ip_or_none(request: HttpRequest) -> str | None:
    """For django-axes, which stores the address in an IP column: None when there is no usable address."""
    found = client_ip(request)
    return None if found == "unknown" else found
