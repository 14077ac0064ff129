import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _clear_sms_outbox():
    from wuye.accounts.sms import MemorySmsBackend

    MemorySmsBackend.outbox.clear()
    yield


@pytest.fixture(autouse=True)
def _clear_cache():
    """Caches (rate limits, the QR estate lookup) must not leak from one test's database into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
