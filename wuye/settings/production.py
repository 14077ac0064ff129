"""Production: every secret and every shared service from the environment, no defaults and no silent fallback.

Missing `SECRET_KEY`, `WUYE_AUDIT_KEY`, `DATABASE_URL` (PostgreSQL, never the SQLite file of development), `REDIS_URL` (one cache
shared by every process: rate limits and sessions must not be per process) or `WUYE_JOBS=procrastinate` (lead
hooks, SMS and the scheduler as jobs of `python manage.py procrastinate worker`, not inline in the request) stops
the start-up with a message naming the variable.
"""

import os

from django.core.exceptions import ImproperlyConfigured


def _required(name: str, why: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"production settings: set the environment variable {name} ({why})")
    return value


_required("SECRET_KEY", "the key that signs sessions and login codes")
_required(
    "DATABASE_URL", "the PostgreSQL database, e.g. postgres://user@host:5432/wuye; SQLite is for development"
)
_required("WUYE_AUDIT_KEY", "the audit chain's HMAC key, kept outside the database")
_required("REDIS_URL", "the cache shared by every process, e.g. redis://127.0.0.1:6379/0")
if (
    _required("WUYE_JOBS", "set it to procrastinate and run `python manage.py procrastinate worker`")
    != "procrastinate"
):
    raise ImproperlyConfigured(
        "production settings: WUYE_JOBS must be procrastinate (background jobs run in "
        f"`python manage.py procrastinate worker`, not {os.environ['WUYE_JOBS']!r})"
    )

from .base import *  # noqa: E402,F403
from .base import WUYE, env_bool  # noqa: E402

SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
# HTTPS only: nginx terminates TLS and sets X-Forwarded-Proto; anything plain is redirected, browsers remember
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)  # noqa: F405
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)  # noqa: F405
# "preload" only allows submitting the domain to the browsers' list; submitting is a separate, deliberate step
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)  # noqa: F405
SECURE_REFERRER_POLICY = "same-origin"
# nginx on the same host by default; its X-Forwarded-For names the client (rate limits, lockouts)
WUYE.setdefault("TRUSTED_PROXIES", "127.0.0.1,::1")  # noqa: F405
# JSON lines to stderr (gunicorn's and systemd's journal keep them)
LOGGING["handlers"]["stderr"]["formatter"] = os.environ.get("WUYE_LOG_FORMAT", "json")  # noqa: F405
WUYE_AUDIT_KEY = os.environ["WUYE_AUDIT_KEY"]  # HMAC of audit entries (wuye.audit.chain)
WUYE["REQUIRE_BUREAU_2FA"] = env_bool("WUYE_REQUIRE_BUREAU_2FA", True)  # noqa: F405
