"""Settings shared by every environment; everything deployment-specific comes from the environment."""

import datetime as dt
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
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
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
LOGGING = {
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

# --- wuye: county-specific settings (domain rules as settings, with defaults) ---
WUYE = {
    "BUREAU_NAME": os.environ.get("WUYE_BUREAU_NAME", "钟山县住房和城乡建设局"),
    "COUNTY_NAME": os.environ.get("WUYE_COUNTY_NAME", "钟山县"),
    "COUNTY_CODE": os.environ.get("WUYE_COUNTY_CODE", "451122"),
    "CASE_NUMBER_PREFIX": os.environ.get("WUYE_CASE_PREFIX", "ZS"),
    "PUBLIC_BASE_URL": os.environ.get("WUYE_PUBLIC_BASE_URL", "http://127.0.0.1:8000"),
    "SMS_BACKEND": os.environ.get("WUYE_SMS_BACKEND", "wuye.accounts.sms.ConsoleSmsBackend"),
    # the county's complaint hotline and mailbox, shown on every public page
    "HOTLINE": os.environ.get("WUYE_HOTLINE", "0774-5551234"),
    "MAILBOX": os.environ.get("WUYE_MAILBOX", "wuye-jubao@example.cn"),
    # the web process loads the triage model at start-up (wuye/wsgi.py), so no resident waits for it
    "PRELOAD_TRIAGE": env_bool("WUYE_PRELOAD_TRIAGE", True),
    # Where lead-created hooks (triage suggestions) run: "inline" in the request (development, tests),
    # "worker" in a separate `manage.py lead_worker` process (production), "background" in a thread.
    "LEAD_HOOKS": os.environ.get("WUYE_LEAD_HOOKS", "inline"),
    # §13: bureau staff (bureau_admin, task_force) log in with a password and a TOTP code (on in production)
    "REQUIRE_BUREAU_2FA": env_bool("WUYE_REQUIRE_BUREAU_2FA", False),
    "OTP_TTL_SECONDS": 300,
    "OTP_RESEND_SECONDS": 60,
    "OTP_MAX_ATTEMPTS": 5,
    # Uploads: refuse decompression bombs from the headers (wuye.common.uploads)
    "UPLOAD_MAX_PIXELS": int(os.environ.get("WUYE_UPLOAD_MAX_PIXELS", "40000000")),
    "XLSX_MAX_UNCOMPRESSED_BYTES": 200 * 1024 * 1024,
    "XLSX_MAX_RATIO": 100,
    # The reverse proxy (nginx) in front of gunicorn: only its header names the client (wuye.common.clientip)
    "TRUSTED_PROXIES": [
        p.strip() for p in os.environ.get("WUYE_TRUSTED_PROXIES", "").split(",") if p.strip()
    ],
    "CLIENT_IP_HEADER": os.environ.get("WUYE_CLIENT_IP_HEADER", "HTTP_X_FORWARDED_FOR"),
    # A lost database connection answers 503 with this Retry-After (wuye.common.middleware)
    "RETRY_AFTER_SECONDS": 5,
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
    # §9 triage: departments a non-property complaint (NONE) is transferred to, and the words of their topics
    "TRIAGE_DEPARTMENTS": {
        "县公安局（辖区派出所）": (
            "邻居",
            "噪音",
            "吵",
            "报警",
            "民警",
            "派出所",
            "打架",
            "偷",
            "诈骗",
            "狗",
            "咬人",
            "出租车",
        ),
        "县城市管理和综合执法局": ("城管", "占道", "烧烤", "摊", "油烟", "违建", "废品", "夜市", "渣土"),
        "县住建局（市政）": (
            "市政",
            "人行道",
            "马路",
            "县道",
            "公路",
            "城市道路",
            "路灯",
            "斑马线",
            "窨井",
            "排水渠",
            "路面",
        ),
        "县自然资源局（不动产登记）": ("房产证", "不动产", "办证", "土地证", "产权证", "登记"),
        "县住建局（房地产市场）": ("开发商", "交房", "延期交房", "层高", "违约金", "商品房"),
        "县生态环境局": ("环保", "污染", "排污", "河道", "河水", "粉尘", "KTV", "低音炮", "工地", "打桩"),
        "县市场监督管理局": ("假货", "过期", "退货", "退款", "超市", "商家", "价格", "网购"),
        "县教育局": ("学校", "学区", "划片", "幼儿园", "老师", "上学"),
        "县人力资源和社会保障局": ("工资", "欠薪", "社保", "退休金", "养老金", "劳动"),
        "县卫生健康局": ("医院", "挂号", "医生", "卫生院", "疫苗"),
        "县交通运输局": ("公交", "客运", "车站", "班车"),
        "县水利局": ("水利", "河堤", "水库", "倒垃圾"),
        "供电公司": ("供电", "停电检修", "电线杆", "高压线", "电费", "电表"),
        "自来水公司": ("自来水", "水费", "抄表", "水压"),
        "燃气公司": ("燃气公司", "安检", "停气", "燃气费"),
        "通信运营商": ("宽带", "网络", "信号", "运营商", "光纤"),
        "所在社区居委会": ("社区", "低保", "调解", "租房", "房东", "押金"),
    },
}

# accounts: second-factor attempts, enrolment links, owners' login codes (trust issue #12)
WUYE.update(
    {
        "TOTP_MAX_FAILURES_SESSION": 5,  # wrong codes before the login starts again from the password
        "TOTP_MAX_FAILURES_ACCOUNT": 10,  # wrong codes in a row (any session) before the account waits
        "TOTP_LOCKOUT_MINUTES": 15,
        "ENROLMENT_LINK_HOURS": 72,
        "SMS_LIMIT_WINDOW_SECONDS": 3600,
        "SMS_PER_CLIENT": int(
            os.environ.get("WUYE_SMS_PER_CLIENT", "10")
        ),  # code requests per client per window
        "SMS_GLOBAL": int(os.environ.get("WUYE_SMS_GLOBAL", "500")),  # code requests in the county per window
        "SMS_DISPATCH": os.environ.get("WUYE_SMS_DISPATCH", "inline"),  # "background" in production
    }
)

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
