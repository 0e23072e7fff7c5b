"""Production settings: everything from the environment, no insecure defaults.

The process refuses to start, with one line naming the variable, when a required
variable is missing or invalid.
"""

from .base import *  # noqa: F403
from .base import DATABASES, config_error, env

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    raise config_error("DJANGO_SECRET_KEY", "is not set (use 50 or more random characters)")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise config_error("DJANGO_SECRET_KEY", "is too short or too simple (use 50 or more random characters)")
if not env.str("DATABASE_URL", default=""):
    raise config_error("DATABASE_URL", "is not set (production needs postgres://user:password@host:5432/name)")
if not env.str("CELERY_BROKER_URL", default=""):
    raise config_error("CELERY_BROKER_URL", "is not set (production needs redis://host:6379/0)")
if not env.str("DJANGO_ALLOWED_HOSTS", default=""):
    raise config_error("DJANGO_ALLOWED_HOSTS", "is not set (a comma-separated list of host names)")

DEBUG = False
DEMO_MODE = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)

# HTTPS only: TLS ends at the reverse proxy, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
