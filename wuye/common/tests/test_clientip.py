"""The client address behind the proxy: the trusted proxy's X-Forwarded-For, read from the right, and only from it."""

import pytest
from django.test import RequestFactory

from wuye.common.checks import check_shared_cache
from wuye.common.clientip import client_ip

rf = RequestFactory()


@pytest.fixture
def behind_proxy(settings):
    settings.WUYE = {**settings.WUYE, "TRUSTED_PROXIES": ["127.0.0.1", "10.0.0.0/8"]}


def _ip(remote, xff=None):
    extra = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return client_ip(rf.get("/", **extra))


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.WUYE = {**settings.WUYE, "TRUSTED_PROXIES": []}
    assert _ip("203.0.113.5", "198.51.100.1") == "203.0.113.5"


def test_behind_the_proxy_the_client_is_the_rightmost_untrusted_hop(behind_proxy):
    assert _ip("127.0.0.1", "198.51.100.7") == "198.51.100.7"
    # the client wrote the leftmost entry itself; nginx appended the address it really saw
    assert _ip("127.0.0.1", "1.2.3.4, 198.51.100.7") == "198.51.100.7"
    # two of our proxies in a row are skipped
    assert _ip("127.0.0.1", "198.51.100.7, 10.1.2.3") == "198.51.100.7"
    assert _ip("127.0.0.1", " 2001:db8::1 ") == "2001:db8::1"


def test_a_client_talking_to_gunicorn_directly_cannot_choose_its_address(behind_proxy):
    assert _ip("203.0.113.9", "198.51.100.7") == "203.0.113.9"


def test_garbage_or_missing_header_falls_back_to_the_proxy(behind_proxy):
    assert _ip("127.0.0.1") == "127.0.0.1"
    assert _ip("127.0.0.1", "not-an-ip") == "127.0.0.1"
    assert _ip("127.0.0.1", "1.2.3.4, evil, 10.0.0.2") == "10.0.0.2"


def test_a_configured_header_such_as_x_real_ip_is_used(settings):
    settings.WUYE = {**settings.WUYE, "TRUSTED_PROXIES": ["127.0.0.1"], "CLIENT_IP_HEADER": "HTTP_X_REAL_IP"}
    request = rf.get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="198.51.100.8", HTTP_X_FORWARDED_FOR="1.1.1.1"
    )
    assert client_ip(request) == "198.51.100.8"


def test_deploy_check_warns_when_rate_limit_counts_are_per_process(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [w.id for w in check_shared_cache()] == ["wuye.W001"]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379",
        }
    }
    assert check_shared_cache() == []
