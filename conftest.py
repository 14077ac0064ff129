import logging
import re
import traceback

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


class _PhoneNumberScan(logging.Handler):
    """Sees every log record of the run (INFO and up, message and traceback, before any masking formatter)."""

    PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
    REQUEST_LOGGERS = ("django.request", "django.server")
    ID_SEGMENT = re.compile(r"/\d+(?=/|$|\?|\s)")

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a broken format string is not this scan's business
            text = str(record.msg)
        if isinstance(record.exc_info, tuple) and record.exc_info[1] is not None:
            text += "\n" + "".join(traceback.format_exception(*record.exc_info))
        elif record.exc_text:
            text += "\n" + record.exc_text
        if record.name in self.REQUEST_LOGGERS:
            # "Not Found: /api/v1/…/13812345678/": a fuzzed numeric id in the path, not a person's number
            text = self.ID_SEGMENT.sub("/<id>", text)
        if self.PHONE.search(text):
            self.found.append(
                f"{record.name} {record.levelname}: {self.PHONE.sub('1**********', text)[:300]}"
            )


@pytest.fixture(scope="session", autouse=True)
def _no_phone_number_in_any_log_line():
    """Fails the run if any code logged a mainland mobile number (never a complainant's phone in a log line)."""
    scan = _PhoneNumberScan()
    root = logging.getLogger()
    level = root.level
    root.addHandler(scan)
    root.setLevel(min(level, logging.INFO))
    yield scan
    root.removeHandler(scan)
    root.setLevel(level)
    if scan.found:
        pytest.fail(
            f"{len(scan.found)} log record(s) held a phone number:\n" + "\n".join(scan.found[:20]),
            pytrace=False,
        )


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
