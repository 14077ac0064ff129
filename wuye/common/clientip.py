"""The client's address as the trusted reverse proxy saw it.

Behind nginx, REMOTE_ADDR is the proxy for every resident. The proxy appends the address it received the request
from to X-Forwarded-For, so the header is read from the right: entries added by our own trusted proxies are
skipped, and the first address that is not a trusted proxy is the client. Anything further left was written by
the client and is never trusted. When REMOTE_ADDR is not a trusted proxy the header is ignored altogether (a
client talking to gunicorn directly could write whatever it likes).

Settings: `WUYE["TRUSTED_PROXIES"]` (addresses or networks, e.g. ["127.0.0.1", "10.0.0.0/8"]; empty = no proxy)
and `WUYE["CLIENT_IP_HEADER"]` (the header's META name, default "HTTP_X_FORWARDED_FOR").
"""

import ipaddress
from functools import lru_cache

from django.http import HttpRequest

from wuye.kernel.conf import county_setting

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

DEFAULT_HEADER = "HTTP_X_FORWARDED_FOR"
UNKNOWN = "unknown"


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def trusted_proxies() -> tuple[Network, ...]:
    return _networks(tuple(county_setting("TRUSTED_PROXIES")))


def _is_trusted(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, networks: tuple[Network, ...]
) -> bool:
    return any(address in net for net in networks)


def client_ip(request: HttpRequest) -> str:
    """The client's address (a normalised IP string), or "unknown"."""
    remote = _parse(request.META.get("REMOTE_ADDR", "") or "")
    if remote is None:
        return UNKNOWN
    networks = trusted_proxies()
    if not networks or not _is_trusted(remote, networks):
        return str(remote)
    header = county_setting("CLIENT_IP_HEADER") or DEFAULT_HEADER
    hops = [h for h in (request.META.get(header, "") or "").split(",") if h.strip()]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:  # garbage in the chain: stop trusting it, the nearest proxy is the client
            break
        if not _is_trusted(address, networks):
            return str(address)
        remote = address
    return str(remote)


def client_ip_or_none(request: HttpRequest) -> str | None:
    """For django-axes, which stores the address in an IP column: None when there is no usable address."""
    found = client_ip(request)
    return None if found == UNKNOWN else found
