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


def _flush_past_the_audit_triggers() -> None:
    """On PostgreSQL the audit tables refuse TRUNCATE by trigger (audit migration 0004). Django's test flush (after
    each transactional test) truncates every table; as the superuser the tests connect with, it lifts the triggers for
    that one transaction, exactly what a superuser could do and what the published checkpoints catch in production."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.execute_sql_flush
    if getattr(original, "_lifts_audit_triggers", False):
        return

    def execute_sql_flush(self, sql_list):  # type: ignore[no-untyped-def]
        return original(self, ["SET LOCAL session_replication_role = replica", *sql_list])

    execute_sql_flush._lifts_audit_triggers = True  # type: ignore[attr-defined]
    DatabaseOperations.execute_sql_flush = execute_sql_flush  # type: ignore[method-assign]


_flush_past_the_audit_triggers()
