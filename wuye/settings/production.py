"""Production: every secret from the environment, no defaults; PostgreSQL expected."""

import os

from .base import *  # noqa: F403

SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)  # noqa: F405
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)  # noqa: F405
SECURE_CONTENT_TYPE_NOSNIFF = True
WUYE["AUDIT_KEY"] = os.environ["WUYE_AUDIT_KEY"]  # noqa: F405
WUYE["REQUIRE_BUREAU_2FA"] = env_bool("WUYE_REQUIRE_BUREAU_2FA", True)  # noqa: F405
