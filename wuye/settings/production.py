"""Production: every secret from the environment, no defaults; PostgreSQL expected."""

import os

from .base import *  # noqa: F403

SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)  # noqa: F405
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)  # noqa: F405
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# nginx on the same host by default; its X-Forwarded-For names the client (rate limits, lockouts)
WUYE["TRUSTED_PROXIES"] = WUYE["TRUSTED_PROXIES"] or ["127.0.0.1", "::1"]  # noqa: F405
# JSON lines to stderr (gunicorn's and systemd's journal keep them)
LOGGING["handlers"]["stderr"]["formatter"] = os.environ.get("WUYE_LOG_FORMAT", "json")  # noqa: F405
WUYE["REQUIRE_BUREAU_2FA"] = env_bool("WUYE_REQUIRE_BUREAU_2FA", True)  # noqa: F405
