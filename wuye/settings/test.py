"""Test settings: the same apps and database engine as chosen by DATABASE_URL (SQLite or PostgreSQL)."""

import os

from .base import *  # noqa: F403
from .base import DATABASES

SECRET_KEY = "test-only-key-wuye"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
# Parallel helpers and CI jobs each get their own PostgreSQL test database.
_suffix = os.environ.get("WUYE_TEST_DB_SUFFIX", "")
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": f"test_wuye{('_' + _suffix) if _suffix else ''}"}
else:
    DATABASES["default"]["TEST"] = {"NAME": None}
WUYE_AUDIT_KEY = "test-only-audit-key"
WUYE["SMS_BACKEND"] = "wuye.accounts.sms.MemorySmsBackend"  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": False}
# the worker-kill test's probe job (wuye/common/tests/test_jobs.py)
PROCRASTINATE_IMPORT_PATHS = ["wuye.common.tests.jobs_probe"]
