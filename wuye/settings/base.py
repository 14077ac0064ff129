"""Settings shared by every environment; everything deployment-specific comes from the environment."""

import datetime as dt
import os
from pathlib import Path
from typing import Any

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
    "wuye.portal.admin_site.WuyeAdminConfig",  # django.contrib.admin, the operator's alone with many counties
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "procrastinate.contrib.django",
    "wuye.common",
    "wuye.audit",
    "wuye.accounts",
    "wuye.notify",
    "wuye.registry",
    "wuye.cases",
    "wuye.intake",
    "wuye.triage",
    "wuye.revenue",
    "wuye.voting",
    "wuye.credit",
    "wuye.assets",
    "wuye.duties",
    "wuye.oversight",
    "wuye.portal",
]

MIDDLEWARE = [
    # first: every log line of the request carries its id, Django's own 500 report included
    "wuye.common.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "wuye.accounts.authentication.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    # last, so its process_exception sees a view's lost database connection first and answers 503
    "wuye.common.middleware.DatabaseUnavailableMiddleware",
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
elif os.environ.get("DB_SERVER_SIDE_BINDING", "0") == "1":
    # Parameters bound by the server and statements prepared after their 5th use on a connection (less parsing
    # and planning per request; docs/scale.md). Behind pgbouncer in transaction mode this needs
    # max_prepared_statements > 0 (pgbouncer >= 1.21).
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}

# procrastinate's tables are PostgreSQL SQL: on SQLite the router skips them (jobs run inline there, wuye.common.jobs)
DATABASE_ROUTERS = ["wuye.common.jobs.JobsRouter"]

# --- background jobs (procrastinate; docs/scale.md "Task queue") ---
# the worker: `python manage.py procrastinate worker`; it beats every few seconds, and a worker silent for
# WUYE_JOBS_STALLED_SECONDS is dead: the periodic `retry_stalled_jobs` puts its running jobs back in the queue
PROCRASTINATE_DATABASE_ALIAS = "default"
WUYE_JOBS_STALLED_SECONDS = float(os.environ.get("WUYE_JOBS_STALLED_SECONDS", "30"))
PROCRASTINATE_WORKER_DEFAULTS = {
    "update_heartbeat_interval": float(os.environ.get("WUYE_JOBS_HEARTBEAT_SECONDS", "10")),
    "stalled_worker_timeout": WUYE_JOBS_STALLED_SECONDS,
}
# Periodic jobs (cron in UTC, a 6th field is seconds), deferred by the workers (one defer per beat, whatever
# their number). Asia/Shanghai is UTC+8: revenue_checks at 18:30 UTC is 02:30 local.
WUYE_JOBS_SCHEDULE = {
    "tick": "* * * * *",
    "revenue_checks": "30 18 * * *",
    "triage_backfill": "7 * * * *",
    "retry_stalled_jobs": os.environ.get("WUYE_JOBS_STALLED_CRON", "* * * * * */10"),
    "delete_old_jobs": "40 19 * * *",
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: a locked-out account or client never reaches the hasher
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
    # no password on the API (no Basic auth): the browser's session after the second factor, or a machine's token
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "wuye.accounts.authentication.SecondFactorSessionAuthentication",
        "wuye.accounts.authentication.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "wuye.accounts.authentication.ApiTokenScope",
    ],
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

# Brute force (django-axes): wrong passwords lock the account and, separately, the client address for a while
AXES_FAILURE_LIMIT = int(os.environ.get("WUYE_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("WUYE_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "wuye.common.clientip.client_ip_or_none"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

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

# Content-Security-Policy (django-csp): scripts and styles from our own origin only, no inline script anywhere.
# Inline style *attributes* stay allowed (server-rendered bar widths in the voting pages); <style> blocks do not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Logs go to stderr, one line per record, each with the request id and phone numbers masked (wuye.common.logs).
# WUYE_LOG_FORMAT=json (production's default) writes JSON lines; "text" is for a developer's terminal.
LOG_FORMAT = os.environ.get("WUYE_LOG_FORMAT", "text")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "wuye.common.logs.RequestIdFilter"}},
    "formatters": {
        "text": {
            "()": "wuye.common.logs.MaskingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
        "json": {
            "()": "wuye.common.logs.MaskingJsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "json_ensure_ascii": False,
        },
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        },
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        # django.request logs every 5xx with its traceback and every 4xx as a warning; both reach the root
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "wuye": {"handlers": [], "level": os.environ.get("WUYE_LOG_LEVEL", "INFO"), "propagate": True},
    },
}

# --- wuye: county-specific settings ---
# Every key, its default, unit and label is declared once in wuye.kernel.conf and read through
# `county_setting(key)`; WUYE holds only what this deployment overrides (an undeclared key stops the start-up).
_WUYE_FROM_ENV = {
    "BUREAU_NAME": "WUYE_BUREAU_NAME",
    "COUNTY_NAME": "WUYE_COUNTY_NAME",
    "COUNTY_CODE": "WUYE_COUNTY_CODE",
    "CASE_NUMBER_PREFIX": "WUYE_CASE_PREFIX",
    "CITY_CODE": "WUYE_CITY_CODE",
    "CITY_NAME": "WUYE_CITY_NAME",
    "PROVINCE_BUREAU_NAME": "WUYE_PROVINCE_BUREAU_NAME",
    "PUBLIC_BASE_URL": "WUYE_PUBLIC_BASE_URL",
    "SMS_BACKEND": "WUYE_SMS_BACKEND",
    "TENCENT_SMS_SECRET_ID": "WUYE_TENCENT_SMS_SECRET_ID",
    "TENCENT_SMS_SECRET_KEY": "WUYE_TENCENT_SMS_SECRET_KEY",
    "TENCENT_SMS_SDK_APP_ID": "WUYE_TENCENT_SMS_SDK_APP_ID",
    "TENCENT_SMS_SIGN_NAME": "WUYE_TENCENT_SMS_SIGN_NAME",
    "TENCENT_SMS_TEMPLATE_ID": "WUYE_TENCENT_SMS_TEMPLATE_ID",
    "TENCENT_SMS_REGION": "WUYE_TENCENT_SMS_REGION",
    "TENCENT_SMS_ENDPOINT": "WUYE_TENCENT_SMS_ENDPOINT",
    "JOBS": "WUYE_JOBS",
    "REQUIRE_BUREAU_2FA": "WUYE_REQUIRE_BUREAU_2FA",
    "CONTRACT_GRACE_DAYS": "WUYE_CONTRACT_GRACE_DAYS",
    "HOTLINE": "WUYE_HOTLINE",
    "MAILBOX": "WUYE_MAILBOX",
    "PRELOAD_TRIAGE": "WUYE_PRELOAD_TRIAGE",
    "UPLOAD_MAX_PIXELS": "WUYE_UPLOAD_MAX_PIXELS",
    "TRUSTED_PROXIES": "WUYE_TRUSTED_PROXIES",
    "CLIENT_IP_HEADER": "WUYE_CLIENT_IP_HEADER",
    "SMS_PER_CLIENT": "WUYE_SMS_PER_CLIENT",
    "SMS_GLOBAL": "WUYE_SMS_GLOBAL",
}
# the audit chain's HMAC key (wuye.audit.chain), a secret kept outside the database; unset in development
WUYE_AUDIT_KEY = os.environ.get("WUYE_AUDIT_KEY", "")

WUYE: dict[str, object] = {key: os.environ[var] for key, var in _WUYE_FROM_ENV.items() if os.environ.get(var)}


# `manage.py tick` (every minute) runs these in order; each is idempotent. Apps add their periodic checks here.
WUYE_TICK_TASKS = [
    "wuye.cases.tick.mark_overdue",
    "wuye.cases.tick.publish_audit_checkpoint",
    "wuye.cases.tick.list_due_soon",
    "wuye.cases.tick.notify_due_soon",
    "wuye.voting.notices.assembly_notices",
    "wuye.revenue.notices.disclosure_due_notices",
    "wuye.intake.contract_check.contracts_ended",
    "wuye.oversight.tick.send_report_reminders",
    "wuye.oversight.tick.record_report_lateness",
    "wuye.oversight.tick.refresh_daily_summary",
    "wuye.assets.tick.elevator_checks",
    "wuye.assets.tick.handover_checks",
    "wuye.assets.tick.fund_checks",
    "wuye.assets.tick.parking_checks",
    "wuye.duties.tick.duties_checks",
    "wuye.credit.tick.collect_events",
    # last: SMS the tasks above queued, and those that waited out the quiet hours
    "wuye.notify.tick.send_due",
]

# The public estate page (/estates/<code>/) shows these sections in order (wuye.portal.sections).
WUYE_ESTATE_SECTIONS = [
    "wuye.portal.estate_sections.management",
    "wuye.credit.estate_sections.credit_warning",
    "wuye.assets.estate_sections.assets",
    "wuye.duties.estate_sections.duties",
    "wuye.oversight.estate_sections.progress",
]

# Every app that contributes to `manage.py demo` lists its builder here, in dependency order.
WUYE_DEMO_BUILDERS = [
    "wuye.registry.demo",
    "wuye.accounts.demo",
    "wuye.cases.demo",
    "wuye.intake.demo",
    "wuye.revenue.demo",
    "wuye.voting.demo",
    "wuye.assets.demo",
    "wuye.duties.demo",
    "wuye.oversight.demo",
    "wuye.credit.demo",
    # last: backfills suggestions for every lead the other builders made
    "wuye.triage.demo",
]

# --- uploaded files: local disk by default; an S3-compatible private bucket for several web servers -------------
# WUYE_STORAGE=s3 with WUYE_S3_BUCKET, WUYE_S3_ENDPOINT_URL (MinIO, Ceph, a cloud's S3 endpoint), WUYE_S3_ACCESS_KEY,
# WUYE_S3_SECRET_KEY, WUYE_S3_REGION. The bucket stays private: every object is written with the private ACL and
# read only through the scoped file routes, which check the viewer and then redirect to a URL signed for
# WUYE_FILE_URL_SECONDS (wuye.common.files.serve_upload). Nothing is ever linked by a permanent public URL.
WUYE_STORAGE = os.environ.get("WUYE_STORAGE", "local").strip().lower() or "local"
WUYE_FILE_URL_SECONDS = int(os.environ.get("WUYE_FILE_URL_SECONDS", "300"))
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if WUYE_STORAGE == "s3":
    if not os.environ.get("WUYE_S3_BUCKET", "").strip():
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("WUYE_STORAGE=s3: set WUYE_S3_BUCKET (and the endpoint and keys)")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("WUYE_S3_BUCKET", ""),
            "endpoint_url": os.environ.get("WUYE_S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("WUYE_S3_ACCESS_KEY") or None,
            "secret_key": os.environ.get("WUYE_S3_SECRET_KEY") or None,
            "region_name": os.environ.get("WUYE_S3_REGION") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": WUYE_FILE_URL_SECONDS,
            "file_overwrite": False,
            "signature_version": "s3v4",
            "addressing_style": os.environ.get("WUYE_S3_ADDRESSING_STYLE", "path"),
        },
    }
elif WUYE_STORAGE != "local":
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"WUYE_STORAGE must be local or s3, not {WUYE_STORAGE!r}")

# --- the database as a cluster -----------------------------------------------------------------------------------
# DATABASE_REPLICA_URL: a streaming read replica for dashboards, the city and monthly reports and exports, which
# read from it only inside wuye.common.dbrouter.reading_replica(); everything else (and every write) uses default.
# In tests the replica alias is a TEST MIRROR of default (no test database is created on a read-only standby).
# after wuye.common.jobs.JobsRouter (declared above), which keeps procrastinate's tables off SQLite
DATABASE_ROUTERS = [*DATABASE_ROUTERS, "wuye.common.dbrouter.ReplicaRouter"]
if os.environ.get("DATABASE_REPLICA_URL", "").strip():
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# DB_PGBOUNCER=1: connections go through pgbouncer in transaction mode. A server connection serves another client
# after every transaction, so no session state: no server-side (named) cursors, no prepared statements, and no
# persistent connections held by Django (pgbouncer pools them).
if env_bool("DB_PGBOUNCER", False):
    for _db in DATABASES.values():
        if "postgresql" not in _db["ENGINE"]:
            continue
        _db["DISABLE_SERVER_SIDE_CURSORS"] = True
        _db["CONN_MAX_AGE"] = int(os.environ.get("DB_CONN_MAX_AGE", "0"))
        _db.setdefault("OPTIONS", {})["prepare_threshold"] = None
