"""Settings for the test suite (pytest --ds=mosovo.settings.test)."""

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY", default="test-only-insecure-key-7d1e9c3b5a2f4e6d8c0b1a3f5e7d9c2b4a6f8e0d1c3b5a7"
)
DEBUG = False
# Argon2 is the production hasher (tests/accounts check it); in tests a fast hasher keeps
# persona creation cheap.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The tests that start a real worker pass it CELERY_BROKER_URL and send over an explicit
# connection. Without one, anything sent by accident goes to an in-memory broker.
if not env.str("CELERY_BROKER_URL", default=""):
    CELERY_BROKER_URL = "memory://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
# Let the flush between transactional tests empty the audit table (see mosovo.db.postgresql).
AUDIT_ALLOW_TEST_FLUSH = True
