"""Rate limits behind nginx: each resident has their own bucket, and none can escape theirs by writing a header."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight(settings):
    settings.WUYE = {
        **settings.WUYE,
        "TRUSTED_PROXIES": ["127.0.0.1"],
        "INTAKE_RATE_LIMITS": {"qr_view": (2, 60)},
    }


def _get(client, estate, *, remote="127.0.0.1", xff=None):
    extra = {"REMOTE_ADDR": remote}
    if xff:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return client.get(reverse("intake:qr_form", args=[estate.code]), **extra).status_code


def test_residents_behind_the_proxy_each_have_their_own_bucket(client, estate, tight):
    assert [_get(client, estate, xff="198.51.100.1") for _ in range(3)] == [200, 200, 429]
    # before: every resident was REMOTE_ADDR 127.0.0.1, so the next resident was refused too
    assert _get(client, estate, xff="198.51.100.2") == 200


def test_a_resident_cannot_escape_the_limit_by_writing_x_forwarded_for(client, estate, tight):
    assert [_get(client, estate, xff=f"10.9.9.{i}, 198.51.100.3") for i in range(3)] == [200, 200, 429]


def test_a_direct_client_is_limited_by_its_own_address_whatever_header_it_sends(client, estate, tight):
    codes = [_get(client, estate, remote="203.0.113.4", xff=f"198.51.100.{i}") for i in range(3)]
    assert codes == [200, 200, 429]
