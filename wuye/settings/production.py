"""Production: every secret from the environment, no defaults; PostgreSQL expected."""

import os

from .base import *  # noqa: F403

SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)  # noqa: F405
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)  # noqa: F405
SECURE_CONTENT_TYPE_NOSNIFF = True
# HTTPS only: nginx terminates TLS and sets X-Forwarded-Proto; anything plain is redirected, browsers remember
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)  # noqa: F405
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)  # noqa: F405
# "preload" only allows submitting the domain to the browsers' list; submitting is a separate, deliberate step
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)  # noqa: F405
SECURE_REFERRER_POLICY = "same-origin"
# nginx on the same host by default; its X-Forwarded-For names the client (rate limits, lockouts)
WUYE["TRUSTED_PROXIES"] = WUYE["TRUSTED_PROXIES"] or ["127.0.0.1", "::1"]  # noqa: F405
# JSON lines to stderr (gunicorn's and systemd's journal keep them)
LOGGING["handlers"]["stderr"]["formatter"] = os.environ.get("WUYE_LOG_FORMAT", "json")  # noqa: F405
WUYE["REQUIRE_BUREAU_2FA"] = env_bool("WUYE_REQUIRE_BUREAU_2FA", True)  # noqa: F405
WUYE["SMS_DISPATCH"] = os.environ.get("WUYE_SMS_DISPATCH", "background")  # noqa: F405
