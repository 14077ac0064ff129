"""Settings shared by every environment; everything deployment-specific comes from the environment."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "wuye.common",
    "wuye.audit",
    "wuye.accounts",
    "wuye.registry",
    "wuye.cases",
    "wuye.intake",
    "wuye.triage",
    "wuye.revenue",
    "wuye.voting",
    "wuye.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "wuye.urls"
WSGI_APPLICATION = "wuye.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "wuye" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wuye.portal.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'wuye.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server and a command write side by side.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "wuye.accounts.backends.PhoneCodeBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "wuye" / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 40 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "wuye 物业服务监管平台 API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # path parameters documented as the URL converters match them, so a client (and schemathesis) builds only
    # URLs that reach the view; anything else is the resolver's 404, not the API's
    "PATH_CONVERTER_OVERRIDES": {
        "int": {"type": "integer", "minimum": 0},
        "slug": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"},
        "str": {"type": "string", "pattern": "^[^/]+$"},
    },
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "wuye.cases.models.CaseStatus",
        "AssemblyStatusEnum": "wuye.voting.models.AssemblyStatus",
    },
}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "wuye",
    }
}
if os.environ.get("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "wuye": {"handlers": ["console"], "level": os.environ.get("WUYE_LOG_LEVEL", "INFO")},
    },
}

# --- wuye: county-specific settings (domain rules as settings, with defaults) ---
WUYE = {
    "BUREAU_NAME": os.environ.get("WUYE_BUREAU_NAME", "钟山县住房和城乡建设局"),
    "COUNTY_NAME": os.environ.get("WUYE_COUNTY_NAME", "钟山县"),
    "COUNTY_CODE": os.environ.get("WUYE_COUNTY_CODE", "451122"),
    "CASE_NUMBER_PREFIX": os.environ.get("WUYE_CASE_PREFIX", "ZS"),
    "PUBLIC_BASE_URL": os.environ.get("WUYE_PUBLIC_BASE_URL", "http://127.0.0.1:8000"),
    "SMS_BACKEND": os.environ.get("WUYE_SMS_BACKEND", "wuye.accounts.sms.ConsoleSmsBackend"),
    # HMAC key of the audit chain (version-2 entries), kept outside the database; unset: unkeyed version 1
    "AUDIT_KEY": os.environ.get("WUYE_AUDIT_KEY", ""),
    # Where lead-created hooks (triage suggestions) run: "inline" in the request (development, tests),
    # "worker" in a separate `manage.py lead_worker` process (production), "background" in a thread.
    "LEAD_HOOKS": os.environ.get("WUYE_LEAD_HOOKS", "inline"),
    # §13: bureau staff (bureau_admin, task_force) log in with a password and a TOTP code (on in production)
    "REQUIRE_BUREAU_2FA": env_bool("WUYE_REQUIRE_BUREAU_2FA", False),
    "OTP_TTL_SECONDS": 300,
    "OTP_RESEND_SECONDS": 60,
    "OTP_MAX_ATTEMPTS": 5,
    # R3 public revenue
    "REVENUE_MAX_COST_SHARE": "0.30",
    "REVENUE_MIN_FUND_SHARE": "0.50",
    "DISCLOSURE_PERIOD": "quarter",
    "DISCLOSURE_GRACE_DAYS": 15,
    "DISCLOSURE_OBJECTION_DAYS": 30,  # owners may object to a disclosed line for this long
    "OBJECTION_ANSWER_DAYS": 10,  # the company answers an objection within this many days
    # R4 special maintenance fund (元/m², county-published)
    "FUND_RATE_YUAN_PER_M2": "60.00",
    # R5 handover
    "HANDOVER_DAYS": 30,
    # R6 elevators
    "OLD_ELEVATOR_YEARS": 15,
    "ELEVATOR_MAINTENANCE_DAYS": 15,
    # R1 voting: art. 278 items needing three quarters; objection period after results (询异公示)
    "VOTING_THREE_QUARTER_ITEMS": (6, 7, 8),
    "VOTING_OBJECTION_DAYS": 7,
    # §6 monthly report day
    "MONTHLY_REPORT_DAY": 20,
    # §1 party organisation coverage target
    "PARTY_ORG_TARGET": "0.85",
}

# Every app that contributes to `manage.py demo` lists its builder here, in dependency order.
WUYE_DEMO_BUILDERS = [
    "wuye.registry.demo",
    "wuye.accounts.demo",
    "wuye.cases.demo",
    "wuye.intake.demo",
    "wuye.revenue.demo",
    "wuye.voting.demo",
    # last: backfills suggestions for every lead the other builders made
    "wuye.triage.demo",
]
