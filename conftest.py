import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _clear_sms_outbox():
    from wuye.accounts.sms import MemorySmsBackend

    MemorySmsBackend.outbox.clear()
    yield
