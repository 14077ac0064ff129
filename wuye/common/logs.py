"""Log lines: every one carries the request id; none carries a mainland mobile number.

`RequestIdFilter` (on the handlers) stamps each record with the id `RequestIdMiddleware` set for the request being
served ("-" outside a request). The formatters mask phone numbers in the finished line, traceback and extra fields
included, so a number inside an exception message (an IntegrityError's DETAIL, a DomainError) is masked too.
Production writes one JSON object per line to stderr (python-json-logger); development, plain text.
"""

import logging
import re
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")

request_id_var: ContextVar[str] = ContextVar("wuye_request_id", default="-")


def mask_phones(text: str) -> str:
    return PHONE_RE.sub(r"\1****\2", text)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


class MaskingFormatter(logging.Formatter):
    """Plain text, phone numbers masked (development, tests)."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_phones(super().format(record))


class MaskingJsonFormatter(JsonFormatter):
    """One JSON object per line, phone numbers masked (production)."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_phones(super().format(record))
